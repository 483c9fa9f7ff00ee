/// Descriptive figures of a sample: mean, spread and quantiles.
///
/// Every function takes the samples as they come (any order) and returns nil when there is
/// nothing to describe: no samples, a NaN among them (a figure that was never measured must not
/// turn into a number), or too few samples for the figure (a standard deviation of one value).
/// Infinities are kept: they sort to the ends and make means infinite, as they should.
public enum Descriptive {
    /// The arithmetic mean; the value itself for one sample.
    public static func mean(_ samples: [Double]) -> Double? {
        guard usable(samples) else { return nil }
        return samples.reduce(0, +) / Double(samples.count)
    }

    /// The sample standard deviation (divisor n - 1), the spread an unbiased variance gives;
    /// nil for fewer than two samples, whose spread is unknown rather than zero.
    ///
    /// Computed in two passes (mean first, then squared deviations), which keeps its precision
    /// when the values are large and close together, as throughputs in bits per second are.
    public static func standardDeviation(_ samples: [Double]) -> Double? {
        guard samples.count >= 2, let mean = mean(samples) else { return nil }
        let squares = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(samples.count - 1)).squareRoot()
    }

    /// The coefficient of variation: standard deviation over the absolute mean, the run-to-run
    /// noise as a fraction (0.07 is 7%) comparable across figures of different units.
    /// Nil for fewer than two samples and when the mean is zero.
    public static func coefficientOfVariation(_ samples: [Double]) -> Double? {
        guard let deviation = standardDeviation(samples), let mean = mean(samples), mean != 0 else { return nil }
        return deviation / abs(mean)
    }

    /// True when `samples` can be described: not empty, no NaN.
    static func usable(_ samples: [Double]) -> Bool {
        !samples.isEmpty && !samples.contains(where: \.isNaN)
    }
}
