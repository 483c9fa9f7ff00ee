extension Descriptive {
    /// The factor that turns a MAD into an estimate of the standard deviation of normal data:
    /// 1 / Φ⁻¹(3/4).
    public static let normalConsistency = 1.482_602_218_505_602

    /// The median absolute deviation from the median: median(|x - median(x)|).
    ///
    /// A spread that one wild trial cannot inflate, unlike the standard deviation; 0 for one
    /// sample. Pass `normalized: true` to multiply by `normalConsistency`, which makes it
    /// estimate the standard deviation when the data are normal (R's `mad` default; SciPy's
    /// `median_abs_deviation(scale="normal")`).
    public static func medianAbsoluteDeviation(_ samples: [Double], normalized: Bool = false) -> Double? {
        guard let center = median(samples), let mad = median(samples.map { abs($0 - center) }) else { return nil }
        return normalized ? mad * normalConsistency : mad
    }
}
