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
    /// The smallest move worth naming, as a fraction of the level before it (0.05: 5%). A
    /// significant shift of 2% in a timing is real but not news on a machine whose runs
    /// differ by 7-16%; counts per message use at most 2% (`check`'s count bound).
    public var minimumChange: Double

    public static let standard = ChangeOptions(significance: 0.05, permutations: 199, minimumSegment: 3, seed: 1, minimumChange: 0.05)

    public init(significance: Double, permutations: Int, minimumSegment: Int, seed: UInt64, minimumChange: Double = 0.05) {
        self.significance = significance
        self.permutations = permutations
        self.minimumSegment = minimumSegment
        self.seed = seed
        self.minimumChange = minimumChange
    }

    /// The floor for `figure`: `minimumChange` for timings, at most 2% for counts.
    public func minimumChange(for figure: Figure) -> Double { figure.isCount ? min(minimumChange, 0.02) : minimumChange }
}

/// Finds where a series of per-run medians changed level, and names the runs.
public enum ChangeFinder {
    /// The changes in `points` (oldest first). Points whose case did not run clean are left
    /// out; a series longer than E-divisive takes is searched over its most recent runs. Of
    /// the significant changes, those smaller than the options' minimum are dropped (the
    /// smallest first, the levels around the others measured again each time).
    public static func changes(in points: [SeriesPoint], figure: Figure, options: ChangeOptions = .standard) throws(HistoryError) -> [SeriesChange] {
        guard options.minimumChange >= 0, options.minimumChange.isFinite else {
            throw .badOption("--min-change \(options.minimumChange * 100)%: give a percentage of 0 or more, such as 5%")
        }
        let clean = Array(points.filter(\.verified).suffix(EDivisive.maximumLength))
        let values = clean.map(\.value)
        let found: [ChangePoint]?
        do {
            found = try EDivisive.changePoints(
                in: values, significance: options.significance, minimumSegment: options.minimumSegment,
                permutations: options.permutations, seed: options.seed)
        } catch {
            throw .badOption(error.description)
        }
        var kept = (found ?? []).filter { $0.index > 0 && $0.index < clean.count }.sorted { $0.index < $1.index }
        let floor = options.minimumChange(for: figure)
        var levels = measure(kept.map(\.index), in: values)
        while let smallest = levels.indices.filter({ relative(levels[$0]) < floor }).min(by: { relative(levels[$0]) < relative(levels[$1]) }) {
            kept.remove(at: smallest)
            levels = measure(kept.map(\.index), in: values)
        }
        return zip(kept, levels).map { change, level in
            let first = clean[change.index], last = clean[change.index - 1]
            return SeriesChange(
                run: first.run, startedAt: first.startedAt, gitCommit: first.gitCommit, previousRun: last.run,
                previousGitCommit: last.gitCommit, before: level.before, after: level.after, pValue: change.pValue,
                better: (level.after > level.before) == figure.higherIsBetter)
        }
    }

    /// The median of the stretch before and after each change (`starts`, sorted), each stretch
    /// running to the neighbouring change.
    static func measure(_ starts: [Int], in values: [Double]) -> [(before: Double, after: Double)] {
        let edges = [0] + starts + [values.count]
        return starts.indices.map { i in
            let before = Descriptive.median(Array(values[edges[i]..<edges[i + 1]])) ?? .nan
            let after = Descriptive.median(Array(values[edges[i + 1]..<edges[i + 2]])) ?? .nan
            return (before, after)
        }
    }

    /// |after - before| / |before| (infinite from zero to anything else).
    static func relative(_ level: (before: Double, after: Double)) -> Double {
        if level.before == 0 { return level.after == 0 ? 0 : .infinity }
        return abs(level.after - level.before) / abs(level.before)
    }
}
