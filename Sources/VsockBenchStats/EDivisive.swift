#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Change points in a series by E-divisive means (Matteson and James 2014): where did a
/// figure's level move, run after run?
///
/// The history of a figure is a series of per-run medians. The method splits the series where
/// the two sides differ most in energy distance (alpha = 1: a change in mean, and in spread or
/// shape as well), then splits the resulting segments the same way, one change at a time. Each
/// candidate is kept only if a permutation test says it is not noise: the values are shuffled
/// within the current segments and the best split is searched again, up to `permutations`
/// times; the p-value is the share of shuffles (plus the data itself) whose best split is at
/// least as strong. It assumes nothing about the noise beyond exchangeability within a segment,
/// so on a flat series it reports a change with probability at most `significance`.
///
/// Two additions to the published procedure, neither of which changes a decision: the
/// shuffles stop as soon as enough of them beat the candidate that it cannot be significant
/// any more (a flat series costs a tenth of the work), and each change found is finally
/// re-placed at the best single split between its neighbours, because a split of a staircase
/// can land between two steps and a hierarchical search never revisits it.
/// The seeded shuffles make the answer reproducible.
public enum EDivisive {
    /// Whether a shuffle's best split is at least as strong as the candidate's. Shuffles that
    /// give the same statistic in exact arithmetic (the same split of the same values, summed in
    /// another order) often come out an ulp lower; counted as beaten only below a relative
    /// 1e-9, or half of them were lost and the p-value halved (0.029 for an exact 0.057 on
    /// seven runs, review).
    static func atLeastAsStrong(_ permuted: Double, _ observed: Double) -> Bool {
        permuted >= observed - 1e-9 * Swift.max(abs(observed), .leastNormalMagnitude)
    }

    /// The longest series accepted. One test costs `permutations` × O(length²): measured in a
    /// release build, 1000 points with one change took 0.8 s in all (199 shuffles for the change,
    /// then an early stop), a flat series of 1000 0.2 s; each further change adds up to a test.
    public static let maximumLength = 1000

    /// The change points of `series`, in index order; nil when it holds a NaN, empty when it is
    /// too short to split (fewer than 2 × `minimumSegment` points) or nothing is significant.
    ///
    /// - Parameters:
    ///   - significance: a candidate is kept when its p-value is at most this.
    ///   - minimumSegment: the fewest points between two changes (at least 2: a segment's own
    ///     spread needs a pair).
    ///   - permutations: shuffles per test (1 to 9999); the smallest p-value is
    ///     1 / (permutations + 1), so keep it well above 1 / significance.
    ///   - maximumChanges: stop after this many changes, to bound the work.
    ///   - seed: the shuffles' seed.
    /// - Throws: `StatisticsError` for an argument out of range or a series longer than
    ///   `maximumLength`.
    public static func changePoints(
        in series: [Double], significance: Double = 0.05, minimumSegment: Int = 3,
        permutations: Int = 199, maximumChanges: Int = 16, seed: UInt64 = 0
    ) throws(StatisticsError) -> [ChangePoint]? {
        try StatisticsError.requireProbability(significance, named: "significance")
        try StatisticsError.requireCount(minimumSegment, named: "minimumSegment", atLeast: 2)
        try StatisticsError.requireCount(permutations, named: "permutations", atLeast: 1, atMost: 9999)
        try StatisticsError.requireCount(maximumChanges, named: "maximumChanges", atLeast: 0)
        try StatisticsError.requireLength(series.count, atMost: maximumLength)
        guard !series.contains(where: \.isNaN) else { return nil }

        var generator = SeededGenerator(seed: seed)
        var edges = [0, series.count]  // segment boundaries, sorted
        var found: [(index: Int, pValue: Double?, statistic: Double)] = []
        // A candidate is significant when (beaten + 1) / (permutations + 1) <= significance.
        let allowedBeaten = Int((significance * Double(permutations + 1) + 1e-9).rounded(.down)) - 1
        while found.count < maximumChanges {
            guard let candidate = bestSplit(of: series, edges: edges, minimumSegment: minimumSegment) else { break }
            var beaten = 0
            var shuffled = series
            for _ in 0..<permutations where beaten <= allowedBeaten {
                for (start, end) in zip(edges, edges.dropFirst()) { shuffle(&shuffled, start..<end, &generator) }
                let permuted = bestSplit(of: shuffled, edges: edges, minimumSegment: minimumSegment)
                if let permuted, atLeastAsStrong(permuted.statistic, candidate.statistic) { beaten += 1 }
            }
            guard beaten <= allowedBeaten else { break }
            found.append((candidate.location, Double(beaten + 1) / Double(permutations + 1), candidate.statistic))
            edges.append(candidate.location)
            edges.sort()
        }
        return ChangePoint.describe(refined(found, in: series, minimumSegment: minimumSegment), in: series)
    }

    /// The smallest p-value the permutation test can give a change in a series of `length`
    /// points (1 when it is too short to split: fewer than 2 × `minimumSegment`).
    ///
    /// However clear the change, the shuffles that keep each part's values in that part (in
    /// any order), and those that swap the two parts, give the same statistic: a split into
    /// parts of a and b points (the second may stop c points short of the end) is matched by
    /// 2 a! b! c! of the length! shuffles, so p >= 2 a! b! c! / length!, and never below
    /// 1 / (permutations + 1). With three runs a level, six runs give at best p = 0.1 (2 of the
    /// C(6, 3) = 20 ways to deal them): no change in six runs can be significant at 0.05.
    public static func smallestPValue(length: Int, minimumSegment: Int = 3, permutations: Int = 199) -> Double {
        let m = Swift.max(minimumSegment, 1)
        guard length >= 2 * m else { return 1 }
        let floor = 1 / Double(Swift.max(permutations, 1) + 1)
        func logFactorial(_ k: Int) -> Double { lgamma(Double(k) + 1) }
        let total = logFactorial(length)
        var best = 1.0
        for a in m...(length - m) {
            for b in m...(length - a) {
                let p = 2 * exp(logFactorial(a) + logFactorial(b) + logFactorial(length - a - b) - total)
                best = Swift.min(best, p)
                if best <= floor { return floor }
            }
        }
        return Swift.min(1, best)
    }

    /// The fewest points with which a change can reach `significance` (see `smallestPValue`);
    /// nil when no series up to `maximumLength` can.
    public static func fewestPoints(significance: Double, minimumSegment: Int = 3, permutations: Int = 199) -> Int? {
        (2 * Swift.max(minimumSegment, 1)...Swift.max(maximumLength, 2 * Swift.max(minimumSegment, 1))).first {
            canReach(significance, length: $0, minimumSegment: minimumSegment, permutations: permutations)
        }
    }

    /// Whether a change in `length` points can reach `significance`: `smallestPValue` at most
    /// it (a bound computed in logarithms, so equal within rounding counts).
    public static func canReach(_ significance: Double, length: Int, minimumSegment: Int = 3, permutations: Int = 199) -> Bool {
        smallestPValue(length: length, minimumSegment: minimumSegment, permutations: permutations) <= significance * (1 + 1e-9)
    }

    /// The strongest split over all segments between `edges`.
    private static func bestSplit(of series: [Double], edges: [Int], minimumSegment: Int) -> EnergySplit? {
        var best: EnergySplit? = nil
        for (start, end) in zip(edges, edges.dropFirst()) {
            guard let split = EnergySplit(series[start..<end], offset: start, minimumSize: minimumSegment) else { continue }
            if best.map({ split.statistic > $0.statistic }) ?? true { best = split }
        }
        return best
    }

    /// Fisher-Yates over `range` of `values` in place, with the generator's bounded draw.
    private static func shuffle(_ values: inout [Double], _ range: Range<Int>, _ generator: inout SeededGenerator) {
        guard range.count > 1 else { return }
        for i in stride(from: range.upperBound - 1, to: range.lowerBound, by: -1) {
            let j = range.lowerBound + generator.index(below: i - range.lowerBound + 1)
            if j != i { values.swapAt(i, j) }
        }
    }

    /// Moves each change (left to right, in index order) to the best single split of the
    /// stretch between its neighbours; the order found, p-value and statistic stay.
    private static func refined(
        _ found: [(index: Int, pValue: Double?, statistic: Double)], in series: [Double], minimumSegment: Int
    ) -> [(index: Int, pValue: Double?, statistic: Double)] {
        var changes = found
        let byIndex = changes.indices.sorted { changes[$0].index < changes[$1].index }
        for (position, entry) in byIndex.enumerated() {
            let start = position == 0 ? 0 : changes[byIndex[position - 1]].index
            let end = position + 1 < byIndex.count ? changes[byIndex[position + 1]].index : series.count
            if let split = EnergySplit(series[start..<end], offset: start, minimumSize: minimumSegment, searchEnd: false) {
                changes[entry].index = split.location
            }
        }
        return changes
    }
}
