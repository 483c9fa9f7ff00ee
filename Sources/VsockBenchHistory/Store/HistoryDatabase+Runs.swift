import FoundationEssentials
import GRDB
import VsockBenchReport

extension HistoryDatabase {
    /// The runs that `filter` keeps, oldest first (by start time, then by number).
    public func runs(_ filter: RunFilter = RunFilter()) throws(HistoryError) -> [StoredRun] {
        try read { db in
            let (conditions, arguments) = filter.conditions()
            var sql = "SELECT r.*, \(Self.notRunColumn) FROM run r WHERE 1 = 1\(conditions) ORDER BY r.started_at DESC, r.id DESC"
            if let last = filter.last { sql += " LIMIT \(max(last, 0))" }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return try rows.reversed().map { try Self.storedRun($0, db: db) }
        }
    }

    /// The runs `list` shows: as `runs`, but a scenario asked for by name with no run here
    /// (with these labels) is `nothingMatches`, naming the scenarios there, as `trend` says it.
    /// Labels asked for that no run has are `nothingMatches` too, naming the labels there: a
    /// filter that keeps nothing is an error (exit 2), whatever it filters by; only a history
    /// with no runs at all lists none.
    public func listedRuns(_ filter: RunFilter) throws(HistoryError) -> [StoredRun] {
        let found = try runs(filter)
        if found.isEmpty, filter.scenario != nil || !filter.labels.isEmpty { throw try noRuns(filter) }
        return found
    }

    /// `no runs of scenario nosuch in h.sqlite; scenarios there: cliff`; without a scenario,
    /// `no runs with label branch=x in h.sqlite; labels there: branch=main`.
    func noRuns(_ filter: RunFilter) throws(HistoryError) -> HistoryError {
        if filter.scenario == nil, !filter.labels.isEmpty {
            let asked = filter.labels.map(\.text).joined(separator: " and ")
            let known = try labels()
            let shown = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? " and \(known.count - 20) more" : "")
            return .nothingMatches("no runs with label\(filter.labels.count == 1 ? "" : "s") \(asked) in \(path)"
                + (known.isEmpty ? "; no run there has a label" : "; labels there: \(shown)"))
        }
        let known = try scenarios(RunFilter(labels: filter.labels))
        return .nothingMatches("no runs of \(filter.text) in \(path)" + (known.isEmpty ? "" : "; scenarios there: \(known.joined(separator: ", "))"))
    }

    /// Every label of the history's runs, `KEY=VALUE`, sorted.
    func labels() throws(HistoryError) -> [String] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT DISTINCT key, value FROM run_label ORDER BY key, value").map { row -> String in
                let key: String = row["key"], value: String = row["value"]
                return HistoryLabel.text(key: key, value: value)
            }
        }
    }

    /// One run by its number, or `latest` (also `last`): the run that started last, the last
    /// one `runs()` lists (by start time, then by number), whatever order they were added in.
    public func run(_ reference: String) throws(HistoryError) -> StoredRun {
        let found = try read { db -> StoredRun? in
            let row: Row?
            if reference == "latest" || reference == "last" {
                row = try Row.fetchOne(db, sql: "SELECT r.*, \(Self.notRunColumn) FROM run r ORDER BY r.started_at DESC, r.id DESC LIMIT 1")
            } else if let id = Int64(reference.hasPrefix("#") ? String(reference.dropFirst()) : reference) {
                row = try Row.fetchOne(db, sql: "SELECT r.*, \(Self.notRunColumn) FROM run r WHERE r.id = ?", arguments: [id])
            } else {
                throw HistoryError.badOption("run \(reference): give a run number (see vsockbench history list) or 'latest'")
            }
            return try row.map { try Self.storedRun($0, db: db) }
        }
        guard let found else { throw .noSuchRun(path: path, run: reference) }
        return found
    }

    /// The results file of run `id`, as it was added.
    public func document(ofRun id: Int64) throws(HistoryError) -> String {
        let text = try read { db in try String.fetchOne(db, sql: "SELECT document FROM run WHERE id = ?", arguments: [id]) }
        guard let text else { throw .noSuchRun(path: path, run: String(id)) }
        return text
    }

    /// The results file of run `id`, once it reads as one (`RunDocumentFile.parse`, the test
    /// it passed when it was added): `show --document` printed a stored document cut to 500
    /// bytes as it was, invalid JSON with exit 0, to be used as a --baseline (review). One
    /// that no longer reads is the history's damage: `damaged`, exit 2, as the README says.
    public func readableDocument(ofRun id: Int64) throws(HistoryError) -> String {
        let text = try document(ofRun: id)
        do {
            _ = try RunDocumentFile.parse(Array(text.utf8), path: "run \(id)'s stored results file")
        } catch {
            let reason: String
            if case let .notJSON(_, why) = error { reason = "run \(id)'s stored results file is not JSON: \(why)" } else { reason = error.description }
            throw .damaged(path: path, reason: reason)
        }
        return text
    }

    /// Every case of run `id` with its figures (and intervals) and its trials' figures.
    public func cases(ofRun id: Int64) throws(HistoryError) -> [StoredCase] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.*, \(try Self.openLoopColumns(db)), \(Self.unverifiedCaseColumn)
                FROM case_result c JOIN run r ON r.id = c.run_id WHERE c.run_id = ? ORDER BY c.position
                """, arguments: [id])
            return try rows.map { row in
                let caseID: Int64 = row["id"]
                var stored = StoredCase(name: row["name"], workload: row["workload"], verified: row["verified"], skipped: row["skipped"],
                                        trials: row["trial_count"], figures: [:], intervals: [:], trialFigures: [])
                stored.keptUp = Self.keptUpCount(row)
                stored.cutShort = Self.cutShort(storedCase: row["unverified_case"])
                for f in try Row.fetchAll(db, sql: "SELECT figure, value, ci_low, ci_high FROM case_figure WHERE case_id = ?", arguments: [caseID]) {
                    let key: String = f["figure"]
                    stored.figures[key] = f["value"]
                    if let low: Double = f["ci_low"], let high: Double = f["ci_high"] { stored.intervals[key] = [low, high] }
                }
                stored.trialFigures = Array(repeating: [:], count: stored.trials)
                for t in try Row.fetchAll(db, sql: "SELECT trial, figure, value FROM trial_figure WHERE case_id = ? ORDER BY trial", arguments: [caseID]) {
                    let index: Int = t["trial"]
                    if index >= 1, index <= stored.trialFigures.count { stored.trialFigures[index - 1][t["figure"]] = t["value"] }
                }
                for key in stored.figures.keys {
                    stored.figures[key] = CaseValue.of(stored.figures[key], trials: stored.trialFigures.compactMap { $0[key] }, trialCount: stored.trials, verified: stored.verified)
                }
                return stored
            }
        }
    }

    /// The open-loop columns of `case_result c` in `run r`: its own (schema v3); in an older
    /// history a read command opens without migrating, taken from the stored document (the
    /// judged trials' reports; NULL for a document SQLite cannot parse).
    static func openLoopColumns(_ db: Database) throws -> String {
        if try db.columns(in: "case_result").contains(where: { $0.name == "open_loop_trials" }) {
            return "c.open_loop_trials AS open_loop_trials, c.kept_up_trials AS kept_up_trials"
        }
        // As migration v3 takes them (``HistorySchema/version3``): the judged trials' reports,
        // or where no trial has one, the case's own when it judged.
        let document = "CASE WHEN json_valid(r.document) THEN r.document ELSE '{}' END"
        let path = "'$.cases[' || c.position || ']'"
        let trials = "json_each(\(document), \(path) || '.trials') t"
        let judged = "json_extract(t.value, '$.verified') = 1 AND json_extract(t.value, '$.messages') > 0"
        let reports = "(SELECT count(*) FROM \(trials) WHERE json_type(t.value, '$.open_loop') = 'object')"
        let own = "json_extract(\(document), \(path) || '.open_loop.kept_up')"
        let ownJudged = "(json_extract(\(document), \(path) || '.verified') = 1 AND json_extract(\(document), \(path) || '.messages') > 0)"
        return """
            CASE WHEN \(reports) > 0 THEN (SELECT count(*) FROM \(trials) WHERE json_type(t.value, '$.open_loop') = 'object' AND \(judged))
                 WHEN \(own) IS NOT NULL AND \(ownJudged) THEN 1 END AS open_loop_trials,
            CASE WHEN \(reports) > 0 THEN (SELECT count(*) FROM \(trials) WHERE json_extract(t.value, '$.open_loop.kept_up') = 1 AND \(judged))
                 WHEN \(own) IS NOT NULL AND \(ownJudged) THEN \(own) = 1 END AS kept_up_trials
            """
    }

    /// How many of a case's judged trials kept up its open-loop rate (schema v3); nil for a
    /// closed-loop case, or one none of whose trials was judged.
    static func keptUpCount(_ row: Row) -> KeptUpCount? {
        guard let trials: Int = row["open_loop_trials"], trials > 0 else { return nil }
        return KeptUpCount(kept: row["kept_up_trials"] ?? 0, of: trials)
    }

    static func storedRun(_ row: Row, db: Database) throws -> StoredRun {
        let id: Int64 = row["id"]
        var labels: [String: String] = [:]
        for label in try Row.fetchAll(db, sql: "SELECT key, value FROM run_label WHERE run_id = ?", arguments: [id]) {
            labels[label["key"]] = label["value"]
        }
        // A case neither verified nor skipped comes with its stored object, so that one cut
        // short by an interrupt is told from one that failed (`case_result` keeps no such flag).
        let cases = try Row.fetchAll(db, sql: """
            SELECT c.name, c.verified, c.skipped, c.trial_count, \(Self.unverifiedCaseColumn)
            FROM case_result c JOIN run r ON r.id = c.run_id WHERE c.run_id = ? ORDER BY c.position
            """, arguments: [id])
        let unverified = cases.filter { !($0["verified"] as Bool) && ($0["skipped"] as String?) == nil }
        let verified = unverified.isEmpty
        var run = StoredRun(
            id: id, scenario: row["scenario"], scenarioPath: row["scenario_path"], startedAt: row["started_at"], addedAt: row["added_at"],
            transport: row["transport"], target: row["target"], gitCommit: row["git_commit"], tool: row["tool"], driverHost: row["driver_host"],
            driverKernel: row["driver_kernel"], targetHost: row["target_host"], targetKernel: row["target_kernel"], cpus: row["cpus"],
            repeatCount: row["repeat_count"], labels: labels, cases: cases.map { $0["name"] }, verified: verified)
        run.caseTrials = cases.map { $0["trial_count"] }
        run.caseSkipped = cases.map { ($0["skipped"] as String?) != nil }
        // By the run's own rule; a case its document cannot give (unparsable, an older shape)
        // counts as failed, as it did before.
        run.unverifiedOnlyCutShort = unverified.allSatisfy { Self.cutShort(storedCase: $0["unverified_case"]) }
        run.notRun = Self.notRun(row["not_run"])
        return run
    }

    /// `not_run` of `run r`: the stored document's `not_run` array (the scenario's cases an
    /// interrupt came before), as JSON text; NULL where the document has none (older files)
    /// or does not parse. `case_result` keeps no such row: these cases never ran.
    static let notRunColumn = """
        CASE WHEN json_valid(r.document) AND json_type(r.document, '$.not_run') = 'array'
             THEN json_extract(r.document, '$.not_run') END AS not_run
        """

    /// The case names of a `not_run` column; none where it is NULL or not an array of strings.
    static func notRun(_ json: String?) -> [String] {
        guard let json else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    /// `unverified_case` of `case_result c` in `run r`: a case neither verified nor skipped,
    /// its object in the stored document (for `cutShort(storedCase:)`); NULL otherwise.
    static let unverifiedCaseColumn = """
        CASE WHEN c.verified = 0 AND c.skipped IS NULL AND json_valid(r.document)
             THEN json_extract(r.document, '$.cases[' || c.position || ']') END AS unverified_case
        """

    /// Whether a stored case (its object in the run's document) was cut short by an interrupt
    /// and nothing else, by the run's own rule (`CaseResult.cutShort`); false where the object
    /// is missing or of a shape this version cannot read (it then counts as failed).
    static func cutShort(storedCase json: String?) -> Bool {
        guard let json else { return false }
        return (try? JSONDecoder().decode(CaseResult.self, from: Data(json.utf8)))?.cutShort ?? false
    }
}

/// A case of a stored run: its figures by key (`msgs_per_s`, `latency_us.p99`), their
/// intervals where the run gave them, and each trial's figures.
public struct StoredCase: Sendable, Equatable, Encodable {
    public var name: String
    public var workload: String
    public var verified: Bool
    public var skipped: String?
    public var trials: Int
    public var figures: [String: Double]
    public var intervals: [String: [Double]]
    public var trialFigures: [[String: Double]]
    /// An open-loop case: how many of its trials kept up their rate (`kept_up`: all of them;
    /// `kept_up_trials`); nil for a closed-loop case. One that fell behind has latency
    /// figures that understate the wait.
    public var keptUp: KeptUpCount? = nil
    /// Not verified only because an interrupt cut it short (`CaseResult.cutShort`): `history
    /// show` says "cut short", as `run` does, not NO (lost or corrupted messages). Not in the
    /// JSON: `verified` keeps its meaning there.
    public var cutShort = false

    enum CodingKeys: String, CodingKey {
        case name, workload, verified, skipped, trials, figures, intervals = "ci", trialFigures = "trial_figures"
        case keptUp = "kept_up", keptUpTrials = "kept_up_trials"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encode(verified, forKey: .verified)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(trials, forKey: .trials)
        try c.encode(figures, forKey: .figures)
        try c.encode(intervals, forKey: .intervals)
        try c.encode(trialFigures, forKey: .trialFigures)
        try c.encode(keptUp?.all, forKey: .keptUp)
        try c.encode(keptUp?.kept, forKey: .keptUpTrials)
    }
}
