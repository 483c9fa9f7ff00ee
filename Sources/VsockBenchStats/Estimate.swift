/// A point estimate with its confidence interval: what a repeated trial reports for a figure
/// (the median of the trials, and the interval that the true median is in with the asked
/// confidence).
///
/// It says how it was made and how much it can be trusted, because a narrow interval from three
/// trials and one from thirty look alike in a table. `bounds` is the `[low, high]` pair the JSON
/// documents carry (`cases[].ci.{key: [low, high]}`); the whole value is also `Codable`.
public struct Estimate: Sendable, Hashable, Codable {
    /// How an interval was obtained; the raw value is the name reports print.
    public enum Method: String, Sendable, Hashable, Codable {
        /// Order statistics of the sample chosen with the Binomial(n, 1/2) distribution: exact,
        /// distribution-free coverage for a continuous figure (see `MedianInterval`).
        case orderStatistics = "order statistics"
        /// Percentiles of the statistic over seeded resamples (see `Bootstrap`): approximate,
        /// for any statistic.
        case bootstrap = "bootstrap"
    }

    /// The statistic of the whole sample: the median, unless the caller bootstrapped another.
    public let point: Double
    /// The interval's lower end.
    public let low: Double
    /// The interval's upper end.
    public let high: Double
    /// How many samples the estimate rests on.
    public let n: Int
    /// How the interval was obtained.
    public let method: Method
    /// The confidence that was asked for, such as 0.95.
    public let confidence: Double
    /// The confidence the interval actually has, when it is known exactly (order statistics:
    /// at least the asked one, or less when `reachesConfidence` is false); nil for the bootstrap,
    /// whose coverage is only approximately the asked one.
    public let coverage: Double?
    /// False when the samples are too few for the asked confidence: the interval is then the
    /// whole range of the samples, and even that is in doubt (for 95%: fewer than 6 samples).
    /// A report must show this rather than a confident-looking interval.
    public let reachesConfidence: Bool

    /// An estimate as the intervals here make it; public so that one read back from a JSON
    /// document, or made by a caller's own method, can be carried the same way.
    public init(
        point: Double, low: Double, high: Double, n: Int, method: Method,
        confidence: Double, coverage: Double?, reachesConfidence: Bool
    ) {
        self.point = point
        self.low = low
        self.high = high
        self.n = n
        self.method = method
        self.confidence = confidence
        self.coverage = coverage
        self.reachesConfidence = reachesConfidence
    }

    /// `[low, high]`, the shape of an interval in the JSON documents.
    public var bounds: [Double] { [low, high] }

    /// Half the interval's width, for a table's `median ±half-width`. The interval need not be
    /// symmetric around the point: use `low` and `high` where the difference matters.
    public var halfWidth: Double { (high - low) / 2 }

    /// Whether `value` lies inside the interval (ends included).
    public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}
