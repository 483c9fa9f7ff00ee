import GRDB
import VsockBenchReport
import VsockBenchStats

/// One run's value of a figure: the median of its trials (``CaseValue``), with the interval
/// the run gave it (none for a single trial: a single sample) and that interval's coverage: the runs' intervals are order
/// statistics, 95% from 6 trials on, [min, max] below (75% for 3 trials).
public struct SeriesPoint: Sendable, Equatable, Encodable {
    public var run: Int64
    public var startedAt: String
    public var gitCommit: String?
    public var value: Double
    public var interval: [Double]?
    /// The interval's coverage for this many trials (0.75 for 3, 0.95 or a little more from 6).
    public var coverage: Double?
    public var trials: Int
    /// The case ran clean; a point that did not is shown but left out of change detection.
    public var verified: Bool
    /// Not verified only because an interrupt cut the case short (`CaseResult.cutShort`, the
    /// rule `history list`'s `~` and `show`'s `cut short` follow): still left out of the
    /// changes (a trial stopped part-way measured less than its duration), but said to be
    /// cut short, not "not verified", which reads as a failure. Not in the JSON: `verified`
    /// keeps its meaning there.
    public var cutShort = false
    /// An open-loop case: whether every trial kept up its rate (`kept_up`; nil for a closed
    /// loop). One that fell behind has latency figures that understate the wait.
    public var keptUp: Bool? = nil

    /// An open-loop run that fell behind its rate.
    public var fellBehind: Bool { keptUp == false }

    public init(run: Int64, startedAt: String, gitCommit: String?, value: Double, interval: [Double]?, trials: Int, verified: Bool) {
        self.run = run
        self.startedAt = startedAt
        self.gitCommit = gitCommit
        self.value = value
        self.interval = interval
        self.coverage = interval == nil ? nil : (try? OrderStatisticRanks(sampleSize: trials, confidence: 0.95))?.coverage
        self.trials = trials
        self.verified = verified
    }

    enum CodingKeys: String, CodingKey {
        case run, startedAt = "started_at", gitCommit = "git_commit", value, interval = "ci", coverage = "ci_coverage", trials, verified
        case keptUp = "kept_up"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(gitCommit, forKey: .gitCommit)
        try c.encode(value, forKey: .value)
        try c.encode(interval, forKey: .interval)
        try c.encode(coverage.map { ($0 * 10000).rounded() / 10000 }, forKey: .coverage)
        try c.encode(trials, forKey: .trials)
        try c.encode(verified, forKey: .verified)
        try c.encode(keptUp, forKey: .keptUp)
    }
}

/// A figure of a case over runs, oldest first, with the places where its level changed.
public struct FigureSeries: Sendable, Equatable, Encodable {
    public var scenario: String
    public var caseName: String
    public var workload: String
    public var figure: Figure
    public var points: [SeriesPoint]
    public var changes: [SeriesChange]
    /// How changes were searched for (`--min-runs`, `--significance`, `--permutations`): with
    /// too few verified runs no change can be significant, which is not the same as no change.
    public var options = ChangeOptions.standard
    /// The case moves payload both ways alike: its Mbps (either direction) are `each way`.
    public var eachWay = false

    /// The figure's label as history prints it (``Figure/historyLabel(eachWay:)``).
    public var label: String { figure.historyLabel(eachWay: eachWay) }

    /// Verified runs, the ones the change search can look at.
    public var verifiedRuns: Int { points.filter(\.verified).count }
    /// The runs the change search looked at: the most recent verified ones, at most
    /// `EDivisive.maximumLength` (a series of 1200 said "no change over 1200 runs" of a
    /// doubling at its 151st: the search had taken the last 1000: review).
    public var searchedRuns: Int { min(verifiedRuns, EDivisive.maximumLength) }
    /// `1200 runs`, or `the last 1000 of 1200 runs` where the search took fewer than there are.
    public var searchedText: String {
        let all = verifiedRuns
        return searchedRuns < all ? "the last \(searchedRuns) of \(all) runs" : "\(all) run\(all == 1 ? "" : "s")"
    }
    /// The verified runs the search left out (the oldest, by their place in the series, not
    /// their numbers: a file added late with an earlier start has a higher number); empty
    /// when it looked at every one.
    public var unsearchedRuns: Set<Int64> {
        guard searchedRuns < verifiedRuns else { return [] }
        return Set(points.filter(\.verified).dropLast(searchedRuns).map(\.run))
    }
    /// Whether the series has enough verified runs for a change to reach the significance
    /// (seven with the standard options: six give at best p = 0.1).
    public var searchable: Bool {
        EDivisive.canReach(options.significance, length: searchedRuns, minimumSegment: options.minimumSegment, permutations: options.permutations)
    }
    /// The fewest verified runs with which a change can be significant; nil when none can.
    public var runsNeeded: Int? {
        EDivisive.fewestPoints(significance: options.significance, minimumSegment: options.minimumSegment, permutations: options.permutations)
    }

    enum CodingKeys: String, CodingKey {
        case scenario, caseName = "case", workload, figure = "metric", higherIsBetter = "higher_is_better", label, points, changes
        case searchedRuns = "searched_runs", searchable, runsNeeded = "runs_needed"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(caseName, forKey: .caseName)
        try c.encode(workload, forKey: .workload)
        try c.encode(figure.rawValue, forKey: .figure)
        try c.encode(figure.higherIsBetter, forKey: .higherIsBetter)
        try c.encode(label, forKey: .label)
        try c.encode(points, forKey: .points)
        try c.encode(changes, forKey: .changes)
        try c.encode(searchedRuns, forKey: .searchedRuns)
        // Without these, `"changes": []` of a series too short to search read as "searched,
        // nothing changed" (review): the text said "too few runs", the JSON nothing.
        try c.encode(searchable, forKey: .searchable)
        try c.encode(runsNeeded, forKey: .runsNeeded)
    }
}

extension HistoryDatabase {
    /// The scenarios in the history that `filter` keeps (its scenario, when it names one, must be there).
    public func scenarios(_ filter: RunFilter = RunFilter()) throws(HistoryError) -> [String] {
        try read { db in
            let (conditions, arguments) = filter.conditions()
            return try String.fetchAll(db, sql: "SELECT DISTINCT r.scenario FROM run r WHERE 1 = 1\(conditions) ORDER BY r.scenario", arguments: arguments)
        }
    }

    /// The cases of `scenario`'s runs, in the order they first appear, with their workload.
    public func cases(ofScenario scenario: String, _ filter: RunFilter = RunFilter()) throws(HistoryError) -> [(name: String, workload: String)] {
        var filter = filter
        filter.scenario = scenario
        return try read { db in
            let (conditions, arguments) = filter.conditions()
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.name, c.workload, min(r.id * 1000000 + c.position) AS first FROM case_result c JOIN run r ON r.id = c.run_id
                WHERE 1 = 1\(conditions) GROUP BY c.name ORDER BY first
                """, arguments: arguments)
            return rows.map { ($0["name"], $0["workload"]) }
        }
    }

    /// The direction `mbps` follows for `caseName` over `filter`'s runs (``MbpsDirection``).
    public func mbpsDirection(caseName: String, _ filter: RunFilter) throws(HistoryError) -> MbpsDirection {
        let tx = try points(caseName: caseName, figure: .mbpsTx, filter).map(\.value)
        let rx = try points(caseName: caseName, figure: .mbpsRx, filter).map(\.value)
        return MbpsDirection(tx: tx, rx: rx)
    }

    /// `figure` of `caseName` in `filter`'s runs (its scenario), oldest first. With
    /// `filter.last`, the case's points among the last N runs of the filter, the runs `list
    /// --last N` shows: not the case's last N points, which reached back past those runs where
    /// some of them did not run the case (review).
    public func points(caseName: String, figure: Figure, _ filter: RunFilter) throws(HistoryError) -> [SeriesPoint] {
        try read { db in
            let (conditions, arguments) = Self.conditionsWithLast(filter)
            // A skipped case (a stream against `--target null`) measured nothing by design: it
            // is no point, not a "not verified" zero (`list` calls such a run verified: review);
            // the report notes where it was skipped (`skippedRuns`).
            let sql = """
                SELECT r.id, r.started_at, r.git_commit, c.id AS case_id, c.verified, c.skipped, c.trial_count, f.value, f.ci_low, f.ci_high,
                       \(try Self.openLoopColumns(db)),
                       CASE WHEN c.verified = 0 AND c.skipped IS NULL AND json_valid(r.document)
                            THEN json_extract(r.document, '$.cases[' || c.position || ']') END AS unverified_case
                FROM run r JOIN case_result c ON c.run_id = r.id LEFT JOIN case_figure f ON f.case_id = c.id AND f.figure = ?
                WHERE c.name = ? AND c.skipped IS NULL AND (f.value IS NOT NULL OR c.verified = 0)\(conditions)
                ORDER BY r.started_at DESC, r.id DESC
                """
            // A failed run has no figure it never measured (a latency of no response: p99 is
            // null in its file, so no row), and the join dropped it from that series alone:
            // "not verified" in msgs/s "over 9 runs", absent from p99 "over 8" (review). It is
            // in every series, as not verified; a series no run has the figure of is none.
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments([figure.rawValue, caseName]) + arguments)
            guard rows.contains(where: { ($0["value"] as Double?) != nil }) else { return [] }
            return try rows.reversed().map { row in
                let low: Double? = row["ci_low"], high: Double? = row["ci_high"]
                let interval = low.flatMap { l in high.map { [l, $0] } }
                let trials = try Double.fetchAll(db, sql: "SELECT value FROM trial_figure WHERE case_id = ? AND figure = ?",
                                                 arguments: [row["case_id"] as Int64, figure.rawValue])
                let stored: Double? = row["value"]
                let value = CaseValue.of(stored, trials: trials, trialCount: row["trial_count"], verified: row["verified"]) ?? stored ?? 0
                var point = SeriesPoint(run: row["id"], startedAt: row["started_at"], gitCommit: row["git_commit"], value: value,
                                        interval: interval, trials: row["trial_count"], verified: row["verified"])
                point.keptUp = Self.keptUpCount(row)?.all
                point.cutShort = Self.cutShort(storedCase: row["unverified_case"])
                return point
            }
        }
    }
}

extension HistoryDatabase {
    /// `filter`'s conditions on `run r`, with `filter.last` as the last N runs of the filter.
    static func conditionsWithLast(_ filter: RunFilter) -> (sql: String, arguments: StatementArguments) {
        var (conditions, arguments) = filter.conditions()
        if let last = filter.last {
            // The subquery's `r` is its own: the same conditions, over the same runs.
            conditions += " AND r.id IN (SELECT r.id FROM run r WHERE 1 = 1\(conditions) ORDER BY r.started_at DESC, r.id DESC LIMIT \(max(last, 0)))"
            arguments += filter.conditions().arguments
        }
        return (conditions, arguments)
    }

    /// The runs of `filter` (as `points` takes them) that skipped `caseName`, oldest first,
    /// each with the reason its results give.
    public func skippedRuns(caseName: String, _ filter: RunFilter) throws(HistoryError) -> [(run: Int64, reason: String)] {
        try read { db in
            let (conditions, arguments) = Self.conditionsWithLast(filter)
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, c.skipped FROM run r JOIN case_result c ON c.run_id = r.id
                WHERE c.name = ? AND c.skipped IS NOT NULL\(conditions) ORDER BY r.started_at, r.id
                """, arguments: StatementArguments([caseName]) + arguments)
            return rows.map { ($0["id"], $0["skipped"]) }
        }
    }
}

extension Figure {
    /// The label history prints: Mbps names its direction (`Mbps each way`, `Mbps tx`), and
    /// the sum of both directions says it is a sum (its ``label``), never plain Mbps.
    func historyLabel(eachWay: Bool = false) -> String {
        switch self {
        case .mbpsTx, .mbpsRx: return eachWay ? "Mbps each way" : label
        default: return label
        }
    }
}
