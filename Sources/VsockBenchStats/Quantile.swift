extension Descriptive {
    /// The median: the middle value, or the mean of the two middle values for an even count
    /// (the same as `quantile(samples, 0.5)`). The value itself for one sample.
    ///
    /// The median, not the mean, is what a repeated trial reports: one disturbed trial on a
    /// shared machine moves the mean as far as it likes but the median only by one rank.
    public static func median(_ samples: [Double]) -> Double? {
        guard usable(samples) else { return nil }
        return quantile(sorted: samples.sorted(), 0.5)
    }

    /// The `p`-quantile by linear interpolation between order statistics: Hyndman and Fan's
    /// type 7, the default of R's `quantile`, NumPy's `percentile` and spreadsheets.
    ///
    /// With the values sorted as x[0] <= ... <= x[n-1], h = (n - 1) p and the result is
    /// x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]): p = 0 is the minimum,
    /// p = 1 the maximum, and every quantile of one sample is that sample. Type 7 is chosen
    /// because it is what people check our figures against; it is not unbiased for any
    /// distribution, which does not matter for the few trials it is used on.
    ///
    /// - Throws: `StatisticsError` when `p` is not in 0...1.
    public static func quantile(_ samples: [Double], _ p: Double) throws(StatisticsError) -> Double? {
        guard p >= 0, p <= 1 else {
            throw StatisticsError(argument: "p", value: p, expected: "a probability from 0 to 1, such as 0.99 for the 99th percentile")
        }
        guard usable(samples) else { return nil }
        return quantile(sorted: samples.sorted(), p)
    }

    /// Type 7 on values already sorted ascending, not empty, p in 0...1: for callers that take
    /// several quantiles of one sample, or a median per resample, without sorting again.
    static func quantile(sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let lower = Int(h.rounded(.down))
        let fraction = h - Double(lower)
        // Equal neighbours return themselves, so that two infinities do not interpolate to NaN.
        guard lower + 1 < sorted.count, fraction > 0, sorted[lower + 1] != sorted[lower] else { return sorted[lower] }
        return sorted[lower] + fraction * (sorted[lower + 1] - sorted[lower])
    }
}
