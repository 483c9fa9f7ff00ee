/// The distribution-free confidence interval of a median from order statistics.
///
/// For n samples of a continuous figure, the number B below the true median is Binomial(n, 1/2)
/// whatever the distribution, so [x(j), x(k)] (1-based ranks of the sorted samples) contains the
/// median with probability P(j <= B <= k - 1), exactly. The interval chosen is the narrowest one
/// symmetric in ranks (k = n + 1 - j) whose coverage is at least the asked confidence. It needs
/// no model of the noise and no random draws, which is why a trial's figures use it by default.
/// Ties in the data (equal figures) only make it more conservative.
public enum MedianInterval {
    /// The order-statistic interval of the median of `samples`; nil for no samples or a NaN.
    ///
    /// With too few samples for the confidence (fewer than 6 for 0.95, 8 for 0.99) the interval
    /// is the whole range [min, max], `coverage` says what it really has (1 - 2^(1-n)) and
    /// `reachesConfidence` is false.
    ///
    /// - Throws: `StatisticsError` when `confidence` is not strictly between 0 and 1.
    public static func orderStatistics(_ samples: [Double], confidence: Double = 0.95) throws(StatisticsError) -> Estimate? {
        guard Descriptive.usable(samples), let ranks = try OrderStatisticRanks(sampleSize: samples.count, confidence: confidence) else {
            return nil
        }
        let sorted = samples.sorted()
        return Estimate(
            point: Descriptive.quantile(sorted: sorted, 0.5),
            low: sorted[ranks.lower - 1], high: sorted[ranks.upper - 1],
            n: samples.count, method: .orderStatistics, confidence: confidence,
            coverage: ranks.coverage, reachesConfidence: ranks.reachesConfidence)
    }
}

/// Which order statistics bound the median's interval for a sample size, and the exact coverage.
///
/// Public so that a report can say "x(2)..x(9) of 10 trials" and a test can check the ranks
/// against binomial tables without any data.
public struct OrderStatisticRanks: Sendable, Hashable {
    /// The 1-based rank j of the lower end: the j-th smallest sample.
    public let lower: Int
    /// The 1-based rank k of the upper end, n + 1 - j.
    public let upper: Int
    /// P(x(j) <= median <= x(k)) for a continuous figure: 1 - 2 P(B <= j - 1), B ~ Binomial(n, 1/2).
    public let coverage: Double
    /// False when even the whole range (j = 1, k = n) falls short of the asked confidence.
    public let reachesConfidence: Bool

    /// The ranks for `sampleSize` samples; nil when `sampleSize` is not positive.
    ///
    /// - Throws: `StatisticsError` when `confidence` is not strictly between 0 and 1.
    public init?(sampleSize n: Int, confidence: Double = 0.95) throws(StatisticsError) {
        try StatisticsError.requireProbability(confidence, named: "confidence")
        guard n > 0 else { return nil }
        // Coverage of rank j is 1 - 2 F(j - 1); it falls as j grows, so walk j up while the
        // next rank still covers enough. The tolerance keeps a coverage that equals the asked
        // confidence exactly (such as 0.96875 for n = 6) from being lost to rounding.
        var tail = BinomialHalfTail(n: n)
        var j = 1
        var coverage = 1 - 2 * tail.next()
        while 2 * (j + 1) <= n {
            let next = 1 - 2 * tail.next()
            guard next >= confidence - 1e-12 else { break }
            j += 1
            coverage = next
        }
        self.lower = j
        self.upper = n + 1 - j
        self.coverage = Swift.max(coverage, 0)
        self.reachesConfidence = coverage >= confidence - 1e-12
    }
}
