import VsockBenchReport
import VsockBenchStats

/// How change points are searched for: E-divisive means over the per-run medians, each
/// change kept only when a seeded permutation test finds it significant.
public struct ChangeOptions: Sendable, Equatable {
    /// A change is kept when its p-value is at most this.
    public var significance: Double
    /// Shuffles per test; the smallest p-value is 1 / (permutations + 1).
    public var permutations: Int
    /// The fewest runs between two changes (and before the first, after the last).
    public var minimumSegment: Int
    /// The shuffles' seed: the same history gives the same answer.
    public var seed: UInt64

    public static let standard = ChangeOptions(significance: 0.05, permutations: 199, minimumSegment: 3, seed: 1)

    public init(significance: Double, permutations: Int, minimumSegment: Int, seed: UInt64) {
        self.significance = significance
        self.permutations = permutations
        self.minimumSegment = minimumSegment
        self.seed = seed
    }
}

/// Finds where a series of per-run medians changed level, and names the runs.
public enum ChangeFinder {
    /// The changes in `points` (oldest first). Points whose case did not run clean are left
    /// out; a series longer than E-divisive takes is searched over its most recent runs.
    public static func changes(in points: [SeriesPoint], figure: Figure, options: ChangeOptions = .standard) throws(HistoryError) -> [SeriesChange] {
        let clean = Array(points.filter(\.verified).suffix(EDivisive.maximumLength))
        let found: [ChangePoint]?
        do {
            found = try EDivisive.changePoints(
                in: clean.map(\.value), significance: options.significance, minimumSegment: options.minimumSegment,
                permutations: options.permutations, seed: options.seed)
        } catch {
            throw .badOption(error.description)
        }
        return (found ?? []).compactMap { change in
            guard change.index > 0, change.index < clean.count else { return nil }
            let first = clean[change.index], last = clean[change.index - 1]
            let rose = change.medianAfter > change.medianBefore
            return SeriesChange(
                run: first.run, startedAt: first.startedAt, gitCommit: first.gitCommit, previousRun: last.run,
                previousGitCommit: last.gitCommit, before: change.medianBefore, after: change.medianAfter, pValue: change.pValue,
                better: rose == figure.higherIsBetter)
        }
    }
}
