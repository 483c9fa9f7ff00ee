/// A place in a series where its level changed: the run at which a figure moved, and by how much.
public struct ChangePoint: Sendable, Hashable, Codable {
    /// The index of the first point of the new segment (the first run at the new level).
    public let index: Int
    /// E-divisive: the p-value of the permutation test that accepted it, the share of
    /// within-segment shuffles that gave a split at least as strong, counting the data itself.
    /// Nil for PELT, whose penalty decides instead of a test.
    public let pValue: Double?
    /// How strong the change is. E-divisive: the scaled energy distance of the split when it was
    /// found. PELT: how much the cost (squared deviations in units of the noise variance)
    /// would grow if the change were removed. Larger is clearer.
    public let statistic: Double
    /// 1 for the strongest change, 2 for the next, ... (E-divisive: the order in which they
    /// were found; PELT: by decreasing `statistic`).
    public let order: Int
    /// The mean of the segment that ends just before `index`.
    public let meanBefore: Double
    /// The mean of the segment that starts at `index`.
    public let meanAfter: Double
    /// The median of the segment that ends just before `index`.
    public let medianBefore: Double
    /// The median of the segment that starts at `index`.
    public let medianAfter: Double

    /// A change point as the searches here report it; public so that one read back from a
    /// stored history can be rebuilt.
    public init(
        index: Int, pValue: Double?, statistic: Double, order: Int,
        meanBefore: Double, meanAfter: Double, medianBefore: Double, medianAfter: Double
    ) {
        self.index = index
        self.pValue = pValue
        self.statistic = statistic
        self.order = order
        self.meanBefore = meanBefore
        self.meanAfter = meanAfter
        self.medianBefore = medianBefore
        self.medianAfter = medianAfter
    }

    /// The change as a ratio of medians, after over before (1.25 is a rise of 25%); nil when
    /// the median before is zero.
    public var ratio: Double? { medianBefore == 0 ? nil : medianAfter / medianBefore }

    /// Describes the changes `found` (in the order they were found, which becomes `order`),
    /// sorted by index, with the segments of `series` they leave: the segment before a change
    /// starts at the previous change.
    static func describe(
        _ found: [(index: Int, pValue: Double?, statistic: Double)], in series: [Double]
    ) -> [ChangePoint] {
        let ordered = found.enumerated().sorted { $0.element.index < $1.element.index }
        let edges = [0] + ordered.map(\.element.index) + [series.count]
        return ordered.enumerated().map { position, entry in
            let before = Array(series[edges[position]..<edges[position + 1]])
            let after = Array(series[edges[position + 1]..<edges[position + 2]])
            return ChangePoint(
                index: entry.element.index, pValue: entry.element.pValue,
                statistic: entry.element.statistic, order: entry.offset + 1,
                meanBefore: Descriptive.mean(before) ?? .nan, meanAfter: Descriptive.mean(after) ?? .nan,
                medianBefore: Descriptive.median(before) ?? .nan, medianAfter: Descriptive.median(after) ?? .nan)
        }
    }
}
