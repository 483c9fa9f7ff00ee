import Foundation
import GRDB
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport

@Suite("History schema: migrations from nothing and from version 1, a newer schema refused, other files refused")
struct MigrationTests {
    static func tables(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { (db: Database) throws in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
    }

    static func userVersion(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? -1 }
    }

    @Test func anEmptyFileBecomesTheCurrentSchemaInRollbackJournalMode() throws {
        let path = try HistoryFixtures.databasePath()
        _ = try HistoryDatabase.open(path: path, creating: true)
        #expect(try Self.tables(path) == ["case_figure", "case_result", "grdb_migrations", "run", "run_label", "trial_figure"])
        #expect(try Self.userVersion(path) == HistoryDatabase.schemaVersion)
        #expect(HistoryDatabase.schemaVersion == 3)
        try DatabaseQueue(path: path).read { (db: Database) throws in
            #expect(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier") == HistorySchema.migrations)
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "delete")
            #expect(try Bool.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'run_identity'") == true)
        }
    }

    @Test func aReadCommandDoesNotCreateAHistory() throws {
        let path = try HistoryFixtures.databasePath()
        #expect(throws: HistoryError.noHistory(path: path)) { try HistoryDatabase.open(path: path, creating: false) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A read command on an empty file (what `touch` or a failed copy leaves) says there is
    /// no history and leaves the file empty, rather than writing a schema into it.
    @Test func aReadCommandOnAnEmptyFileWritesNothing() throws {
        let path = try HistoryFixtures.databasePath()
        try #require(FileManager.default.createFile(atPath: path, contents: Data()), "could not create the empty file")
        #expect(throws: HistoryError.noHistory(path: path)) { try HistoryDatabase.open(path: path, creating: false) }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
        #expect(HistoryError.noHistory(path: path).isBadInput)
    }

    /// The advice names the option that gave the file: check's is --history, and check has no
    /// --db (review: it sent the user to one).
    @Test func theAdviceNamesTheCommandsOwnOption() {
        let missing = HistoryError.noHistory(path: "h.sqlite"), other = HistoryError.notAHistory(path: "h.sqlite", reason: "not SQLite")
        #expect(missing.description.hasSuffix("or name it with --db or VSOCKBENCH_HISTORY"), "\(missing)")
        for error in [missing, other] {
            let text = error.described(databaseFlag: "--history")
            #expect(!text.contains("--db ") && !text.contains("with --db") && text.contains("give --history the file `vsockbench history add` wrote"), "\(text)")
        }
    }

    /// A read command opens the history read-only: a version 1 history is read as it is (its
    /// runs listed and shown) and left at version 1, its file byte for byte the same.
    @Test func aReadCommandReadsAnOlderHistoryWithoutMigratingIt() throws {
        let path = try HistoryFixtures.databasePath()
        try Self.writeVersion1(path, [(HistoryFixtures.run(0, rate: 20000, pid: 501), "first")])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let history = try HistoryDatabase.open(path: path, creating: false)
        #expect(try history.runs().map(\.id) == [1])
        #expect(try history.cases(ofRun: 1).map(\.name) == ["bulk", "chatty-8k"])
        _ = try TrendReport.build(history, scenario: "cliff")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try Self.userVersion(path) == 1)
    }

    /// A version 1 history written by hand (as the first release left it: no driver pid, a run
    /// added twice), opened by the current code: the data survives, the pid is filled in from
    /// each stored results file, the duplicate is merged with all its rows, and adding the
    /// same file again is now a no-op.
    @Test func aVersion1HistoryIsMigratedAndItsDataSurvives() throws {
        let path = try HistoryFixtures.databasePath()
        let first = HistoryFixtures.run(0, rate: 20000, pid: 501)
        let second = HistoryFixtures.run(1, rate: 21000, pid: 502)
        try Self.writeVersion1(path, [(first, "first"), (second, "second"), (first, "duplicate")])

        let history = try HistoryDatabase.open(path: path, creating: true)
        #expect(try Self.userVersion(path) == 3)
        let runs = try history.runs()
        #expect(runs.map(\.id) == [1, 2], "the duplicate (run 3) is merged into run 1")
        #expect(runs.map { $0.labels["which"] } == ["first", "second"])
        #expect(runs.map(\.gitCommit) == [HistoryFixtures.commit(0), HistoryFixtures.commit(1)])
        let chatty = try #require(try history.cases(ofRun: 2).first { $0.name == "chatty-8k" })
        #expect(chatty.figures["msgs_per_s"] == 21000)
        #expect(chatty.intervals["msgs_per_s"] == [20790, 21210])
        #expect(chatty.trialFigures.map { $0["msgs_per_s"] } == [20790, 21000, 21210])
        try DatabaseQueue(path: path).read { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT driver_pid FROM run ORDER BY id") == [501, 502])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM case_result WHERE run_id NOT IN (SELECT id FROM run)") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM case_figure WHERE case_id NOT IN (SELECT id FROM case_result)") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM trial_figure WHERE case_id NOT IN (SELECT id FROM case_result)") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM run_label WHERE run_id NOT IN (SELECT id FROM run)") == 0)
        }
        let again = try history.add([ResultsFile(document: second)])
        #expect(again.first?.alreadyThere == true && again.first?.run == 2)
        // The migrated runs read back as results documents (what check --history uses).
        let window = try HistoryWindow.select(in: history, like: [HistoryFixtures.run(5, rate: 20000)], size: 10)
        #expect(window.documents == [first, second])
    }

    @Test func aNewerSchemaIsRefusedAndLeftUntouched() throws {
        let path = try HistoryFixtures.databasePath()
        let history = try HistoryDatabase.open(path: path, creating: true)
        _ = try history.add([ResultsFile(document: HistoryFixtures.run(0, rate: 1))])
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v4-something-new')")
            try db.execute(sql: "CREATE TABLE something_new (x)")
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        let before = try Self.tables(path)
        #expect(throws: HistoryError.newerSchema(path: path, found: 4, known: 3, unknownMigrations: ["v4-something-new"])) {
            try HistoryDatabase.open(path: path, creating: true)
        }
        #expect(try Self.tables(path) == before)
        #expect(try Self.userVersion(path) == 4)
        let text = HistoryError.newerSchema(path: path, found: 4, known: 3, unknownMigrations: ["v4-something-new"]).description
        #expect(text.contains("has history schema version 4 and migrations this vsockbench does not know (v4-something-new)") && text.contains("versions up to 3"), "\(text)")
        // A newer version number alone is enough.
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-something-new'")
            try db.execute(sql: "PRAGMA user_version = 7")
        }
        #expect(throws: HistoryError.self) { try HistoryDatabase.open(path: path, creating: false) }
        // A migration this binary does not know under a version it does: the file's own
        // version, and the migration named (it said "version 3" of a file saying 2: review).
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "PRAGMA user_version = 3")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v2b-branch')")
        }
        let error = try #require(thrownHistoryError { () throws(HistoryError) in _ = try HistoryDatabase.open(path: path, creating: false) })
        #expect(error == .newerSchema(path: path, found: 3, known: 3, unknownMigrations: ["v2b-branch"]))
        #expect(error.description.hasPrefix("\(path) has migrations this vsockbench does not know (v2b-branch); this vsockbench knows versions up to 3"), "\(error)")
    }

    /// Version 3 takes an open-loop case's kept-up trials from each stored document once
    /// (judged trials only: a failed trial's report is no judgement), and a read command on
    /// an older history takes them from the documents as it reads, the file left as it was.
    @Test func aVersion1HistoryGetsItsOpenLoopTrialsFromItsDocuments() throws {
        func openLoop(_ kept: Bool) -> OpenLoopReport {
            OpenLoopReport(askedPerSecond: 2000, arrivals: .constant, sentPerSecond: 2000, achievedPerSecond: 2000, measuredSends: 2000, lateSends: 0,
                           lateThresholdMicros: 1000, maxSendDelayMicros: 10, inFlightMax: 1, inFlightCap: 1024, keptUp: kept, verdict: "v")
        }
        var document = HistoryFixtures.run(0, rate: 2000, pid: 501)
        // Trials: kept up, fell behind, and a failed one whose report judged nothing.
        for (t, kept) in [true, false, false].enumerated() { document.cases[1].trials[t].openLoop = openLoop(kept) }
        document.cases[1].trials[2].verified = false
        document.cases[1].figures.openLoop = openLoop(false)
        // A document whose trials have no report: the case's own, judged (it fell behind).
        var own = HistoryFixtures.run(2, rate: 2000, pid: 503)
        own.cases[1].figures.openLoop = openLoop(false)
        let path = try HistoryFixtures.databasePath()
        try Self.writeVersion1(path, [(document, "first"), (own, "own")])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let reading = try HistoryDatabase.open(path: path, creating: false)
        #expect(try reading.cases(ofRun: 1).map(\.keptUp) == [nil, KeptUpCount(kept: 1, of: 2)])
        #expect(try reading.cases(ofRun: 2).map(\.keptUp) == [nil, KeptUpCount(kept: 0, of: 1)])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let migrated = try HistoryDatabase.open(path: path, creating: true)
        #expect(try Self.userVersion(path) == 3)
        #expect(try migrated.cases(ofRun: 1).map(\.keptUp) == [nil, KeptUpCount(kept: 1, of: 2)])
        #expect(try migrated.cases(ofRun: 2).map(\.keptUp) == [nil, KeptUpCount(kept: 0, of: 1)])
        #expect(own.cases[1].keptUpCount == KeptUpCount(kept: 0, of: 1), "the rule in Swift is the migration's")
        try DatabaseQueue(path: path).read { (db: Database) throws in
            #expect(try Int.fetchAll(db, sql: "SELECT kept_up_trials FROM case_result WHERE open_loop_trials IS NOT NULL ORDER BY id") == [1, 0])
        }
        // Added now, the same from the case itself.
        var later = HistoryFixtures.run(1, rate: 2000, pid: 502)
        for (t, kept) in [true, false, false].enumerated() { later.cases[1].trials[t].openLoop = openLoop(kept) }
        later.cases[1].trials[2].verified = false
        _ = try migrated.add([ResultsFile(document: later)])
        #expect(try migrated.cases(ofRun: 3).map(\.keptUp) == [nil, KeptUpCount(kept: 1, of: 2)])
    }

    @Test func otherFilesAreRefusedUntouched() throws {
        let notSQLite = try HistoryFixtures.databasePath()
        try Data(HistoryFixtures.run(0, rate: 1).encoded()).write(to: URL(fileURLWithPath: notSQLite))
        let error = try #require(thrownHistoryError { () throws(HistoryError) in _ = try HistoryDatabase.open(path: notSQLite, creating: true) })
        guard case .notAHistory = error else { throw error }
        #expect(error.isBadInput)
        let other = try HistoryFixtures.databasePath()
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE accounts (id INTEGER)") }
        let refused = try #require(thrownHistoryError { () throws(HistoryError) in _ = try HistoryDatabase.open(path: other, creating: true) })
        guard case let .notAHistory(_, reason) = refused else { throw refused }
        #expect(reason.contains("accounts"))
        #expect(try Self.tables(other) == ["accounts"])
    }

    /// Version 1 as it shipped, written out by hand (not taken from the code under test).
    static let version1 = """
        CREATE TABLE run (id INTEGER PRIMARY KEY AUTOINCREMENT, scenario TEXT NOT NULL, scenario_path TEXT NOT NULL,
            started_at TEXT NOT NULL, added_at TEXT NOT NULL, transport TEXT NOT NULL, target TEXT NOT NULL, git_commit TEXT,
            tool TEXT NOT NULL, driver_host TEXT NOT NULL, driver_kernel TEXT NOT NULL, target_host TEXT, target_kernel TEXT,
            cpus INTEGER NOT NULL, repeat_count INTEGER NOT NULL, document TEXT NOT NULL);
        CREATE INDEX run_by_scenario ON run(scenario, started_at);
        CREATE TABLE run_label (run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, key TEXT NOT NULL,
            value TEXT NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
        CREATE INDEX run_label_by_key ON run_label(key, value);
        CREATE TABLE case_result (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
            position INTEGER NOT NULL, name TEXT NOT NULL, workload TEXT NOT NULL, verified INTEGER NOT NULL, skipped TEXT,
            trial_count INTEGER NOT NULL, config TEXT NOT NULL, UNIQUE (run_id, name));
        CREATE INDEX case_result_by_name ON case_result(name);
        CREATE TABLE case_figure (case_id INTEGER NOT NULL REFERENCES case_result(id) ON DELETE CASCADE, figure TEXT NOT NULL,
            value REAL NOT NULL, ci_low REAL, ci_high REAL, PRIMARY KEY (case_id, figure)) WITHOUT ROWID;
        CREATE TABLE trial_figure (case_id INTEGER NOT NULL REFERENCES case_result(id) ON DELETE CASCADE, trial INTEGER NOT NULL,
            figure TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (case_id, trial, figure)) WITHOUT ROWID;
        """

    /// A run as version 1 stored it (rows written here with SQL, not by the code under test).
    /// A version 1 history at `path` as the first release left it, holding `runs` (each with its label).
    static func writeVersion1(_ path: String, _ runs: [(RunDocument, String)]) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: Self.version1)
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1-runs-cases-figures-trials')")
            try db.execute(sql: "PRAGMA user_version = 1")
            for (document, label) in runs {
                try Self.insertVersion1(document, label: label, db: db)
            }
        }
        try queue.close()
    }

    static func insertVersion1(_ d: RunDocument, label: String, db: Database) throws {
        let index = d.cases.first { $0.name == "chatty-8k" }.map { Int(($0.msgsPerSecond - 20000) / 1000) } ?? 0
        try db.execute(sql: """
            INSERT INTO run (scenario, scenario_path, started_at, added_at, transport, target, git_commit, tool, driver_host,
                             driver_kernel, target_host, target_kernel, cpus, repeat_count, document)
            VALUES (?, ?, ?, '2026-02-01T00:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, ?, 3, ?)
            """, arguments: [d.scenario, d.scenarioPath, d.startedAt, d.transport, d.target, HistoryFixtures.commit(index), d.host.driver.tool,
                             d.host.driver.hostname, d.host.driverKernel, d.host.target?.hostname, d.host.targetKernel, d.host.cpus,
                             String(decoding: d.encoded(), as: UTF8.self)])
        let run = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO run_label VALUES (?, 'which', ?)", arguments: [run, label])
        for (position, c) in d.cases.enumerated() {
            try db.execute(sql: "INSERT INTO case_result (run_id, position, name, workload, verified, skipped, trial_count, config) VALUES (?, ?, ?, ?, 1, NULL, ?, '{}')",
                           arguments: [run, position, c.name, c.workload.rawValue, c.trialCount])
            let caseID = db.lastInsertedRowID
            for figure in Figure.allCases {
                guard let value = figure.value(in: c.figures) else { continue }
                let ci = c.ci?[figure.rawValue]
                try db.execute(sql: "INSERT INTO case_figure VALUES (?, ?, ?, ?, ?)", arguments: [caseID, figure.rawValue, value, ci?[0], ci?[1]])
                for (t, trial) in c.trials.enumerated() {
                    if let v = figure.value(in: trial) { try db.execute(sql: "INSERT INTO trial_figure VALUES (?, ?, ?, ?)", arguments: [caseID, t + 1, figure.rawValue, v]) }
                }
            }
        }
    }
}
