import FoundationEssentials
import GRDB
import VsockBenchReport
import VsockBenchStats
import VsockBenchSupport

/// What `history add` did with one results file.
public struct AddedRun: Sendable, Equatable {
    public var path: String
    /// The run's number in the history (the one already there, for a duplicate).
    public var run: Int64
    /// The same run (scenario, start time, driver host and pid) was already in the history.
    public var alreadyThere: Bool
    public var scenario: String
    public var cases: Int
    /// The most trials a case ran.
    public var trials: Int
    /// Each case's trials and the count asked for: an interrupted run's differ.
    public var trialCounts: TrialCounts? = nil

    /// `cliff (2 cases, 1-2 trials each (3 asked))`: what `history add` says of the run.
    public var text: String {
        let counts = trialCounts ?? TrialCounts(ran: [trials], asked: nil)
        return "\(Terminal.safe(scenario)) (\(counts.casesText(cases: cases)))"
    }
}

extension HistoryDatabase {
    /// Adds `files` in one transaction: every run with its labels, cases, figures and trials
    /// lands, or (on any failure, a crash included) none of them does. A file whose run is
    /// already in the history is skipped and said so, so a retried CI job adds nothing twice.
    public func add(_ files: [ResultsFile], labels: [HistoryLabel] = [], commit: String? = nil,
                    addedAt: String = iso8601Now()) throws(HistoryError) -> [AddedRun] {
        try write { db in
            var added: [AddedRun] = []
            for file in files {
                let d = file.document
                let trials = d.cases.map(\.trialCount).max() ?? 1
                let counts = TrialCounts(d)
                if let existing = try Int64.fetchOne(db, sql: """
                    SELECT id FROM run WHERE scenario = ? AND started_at = ? AND driver_host = ? AND driver_pid = ?
                    """, arguments: [d.scenario, d.startedAt, d.host.driver.hostname, Int64(d.host.driver.pid)]) {
                    added.append(AddedRun(path: file.path, run: existing, alreadyThere: true, scenario: d.scenario, cases: d.cases.count, trials: trials, trialCounts: counts))
                    continue
                }
                let run = try insertRun(file, commit: commit, addedAt: addedAt, db: db)
                for label in labels {
                    try db.execute(sql: "INSERT INTO run_label (run_id, key, value) VALUES (?, ?, ?)", arguments: [run, label.key, label.value])
                }
                for (position, result) in d.cases.enumerated() {
                    try insertCase(result, position: position, run: run, db: db)
                }
                added.append(AddedRun(path: file.path, run: run, alreadyThere: false, scenario: d.scenario, cases: d.cases.count, trials: trials, trialCounts: counts))
            }
            return added
        }
    }

    private func insertRun(_ file: ResultsFile, commit: String?, addedAt: String, db: Database) throws -> Int64 {
        let d = file.document
        try db.execute(sql: """
            INSERT INTO run (scenario, scenario_path, started_at, added_at, transport, target, git_commit, tool,
                             driver_host, driver_pid, driver_kernel, target_host, target_kernel, cpus, repeat_count, document)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                d.scenario, d.scenarioPath, d.startedAt, addedAt, d.transport, d.target, commit, d.host.driver.tool,
                d.host.driver.hostname, Int64(d.host.driver.pid), d.host.driverKernel, d.host.target?.hostname, d.host.targetKernel,
                d.host.cpus, d.statistics?.repeatCount ?? (d.cases.map(\.trialCount).max() ?? 1), file.json,
            ])
        return db.lastInsertedRowID
    }

    private func insertCase(_ c: CaseResult, position: Int, run: Int64, db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let config = String(decoding: try encoder.encode(CaseConfig(c.spec)), as: UTF8.self)
        try db.execute(sql: """
            INSERT INTO case_result (run_id, position, name, workload, verified, skipped, trial_count, config, open_loop_trials, kept_up_trials)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [run, position, c.name, c.workload.rawValue, c.verified, c.skipped, c.trialCount, config,
                             c.keptUpCount?.of, c.keptUpCount?.kept])
        let caseID = db.lastInsertedRowID
        let figureStatement = try db.cachedStatement(sql: "INSERT INTO case_figure (case_id, figure, value, ci_low, ci_high) VALUES (?, ?, ?, ?, ?)")
        for figure in Figure.allCases {
            let trials = c.trials.compactMap { figure.value(in: $0) }.filter(\.isFinite)
            guard let value = CaseValue.of(figure.value(in: c.figures), trials: trials, trialCount: c.trials.count, verified: c.verified), value.isFinite else { continue }
            let interval = c.ci?[figure.rawValue].flatMap { $0.count == 2 && $0.allSatisfy(\.isFinite) ? $0 : nil }
            try figureStatement.execute(arguments: [caseID, figure.rawValue, value, interval?[0], interval?[1]])
        }
        let trialStatement = try db.cachedStatement(sql: "INSERT INTO trial_figure (case_id, trial, figure, value) VALUES (?, ?, ?, ?)")
        for (index, trial) in c.trials.enumerated() {
            for figure in Figure.allCases {
                guard let value = figure.value(in: trial), value.isFinite else { continue }
                try trialStatement.execute(arguments: [caseID, index + 1, figure.rawValue, value])
            }
        }
    }
}

/// A case's value of a figure as the history keeps and reads it: with several trials, the
/// median of the trials' values, the value their interval is of (results files written
/// before this rule pooled a latency percentile over every trial's messages, a value that
/// need not lie inside the trials' [min, max]); with one trial,
/// its single sample. Read as well as stored, so a history added before keeps the same rule.
/// A case that failed keeps the value its file gives: where some of its trials passed, that
/// is the median of those alone (`CaseSummary.medianTrials`: a failed trial stopped at its
/// error), which the history cannot redo, keeping no trial's verdict.
enum CaseValue {
    static func of(_ value: Double?, trials: [Double], trialCount: Int, verified: Bool) -> Double? {
        trialCount > 1 && verified ? Descriptive.median(trials) ?? value : value
    }
}
