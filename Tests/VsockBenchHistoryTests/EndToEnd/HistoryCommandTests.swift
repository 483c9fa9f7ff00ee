import Foundation
import GRDB
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport

/// The built `vsockbench history ...` and `check --history` as a user runs them.
@Suite("vsockbench history, end to end")
struct HistoryCommandTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `vsockbench`, built next to this test bundle (the test target depends on it).
    static var tool: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("vsockbench").path
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func start(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: HistoryLocation.environmentVariable)
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func finish(_ started: (Process, Pipe, Pipe)) -> Output {
        let (process, out, err) = started
        let stderrData = Locked(Data())
        let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderrData.get(), as: UTF8.self))
    }

    static func run(_ arguments: [String], in directory: String = repositoryRoot, environment: [String: String] = [:]) throws -> Output {
        finish(try start(arguments, in: directory, environment: environment))
    }

    /// 14 nightly results files: chatty-8k about 20000 msgs/s for 7 runs, then 25% lower.
    static func resultsFiles(in directory: String) throws -> [String] {
        let rates = HistoryFixtures.rates(count: 14, level: 20000, noise: 0.02, stepAt: 8, stepFactor: 0.75, seed: 5)
        return try rates.enumerated().map { index, rate in
            try HistoryFixtures.write(HistoryFixtures.run(index, rate: rate), name: "r\(index + 1).json", in: directory)
        }
    }

    /// `history show latest` and `history list --last 1` name the same run when the files
    /// were added out of start order: the run that started last, not the one added last.
    @Test func showLatestAndListLastOneAgreeWhateverTheAddOrder() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let files = try (0..<3).map { try HistoryFixtures.write(HistoryFixtures.run($0, rate: 20000), name: "c\($0 + 1).json", in: directory) }
        let add = try Self.run(["history", "add", files[1], files[2], files[0], "--db", db])
        #expect(add.status == 0, "\(add.stderr)")
        let list = try Self.run(["history", "list", "--db", db, "--last", "1", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let runs = try #require(listed["runs"] as? [[String: Any]])
        #expect(runs.map { $0["run"] as? Int } == [2])
        let show = try Self.run(["history", "show", "latest", "--db", db, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
        let run = try #require(shown["run"] as? [String: Any])
        #expect(run["run"] as? Int == 2 && run["started_at"] as? String == HistoryFixtures.startedAt(2), "\(show.stdout)")
    }

    /// A file with an interrupted trial (nothing measured, not verified) is stored, with a
    /// warning that names it (it went in without a word); a whole file adds with none.
    @Test func addingAFileWithFailedTrialsWarns() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        var document = HistoryFixtures.run(0, rate: 20000)
        let chatty = try #require(document.cases.firstIndex { $0.name == "chatty-8k" })
        document.cases[chatty].trials[2].messages = 0
        document.cases[chatty].trials[2].verified = false
        let cut = try HistoryFixtures.write(document, name: "cut.json", in: directory)
        let whole = try HistoryFixtures.write(HistoryFixtures.run(1, rate: 20000), name: "whole.json", in: directory)
        let add = try Self.run(["history", "add", cut, whole, "--db", db])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stderr.contains("warning: \(cut): 1 of 6 trials failed, were interrupted or were not verified (chatty-8k): stored as they are"), "\(add.stderr)")
        #expect(!add.stderr.contains(whole), "\(add.stderr)")
    }

    /// A case skipped by design (a stream against `--target null`) got four stories: add
    /// warned its trial "failed ... list marks the run with !", list showed no `!`, trend said
    /// "not verified", show printed msgs/s 0.000 beside `skipped` (review). It is neither failed
    /// nor unverified anywhere: no warning, no `!`, no point in trend (a note says where it was
    /// skipped and why), and `-` in show for the figures it never measured.
    @Test func aSkippedCaseIsNeitherFailedNorUnverifiedInAnyCommand() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        var skipped = HistoryFixtures.run(1, rate: 20000)
        let reason = "stream cases need a target that moves payload; --target null does not"
        skipped.cases[0] = CaseSummary.notRun(skipped.cases[0].spec, transport: "unix", errors: [], skipped: reason)
        let files = try [HistoryFixtures.run(0, rate: 20000), skipped, HistoryFixtures.run(2, rate: 20000)].enumerated().map {
            try HistoryFixtures.write($1, name: "s\($0 + 1).json", in: directory)
        }
        let add = try Self.run(["history", "add"] + files + ["--db", db])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(!add.stderr.contains("warning"), "\(add.stderr)")
        let list = try Self.run(["history", "list", "--db", db])
        #expect(!list.stdout.contains("!"), "\(list.stdout)")
        let show = try Self.run(["history", "show", "2", "--db", db])
        #expect(show.status == 0, "\(show.stderr)")
        let row = try #require(show.stdout.split(separator: "\n").first { $0.hasPrefix("bulk ") }).split(separator: " ")
        #expect(row.prefix(4) == ["bulk", "stream", "1", "skipped"] && row.dropFirst(4).allSatisfy { $0 == "-" }, "\(show.stdout)")
        #expect(show.stdout.contains("bulk: skipped: \(reason)"), "\(show.stdout)")
        let trend = try Self.run(["history", "trend", "cliff", "--case", "bulk", "--db", db])
        #expect(trend.status == 0, "\(trend.stderr)")
        #expect(!trend.stdout.contains("not verified"), "\(trend.stdout)")
        #expect(trend.stdout.contains("note: bulk: skipped in run 2 (\(reason)): not measured, so not in its series"), "\(trend.stdout)")
        let json = try Self.run(["history", "trend", "cliff", "--case", "bulk", "--db", db, "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let points = try #require((report["series"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])
        #expect(points.map { $0["run"] as? Int } == [1, 3] && points.allSatisfy { $0["verified"] as? Bool == true })
    }

    /// `list --last 2` is the last 2 runs of all; `trend --last 2` without a scenario the last 2
    /// of each scenario, yet both helps said "Only the N runs that started last" (review). The
    /// per-scenario count is kept (each scenario over as many runs), and trend's and changes'
    /// helps say it.
    @Test func lastIsPerScenarioInTrendAndItsHelpSaysSo() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let files = try (0..<6).map { i in
            try HistoryFixtures.write(HistoryFixtures.run(i, rate: 20000, scenario: i % 2 == 0 ? "cliff" : "other"), name: "l\(i).json", in: directory)
        }
        #expect(try Self.run(["history", "add"] + files + ["--db", db]).status == 0)
        let list = try Self.run(["history", "list", "--last", "2", "--db", db, "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect((listed["runs"] as? [[String: Any]])?.map { $0["run"] as? Int } == [5, 6])
        let trend = try Self.run(["history", "trend", "--last", "2", "--db", db, "--json"])
        let set = try #require(try JSONSerialization.jsonObject(with: Data(trend.stdout.utf8)) as? [String: Any])
        let scenarios = try #require(set["scenarios"] as? [[String: Any]])
        let runs = scenarios.map { (($0["series"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])?.map { $0["run"] as? Int } }
        #expect(runs == [[3, 5], [4, 6]], "\(runs)")
        for command in ["trend", "changes"] {
            let help = try Self.run(["history", command, "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(help.contains("--last <n> Only the last N runs of each scenario"), "\(command): \(help)")
        }
        let listHelp = try Self.run(["history", "list", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(listHelp.contains("--last <n> Only the N runs that started last") && !listHelp.contains("each scenario"), "\(listHelp)")
    }

    /// Re-adding a run with another --label keeps the run's own labels, and the last line says
    /// the label went on no run (it read "skipped", then "branch=other" as if applied: review).
    @Test func labelsOfARunAlreadyThereAreSaidToGoOnNoRun() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let first = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "first.json", in: directory)
        let second = try HistoryFixtures.write(HistoryFixtures.run(1, rate: 20000), name: "second.json", in: directory)
        let commit = String(repeating: "a", count: 40)
        #expect(try Self.run(["history", "add", first, "--db", db, "--label", "branch=main", "--commit", commit]).status == 0)
        let again = try Self.run(["history", "add", first, "--db", db, "--label", "branch=other", "--commit", commit])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("skipped"), "\(again.stdout)")
        #expect(again.stdout.contains("history \(db): nothing added; commit aaaaaaaaaaaa, branch=other went on no run"), "\(again.stdout)")
        let mixed = try Self.run(["history", "add", first, second, "--db", db, "--label", "branch=other", "--commit", commit])
        #expect(mixed.stdout.contains("history \(db): commit aaaaaaaaaaaa, branch=other on the 1 run added, not on the 1 already there"), "\(mixed.stdout)")
    }

    /// A history with no runs has no change in it: `changes` says so and exits 0, as its help
    /// promises ("no runs of any scenario", exit 2: review); a label no run has is still exit 2.
    @Test func changesOnAHistoryWithNoRunsSaysSoAndExits0() throws {
        let db = try HistoryFixtures.databasePath()
        _ = try HistoryDatabase.open(path: db, creating: true)
        let changes = try Self.run(["history", "changes", "--db", db])
        #expect(changes.status == 0, "\(changes.stderr)")
        #expect(changes.stdout.contains("note: the history \(db) has no runs yet: nothing was searched"), "\(changes.stdout)")
        #expect(changes.stdout.contains("0 changes in 0 series searched"), "\(changes.stdout)")
        #expect(try Self.run(["history", "changes", "--db", db, "--label", "a=b"]).status == 2)
    }

    /// A reader leaves no file beside the history: in WAL mode (the first releases) it made
    /// `-shm` and `-wal`, its own, which the owner's next `add` could not write (review).
    @Test func aReaderLeavesNoFileBesideTheHistory() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: directory)
        #expect(try Self.run(["history", "add", file, "--db", db]).status == 0)
        for command in [["list"], ["show", "latest"], ["trend", "cliff"], ["changes"]] {
            let output = try Self.run(["history"] + command + ["--db", db])
            #expect(output.status == 0, "\(command): \(output.stderr)")
        }
        let reader = try HistoryDatabase.open(path: db, creating: false)
        #expect(try reader.runs().count == 1)
        let beside = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("history.sqlite") }
        #expect(beside == ["history.sqlite"], "\(beside)")
    }

    /// What an add killed in the middle of its transaction leaves: the history with some of the
    /// transaction's pages written and a hot `-journal` holding the originals. Made by copying
    /// both files while a transaction that spilled its cache is open (nobody holds the copy's
    /// lock, as nobody holds a killed writer's).
    static func historyLeftByAKilledAdd(runs: Int) throws -> String {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        for index in 0..<runs {
            let file = try HistoryFixtures.write(HistoryFixtures.run(index, rate: 20000 + Double(index)), name: "r\(index).json", in: directory)
            #expect(try Self.run(["history", "add", file, "--db", db]).status == 0)
        }
        let copy = directory + "/killed"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: db)
        try queue.inTransaction(.immediate) { database in
            try database.execute(sql: "PRAGMA cache_size = 10")
            try database.execute(sql: "CREATE TABLE spill(x BLOB)")
            for _ in 0..<2000 { try database.execute(sql: "INSERT INTO spill VALUES (randomblob(1000))") }
            #expect(FileManager.default.fileExists(atPath: db + "-journal"), "the transaction wrote no journal")
            try FileManager.default.copyItem(atPath: db, toPath: copy + "/history.sqlite")
            try FileManager.default.copyItem(atPath: db + "-journal", toPath: copy + "/history.sqlite-journal")
            return .rollback
        }
        try queue.close()
        return copy + "/history.sqlite"
    }

    /// A killed add left a hot journal: read-only commands failed with "attempt to write a
    /// readonly database" until the next add (review). A reader who may write rolls it back.
    @Test func aHistoryAKilledAddLeftIsReadAfterItsRollBack() throws {
        let db = try Self.historyLeftByAKilledAdd(runs: 3)
        let list = try Self.run(["history", "list", "--db", db])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.components(separatedBy: "\n").filter { $0.contains("cliff") }.count == 3, "\(list.stdout)")
        #expect(!FileManager.default.fileExists(atPath: db + "-journal"), "the hot journal is still there")
        #expect(try Self.run(["history", "trend", "cliff", "--db", db]).status == 0)
    }

    /// One who may not write it is told what happened and who can repair it.
    @Test(.enabled(if: geteuid() == 0, "needs root, to read as uid 65534"))
    func aReaderWhoCannotRollBackAKilledAddIsToldWhy() throws {
        let db = try Self.historyLeftByAKilledAdd(runs: 2)
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        chmod(directory, 0o755)
        chmod(URL(fileURLWithPath: directory).deletingLastPathComponent().path, 0o755)
        guard let output = try Self.runAsNobody(["history", "list", "--db", db]) else { return }
        #expect(output.status == 2, "\(output.stdout)\n\(output.stderr)")
        #expect(output.stderr.contains("an add was cut short (killed) and left \(db)-journal"), "\(output.stderr)")
        #expect(FileManager.default.fileExists(atPath: db + "-journal"))
        // One who may write the history and its directory but not the journal (another's): the
        // same explanation, not SQLite's bare "unable to open database file" (review).
        chmod(directory, 0o777)
        chmod(db, 0o666)
        chmod(db + "-journal", 0o644)
        guard let notTheJournal = try Self.runAsNobody(["history", "list", "--db", db]) else { return }
        #expect(notTheJournal.status == 2, "\(notTheJournal.stdout)\n\(notTheJournal.stderr)")
        #expect(notTheJournal.stderr.contains("an add was cut short (killed) and left \(db)-journal"), "\(notTheJournal.stderr)")
    }

    /// Runs `arguments` as uid 65534 (setpriv); nil when this is not root or setpriv is missing.
    static func runAsNobody(_ arguments: [String]) throws -> Output? {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return nil }
        chmod(HistoryFixtures.scratchRoot, 0o755)  // mkdtemp's 0700: the other user must reach the files
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Self.tool] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return Self.finish((process, out, err))
    }

    /// A user who may read the history but not write its directory reads it, whether it is in
    /// rollback-journal mode or still in WAL mode with no `-shm` (it read "attempt to write a
    /// readonly database", exit 2: review). Needs another uid: skipped unless root.
    @Test(.enabled(if: geteuid() == 0, "needs root, to read as uid 65534"))
    func aHistoryInADirectoryTheReaderCannotWriteIsRead() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: directory)
        #expect(try Self.run(["history", "add", file, "--db", db]).status == 0)
        let legacy = directory + "/legacy.sqlite"
        try FileManager.default.copyItem(atPath: db, toPath: legacy)
        let mode = try DatabaseQueue(path: legacy).writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        #expect(mode == "wal")
        #expect(!FileManager.default.fileExists(atPath: legacy + "-shm"))
        try FileManager.default.removeItem(atPath: file)
        chmod(db, 0o644)
        chmod(legacy, 0o644)
        chmod(directory, 0o555)
        defer { chmod(directory, 0o755) }
        for path in [db, legacy] {
            for command in [["list"], ["show", "latest"], ["trend", "cliff"], ["changes"]] {
                let output = try #require(try Self.runAsNobody(["history"] + command + ["--db", path]))
                #expect(output.status == 0, "\(path) \(command): \(output.stderr)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["history.sqlite", "legacy.sqlite"])
    }

    /// An add that cannot write a side file another user left beside a history still in WAL
    /// mode fails as a write (exit 1), naming the file and its owner; it read "attempt to write
    /// a readonly database", exit 2, as bad input (review). Needs another uid: skipped unless root.
    @Test(.enabled(if: geteuid() == 0, "needs root, to add as uid 65534 beside root's files"))
    func anAddThatCannotWriteASideFileIsAFailedWriteNamingIt() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: directory)
        #expect(try Self.run(["history", "add", file, "--db", db]).status == 0)
        let mode = try DatabaseQueue(path: db).writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        #expect(mode == "wal")
        // What a root reader of the WAL-mode history left: -shm and -wal, root's.
        #expect(FileManager.default.createFile(atPath: db + "-shm", contents: Data(count: 32768)))
        #expect(FileManager.default.createFile(atPath: db + "-wal", contents: Data()))
        chmod(db + "-shm", 0o644)
        chmod(db + "-wal", 0o644)
        chown(db, 65534, 65534)
        chmod(directory, 0o777)
        chmod(file, 0o644)
        let second = try HistoryFixtures.write(HistoryFixtures.run(1, rate: 20000), name: "r2.json", in: directory)
        chmod(second, 0o644)
        let add = try #require(try Self.runAsNobody(["history", "add", second, "--db", db]))
        #expect(add.status == 1, "\(add.stderr)")
        #expect(add.stderr.contains("its -shm \(db)-shm belongs to uid 0"), "\(add.stderr)")
        #expect(add.stderr.contains("uid 65534 cannot write"), "\(add.stderr)")
    }

    @Test func addListShowTrendChangesAndCheckAgainstTheHistory() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let files = try Self.resultsFiles(in: directory)

        let first = try Self.run(["history", "add"] + files.prefix(7) + ["--db", db, "--label", "branch=main"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("r1.json: added as run 1: cliff (2 cases, 3 trials each)"), "\(first.stdout)")
        #expect(first.stdout.contains("branch=main"))
        let rest = try Self.run(["history", "add"] + files.dropFirst(7) + ["--label", "branch=main"], environment: [HistoryLocation.environmentVariable: db])
        #expect(rest.status == 0, "\(rest.stderr)")
        let again = try Self.run(["history", "add", files[0], "--db", db])
        #expect(again.status == 0 && again.stdout.contains("already in the history as run 1"), "\(again.stdout)")

        let list = try Self.run(["history", "list", "--db", db, "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let runs = try #require(listed["runs"] as? [[String: Any]])
        #expect(runs.count == 14)
        // Added from the repository: its commit (none where git or the repository is missing); the labels as given.
        let expected = GitCommit.current(in: Self.repositoryRoot)
        #expect(runs.first?["git_commit"] as? String == expected)
        #expect((runs.first?["labels"] as? [String: String]) == ["branch": "main"])
        let table = try Self.run(["history", "list", "cliff", "--db", db, "--last", "3"])
        #expect(table.stdout.contains("3 runs") && table.stdout.contains("branch=main"), "\(table.stdout)")

        let show = try Self.run(["history", "show", "latest", "--db", db])
        #expect(show.status == 0 && show.stdout.contains("run 14: cliff") && show.stdout.contains("chatty-8k"), "\(show.stdout)")
        let document = try Self.run(["history", "show", "3", "--db", db, "--document"])
        #expect(document.stdout == (try String(contentsOfFile: files[2], encoding: .utf8)))

        let html = directory + "/trend.html", markdown = directory + "/trend.md"
        let trend = try Self.run(["history", "trend", "cliff", "--case", "chatty-8k", "--db", db, "--html", html, "--markdown", markdown])
        #expect(trend.status == 0, "\(trend.stderr)")
        #expect(trend.stdout.contains("<- moved -25") || trend.stdout.contains("<- moved -24") || trend.stdout.contains("<- moved -26"), "\(trend.stdout)")
        #expect((try String(contentsOfFile: html, encoding: .utf8)).contains("<svg"))
        #expect((try String(contentsOfFile: markdown, encoding: .utf8)).contains("moved at run 8"))

        let changes = try Self.run(["history", "changes", "--db", db])
        #expect(changes.status == 0, "\(changes.stderr)")
        #expect(changes.stdout.contains("moved at run 8"), "\(changes.stdout)")
        let changesJSON = try Self.run(["history", "changes", "cliff", "--db", db, "--json", "--metric", "msgs_per_s"])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(changesJSON.stdout.utf8)) as? [String: Any])
        #expect(parsed["schema"] as? String == "vsockbench-history/1")

        // The gate: the level of the last runs holds; 30% below it fails.
        let same = try HistoryFixtures.write(HistoryFixtures.run(30, rate: 15000), name: "same.json", in: directory)
        let slow = try HistoryFixtures.write(HistoryFixtures.run(31, rate: 10500), name: "slow.json", in: directory)
        let held = try Self.run(["check", same, "--history", db, "--window", "5"])
        #expect(held.status == 0, "\(held.stdout)\(held.stderr)")
        #expect(held.stdout.contains("runs 10, 11, 12, 13, 14"), "\(held.stdout)")
        let regressed = try Self.run(["check", slow, "--history", db, "--window", "5", "--history-label", "branch=main"])
        #expect(regressed.status == 1, "\(regressed.stdout)\(regressed.stderr)")
        #expect(regressed.stdout.contains("chatty-8k: msgs/s"), "\(regressed.stdout)")
    }

    @Test func twoProcessesAddingAtOnceBothLand() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let files = try Self.resultsFiles(in: directory)
        let a = try Self.start(["history", "add"] + files.prefix(7) + ["--db", db], in: directory)
        let b = try Self.start(["history", "add"] + files.dropFirst(7) + ["--db", db], in: directory)
        let (outA, outB) = (Self.finish(a), Self.finish(b))
        #expect(outA.status == 0 && outB.status == 0, "\(outA.stderr) \(outB.stderr)")
        let list = try Self.run(["history", "list", "--db", db, "--json"], in: directory)
        let runs = try #require((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.count == 14)
        // Outside a repository there is no commit.
        #expect(runs.allSatisfy { $0["git_commit"] is NSNull })
    }

    /// Two processes opening a new history in the same instant both switch it to WAL mode, and
    /// SQLite turns one away at once ("database is locked", no busy wait) rather than risk a
    /// deadlock; before the switch retried, about a third of such pairs lost one run here. The
    /// two wait on a file (a shell spinning, a bounded number of times) so that they start together.
    @Test func pairsOpeningANewHistoryInTheSameInstantBothLand() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let files = try Self.resultsFiles(in: directory).prefix(2)
        let gate = directory + "/go"
        // Bounded: a shell whose gate never comes runs the command anyway after some 10^6 checks.
        let waitThenRun = "i=0; while [ ! -e \"$0\" ] && [ $i -lt 1000000 ]; do i=$((i + 1)); done; shift; exec \"$@\""
        for attempt in 1...8 {
            let path = directory + "/h\(attempt).sqlite"
            try? FileManager.default.removeItem(atPath: gate)
            let pair = try files.map { file in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", waitThenRun, gate, "-", Self.tool, "history", "add", file, "--db", path]
                process.currentDirectoryURL = URL(fileURLWithPath: directory)
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                try process.run()
                return (process, out, err)
            }
            usleep(50_000)
            // Without the gate each shell runs its command after its own 10^6 checks, not in the same instant.
            #expect(FileManager.default.createFile(atPath: gate, contents: nil), "attempt \(attempt): could not create the gate \(gate)")
            let outputs = pair.map { Self.finish($0) }
            for output in outputs {
                #expect(output.status == 0, "attempt \(attempt): \(output.stderr)")
            }
            let list = try Self.run(["history", "list", "--db", path, "--json"], in: directory)
            let runs = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]]
            #expect(runs?.count == 2, "attempt \(attempt): \(list.stdout)")
        }
    }

    @Test func badInputIsOneLineAndExit2() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: directory)
        let cases: [([String], String)] = [
            (["history", "add", file, "--db", db, "--label", "nokey"], "expected KEY=VALUE"),
            (["history", "add", directory + "/missing.json", "--db", db], "missing.json"),
            (["history", "list", "--db", directory + "/none.sqlite"], "no history at"),
            (["history", "add", file, "--db", file], "not a vsockbench history"),
        ]
        for (arguments, expected) in cases {
            let output = try Self.run(arguments, in: directory)
            #expect(output.status == 2, "\(arguments): \(output.status) \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1 && output.stderr.contains(expected), "\(arguments): \(output.stderr)")
        }
        #expect(try Self.run(["history", "add", file, "--db", db], in: directory).status == 0)
        for (arguments, expected) in [
            (["history", "trend", "nope", "--db", db], "no runs of scenario nope"),
            (["history", "list", "nope", "--db", db], "no runs of scenario nope in \(db); scenarios there: cliff"),
            (["history", "list", "--db", db, "--label", "x=y"], "no runs with label x=y in \(db); no run there has a label"),
            (["history", "trend", "--db", db, "--label", "x=y"], "no runs with label x=y in \(db)"),
            (["history", "changes", "--db", db, "--label", "x=y"], "no runs with label x=y in \(db)"),
            (["history", "trend", "cliff", "--db", db, "--metric", "speed"], "--metric speed"),
            (["history", "show", "99", "--db", db], "no run 99"),
            (["check", file, "--history", db, "--baseline", file], "choose one"),
        ] as [([String], String)] {
            let output = try Self.run(arguments, in: directory)
            #expect(output.status == 2, "\(arguments): \(output.status) \(output.stderr)")
            #expect(output.stderr.contains(expected), "\(arguments): \(output.stderr)")
        }
        // A history from a newer vsockbench: refused, both versions named.
        try DatabaseQueue(path: db).write { try $0.execute(sql: "PRAGMA user_version = 9") }
        let newer = try Self.run(["history", "list", "--db", db], in: directory)
        #expect(newer.status == 2)
        #expect(newer.stderr.contains("schema version 9") && newer.stderr.contains("up to \(HistoryDatabase.schemaVersion)"), "\(newer.stderr)")
    }

    /// A stored results file cut short in the database: `show --document` printed its 500
    /// bytes, invalid JSON, with exit 0 (review). Said to be damaged, exit 2, nothing printed.
    @Test func showDocumentOfADamagedStoredFileSaysSoAndExits2() throws {
        let db = try HistoryFixtures.databasePath()
        let directory = URL(fileURLWithPath: db).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: directory)
        #expect(try Self.run(["history", "add", file, "--db", db], in: directory).status == 0)
        let whole = try Self.run(["history", "show", "1", "--document", "--db", db], in: directory)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(whole.stdout.utf8))) != nil)
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE run SET document = substr(document, 1, 500)") }
        let damaged = try Self.run(["history", "show", "1", "--document", "--db", db], in: directory)
        #expect(damaged.status == 2, "\(damaged.status) \(damaged.stderr)")
        #expect(damaged.stdout.isEmpty, "\(damaged.stdout)")
        #expect(damaged.stderr.contains("damaged") && damaged.stderr.contains("run 1's stored results file is not JSON"), "\(damaged.stderr)")
    }

    /// `add --db` under a directory that does not exist made the whole path and exited 0: a
    /// typo in CI quietly started a new, empty history. Refused as every output file's missing
    /// directory is (exit 2, nothing made); the default location's directory is still made.
    @Test func addRefusesADatabaseWhoseDirectoryIsMissingButMakesTheDefaultOne() throws {
        let scratch = URL(fileURLWithPath: try HistoryFixtures.databasePath()).deletingLastPathComponent().path
        let file = try HistoryFixtures.write(HistoryFixtures.run(0, rate: 20000), name: "r.json", in: scratch)
        let missing = scratch + "/typo/deeper"
        for (arguments, environment) in [
            (["history", "add", file, "--db", missing + "/h.sqlite"], [:]),
            (["history", "add", file], [HistoryLocation.environmentVariable: missing + "/h.sqlite"]),
        ] as [([String], [String: String])] {
            let output = try Self.run(arguments, in: scratch, environment: environment)
            #expect(output.status == 2, "\(arguments) \(environment): \(output.status) \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1
                && output.stderr.contains("its directory \(missing) does not exist"), "\(output.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch + "/typo"), "the directory was made")
        }
        // Nothing names it: the default under XDG_DATA_HOME, directory and all.
        let data = scratch + "/data"
        let made = try Self.run(["history", "add", file], in: scratch, environment: ["XDG_DATA_HOME": data])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: data + "/vsockbench/history.sqlite"))
        // A --db in a directory that exists is made, as before.
        #expect(try Self.run(["history", "add", file, "--db", scratch + "/new.sqlite"], in: scratch).status == 0)
    }

    @Test func everyHistoryCommandHasHelpWithExamples() throws {
        for command in ["add", "list", "show", "trend", "changes"] {
            let help = try Self.run(["history", command, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples:") && help.stdout.contains("vsockbench history \(command)"), "\(command): \(help.stdout)")
        }
        let check = try Self.run(["check", "--help"])
        #expect(check.stdout.contains("--history") && check.stdout.contains("--window"))
    }
}

/// A value shared with a reader thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}
