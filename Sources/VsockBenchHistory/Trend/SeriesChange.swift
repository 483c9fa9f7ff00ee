import VsockBenchReport

/// Where a figure's level moved: the first run at the new level, the last run at the old one
/// (so the change lies between their commits), the medians of the two segments, and the
/// permutation test's p-value.
public struct SeriesChange: Sendable, Equatable, Encodable {
    /// The first run at the new level.
    public var run: Int64
    public var startedAt: String
    public var gitCommit: String?
    /// The last run at the old level.
    public var previousRun: Int64
    public var previousGitCommit: String?
    /// Median of the segment before the change, and of the one from `run` on (up to the next change).
    public var before: Double
    public var after: Double
    public var pValue: Double?
    /// True when the figure moved the better way (up for throughput, down for latency and counts).
    public var better: Bool

    /// (after - before) / before; nil when before is zero.
    public var change: Double? { before == 0 ? nil : (after - before) / abs(before) }

    enum CodingKeys: String, CodingKey {
        case run, startedAt = "started_at", gitCommit = "git_commit", previousRun = "previous_run"
        case previousGitCommit = "previous_git_commit", before, after, change, pValue = "p_value", direction
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(gitCommit, forKey: .gitCommit)
        try c.encode(previousRun, forKey: .previousRun)
        try c.encode(previousGitCommit, forKey: .previousGitCommit)
        try c.encode(before, forKey: .before)
        try c.encode(after, forKey: .after)
        try c.encode(change, forKey: .change)
        try c.encode(pValue, forKey: .pValue)
        try c.encode(better ? "better" : "worse", forKey: .direction)
    }
}
