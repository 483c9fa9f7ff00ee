import Foundation
import GRDB
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport

@Suite("History store: add, list, show, duplicates, atomicity, two writers")
struct HistoryStoreTests {
    /// An interrupted `--repeat 3` run whose second case ran 1 trial: `add` said "2 trials
    /// each", `list` the 3 asked (review). Both say what ran, and what was asked.
    @Test func anInterruptedRunSaysTheTrialsThatRan() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var document = HistoryFixtures.run(0, rate: 20000)
        document.cases[0].trials = Array(document.cases[0].trials.prefix(2))
        document.cases[1].trials = Array(document.cases[1].trials.prefix(1))
        let added = try db.add([ResultsFile(document: document, path: "cut.json")])
        #expect(added.first?.text == "cliff (2 cases, 1-2 trials each (3 asked))", "\(added)")
        #expect(added.first?.trials == 2)
        let run = try db.run("1")
        #expect(run.caseTrials == [2, 1] && run.repeatCount == 3)
        let list = RunText.list(try db.runs(), database: "h.sqlite")
        let row = try #require(list.split(separator: "\n").first { $0.contains(HistoryFixtures.startedAt(0)) })
        #expect(row.contains(" 1-2 of 3 "), "\(list)")
        #expect(RunText.show(run, cases: try db.cases(ofRun: 1)).contains("trials      1-2 of 3 asked"))
        // A whole run reads as before.
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(1, rate: 20000), path: "whole.json")])
        let whole = try #require(RunText.list(try db.runs(), database: "h.sqlite").split(separator: "\n").first { $0.contains(HistoryFixtures.startedAt(1)) })
        #expect(!whole.contains(" of 3") && whole.contains(" 3 "), "\(whole)")
        let json = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        #expect(json.contains("\"case_trials\":[2,1]") && json.contains("\"repeat\":3"), "\(json)")
        // check's line per results file says it alike.
        #expect(TrialCounts(document).casesText(cases: 2) == "2 cases, 1-2 trials each (3 asked)")
        #expect(TrialCounts(ran: [1], asked: 1).casesText(cases: 1) == "1 case, 1 trial")
    }

    /// A run interrupted between cases held every trial of the cases it reached: `list` showed
    /// it as whole, with no mark and a case fewer than its scenario (review). Its results'
    /// `not_run` makes it cut short (`~`), named under the table and in the JSON; an older
    /// file without the key, or a run that reached every case, reads as before.
    @Test func aRunInterruptedBeforeACaseIsCutShort() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var cut = HistoryFixtures.run(0, rate: 20000)
        cut.cases = Array(cut.cases.prefix(1))
        cut.notRun = ["chatty-8k"]
        var whole = HistoryFixtures.run(1, rate: 20000)
        whole.notRun = []
        var older = HistoryFixtures.run(2, rate: 20000)
        older.notRun = nil
        _ = try db.add([ResultsFile(document: cut, path: "cut.json"), ResultsFile(document: whole, path: "whole.json"), ResultsFile(document: older, path: "older.json")])
        let runs = try db.runs()
        #expect(runs.map(\.notRun) == [["chatty-8k"], [], []], "\(runs.map(\.notRun))")
        #expect(runs.map(\.cutShort) == [true, false, false])
        #expect(try db.run("1").notRun == ["chatty-8k"])
        let list = RunText.list(runs, database: "h.sqlite")
        let rows = list.split(separator: "\n")
        let first = try #require(rows.first { $0.contains(HistoryFixtures.startedAt(0)) })
        #expect(first.drop { $0 == " " }.hasPrefix("1~ "), "\(list)")
        #expect(list.contains("\nrun 1: not run (the interrupt came before it): chatty-8k\n"), "\(list)")
        #expect(list.contains("~: the run was cut short"), "\(list)")
        let others = rows.filter { $0.contains(HistoryFixtures.startedAt(1)) || $0.contains(HistoryFixtures.startedAt(2)) }
        #expect(others.count == 2 && others.allSatisfy { !$0.contains("~") }, "\(list)")
        let json = String(decoding: try JSONEncoder().encode(runs[0]), as: UTF8.self)
        #expect(json.contains("\"not_run\":[\"chatty-8k\"]"), "\(json)")
        #expect(String(decoding: try JSONEncoder().encode(runs[2]), as: UTF8.self).contains("\"not_run\":[]"))
    }

    /// An interrupted run was marked `!`, "a case of this run was not verified", like one that
    /// failed (or not at all, stopped between trials). Cut short with what it measured
    /// verified, it has its own mark and line; a case that failed keeps `!` whatever else.
    @Test func anInterruptedRunHasItsOwnMarkAndAFailedOneKeepsItsOwn() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        /// `document` with its case `index` stopped in its last trial: by the interrupt, or by a failure.
        func stopped(_ document: RunDocument, case index: Int, interrupt: Bool) -> RunDocument {
            var document = document
            var trial = document.cases[index].trials[2]
            trial.verified = false
            trial.interrupted = interrupt
            trial.errors = [interrupt ? "interrupted" : "response 7: corrupted"]
            document.cases[index].trials[2] = trial
            document.cases[index].figures.verified = false
            document.cases[index].figures.interrupted = interrupt
            document.cases[index].figures.errors = trial.errors
            return document
        }
        var betweenTrials = HistoryFixtures.run(1, rate: 20000)
        betweenTrials.cases[1].trials = Array(betweenTrials.cases[1].trials.prefix(2))
        let runs = [
            HistoryFixtures.run(0, rate: 20000),
            stopped(HistoryFixtures.run(1, rate: 20000, pid: 1), case: 1, interrupt: true),
            betweenTrials,
            stopped(HistoryFixtures.run(2, rate: 20000), case: 1, interrupt: false),
            stopped(stopped(HistoryFixtures.run(3, rate: 20000), case: 0, interrupt: false), case: 1, interrupt: true),
        ]
        #expect(runs[1].cases[1].cutShort && !runs[3].cases[1].cutShort, "the fixture: one case cut short, one failed")
        _ = try db.add(runs.enumerated().map { ResultsFile(document: $1, path: "r\($0).json") })
        let stored = try db.runs()
        func mark(_ id: Int64) throws -> String { RunText.mark(try #require(stored.first { $0.id == id })) }
        #expect(try [1, 2, 3, 4, 5].map(mark) == ["", "~", "~", "!", "!"], "\(stored.map { ($0.id, $0.startedAt) })")
        let list = RunText.list(stored, database: "h.sqlite")
        let marked = list.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(marked.contains("2~") && marked.contains("4!") && marked.contains("1"), "\(list)")
        #expect(list.contains("\n~: the run was cut short (interrupted); what it measured was verified\n"), "\(list)")
        #expect(list.contains("\n!: a case of this run was not verified\n"), "\(list)")
        // The JSON is unchanged: an interrupted run is still not `verified`.
        #expect(try !#require(stored.first { $0.id == 2 }).verified)
        // Each line only where its mark is.
        let onlyCut = RunText.list(stored.filter { $0.id <= 3 }, database: "h.sqlite")
        #expect(onlyCut.contains("~: the run was cut short") && !onlyCut.contains("!: a case"), "\(onlyCut)")
        let onlyFailed = RunText.list(stored.filter { $0.id == 4 }, database: "h.sqlite")
        #expect(!onlyFailed.contains("~: the run was cut short") && onlyFailed.contains("!: a case"), "\(onlyFailed)")
        let whole = RunText.list(stored.filter { $0.id == 1 }, database: "h.sqlite")
        #expect(!whole.contains("~:") && !whole.contains("!:"), "\(whole)")
        // `history show` says of each case what `run` said: cut short, or NO for a failure.
        func verifiedCells(_ id: Int64) throws -> [String] {
            let run = try #require(stored.first { $0.id == id })
            let cases = try db.cases(ofRun: id)
            let shown = RunText.show(run, cases: cases)
            return cases.map { c in shown.split(separator: "\n").first { $0.hasPrefix(c.name + " ") }.map { line in
                line.contains("cut short") ? "cut short" : line.contains(" NO ") ? "NO" : line.contains(" yes ") ? "yes" : "?" } ?? "missing" }
        }
        #expect(try verifiedCells(2) == ["yes", "cut short"])
        #expect(try verifiedCells(4) == ["yes", "NO"])
        #expect(try verifiedCells(5) == ["NO", "cut short"])
        #expect(try !db.cases(ofRun: 2)[1].verified, "the JSON's verified keeps its meaning")
    }

    @Test func addKeepsTheRunItsLabelsCommitEveryFigureAndEveryTrial() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        let document = HistoryFixtures.run(0, rate: 20000)
        let labels = try HistoryLabel.parseAll(["instance_type=m6i.xlarge", "branch=main"])
        let added = try db.add([ResultsFile(document: document, path: "r0.json")], labels: labels, commit: HistoryFixtures.commit(7))
        #expect(added == [AddedRun(path: "r0.json", run: 1, alreadyThere: false, scenario: "cliff", cases: 2, trials: 3,
                                   trialCounts: TrialCounts(ran: [3, 3], asked: 3))])
        #expect(added.first?.text == "cliff (2 cases, 3 trials each)")

        let run = try db.run("1")
        #expect(run.scenario == "cliff")
        #expect(run.gitCommit == HistoryFixtures.commit(7))
        #expect(run.labels == ["instance_type": "m6i.xlarge", "branch": "main"])
        #expect(run.cases == ["bulk", "chatty-8k"])
        #expect(run.driverKernel == "6.1.0-test" && run.targetKernel == "4.14.256-enclave")
        #expect(run.repeatCount == 3 && run.verified)

        let cases = try db.cases(ofRun: 1)
        let chatty = try #require(cases.first { $0.name == "chatty-8k" })
        #expect(chatty.figures["msgs_per_s"] == 20000)
        #expect(chatty.intervals["msgs_per_s"] == [19800, 20200])
        #expect(chatty.figures["latency_us.p99"] == 120)
        #expect(chatty.trialFigures.count == 3)
        #expect(chatty.trialFigures.map { $0["msgs_per_s"] } == [19800, 20000, 20200])
        // Every figure the case has, for the case and for each trial.
        let expected = Set(Figure.allCases.filter { $0.value(in: document.cases[1].figures) != nil }.map(\.rawValue))
        #expect(Set(chatty.figures.keys) == expected)
        #expect(chatty.trialFigures.allSatisfy { Set($0.keys) == expected })

        // The results file itself, as added.
        let stored = try RunDocumentFile.parse(Array(try db.document(ofRun: 1).utf8), path: "stored")
        #expect(stored == document)
    }

    @Test func theSameRunAddedTwiceIsKeptOnceAndSaidSo() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        let document = HistoryFixtures.run(0, rate: 20000)
        _ = try db.add([ResultsFile(document: document)])
        let again = try db.add([ResultsFile(document: document), ResultsFile(document: HistoryFixtures.run(1, rate: 20000))])
        #expect(again.map(\.alreadyThere) == [true, false])
        #expect(again.map(\.run) == [1, 2])
        #expect(try db.runs().count == 2)
    }

    @Test func listFiltersByScenarioLabelAndLast() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(0, rate: 1))], labels: [HistoryLabel(key: "branch", value: "main")])
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(1, rate: 1, scenario: "batching"))], labels: [HistoryLabel(key: "branch", value: "dev")])
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(2, rate: 1))], labels: [HistoryLabel(key: "branch", value: "dev")])
        #expect(try db.runs().map(\.id) == [1, 2, 3])
        #expect(try db.runs(RunFilter(scenario: "cliff")).map(\.id) == [1, 3])
        #expect(try db.runs(RunFilter(labels: [HistoryLabel(key: "branch", value: "dev")])).map(\.id) == [2, 3])
        #expect(try db.runs(RunFilter(last: 2)).map(\.id) == [2, 3])
        #expect(try db.run("latest").id == 3)
        #expect(throws: HistoryError.noSuchRun(path: db.path, run: "9")) { try db.run("9") }
    }

    /// The history orders runs by `started_at` as text: only the form vsockbench writes is
    /// taken (an offset, fractions, "yesterday" or nothing sorted wrong: review).
    @Test(arguments: ["2026-12-05T21:30:00+02:00", "2026-12-05T20:00:00.500Z", "yesterday", "", "2026-12-05 20:00:00Z"])
    func aStartTimeOtherThanVsockbenchsIsRefused(startedAt: String) throws {
        var document = HistoryFixtures.run(0, rate: 1000)
        document.startedAt = startedAt
        #expect { try ResultsFile.parse(document.encoded(), path: "r.json") } throws: {
            "\($0)".contains("is not a UTC time as vsockbench writes it (such as 2026-12-05T19:30:00Z)")
        }
        document.startedAt = "2026-12-05T20:00:00Z"
        #expect(try ResultsFile.parse(document.encoded(), path: "r.json").document.startedAt == "2026-12-05T20:00:00Z")
    }

    /// `--last N` is the last N runs, as `list --last N` shows them, for a series too: a case
    /// that some of those runs did not run has fewer points, not points from older runs (it
    /// took the case's last N points: review).
    @Test func lastIsTheLastRunsForASeriesToo() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for i in 0..<6 {
            _ = try db.add([ResultsFile(document: HistoryFixtures.run(i, rate: 1000, cases: i < 4 ? ["bulk", "chatty-8k"] : ["bulk"]))])
        }
        let filter = RunFilter(scenario: "cliff", last: 3)
        #expect(try db.runs(filter).map(\.id) == [4, 5, 6])
        #expect(try db.points(caseName: "chatty-8k", figure: .msgsPerSecond, filter).map(\.run) == [4])
        #expect(try db.points(caseName: "bulk", figure: .mbpsTx, filter).map(\.run) == [4, 5, 6])
        #expect(try db.points(caseName: "chatty-8k", figure: .msgsPerSecond, RunFilter(scenario: "cliff")).map(\.run) == [1, 2, 3, 4])
    }

    /// Files added out of start order (c2, c3, c1): `latest` is the run that started last, the
    /// same run `--last 1` keeps and the last one `runs()` lists, not the run added last.
    @Test func latestIsTheRunThatStartedLastAsListOrdersThem() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        _ = try db.add([1, 2, 0].map { ResultsFile(document: HistoryFixtures.run($0, rate: 20000)) })
        #expect(try db.runs().map(\.id) == [3, 1, 2])
        #expect(try db.runs(RunFilter(last: 1)).map(\.id) == [2])
        #expect(try db.run("latest").id == 2)
        #expect(try db.run("last").id == 2)
        #expect(try db.run("latest").startedAt == HistoryFixtures.startedAt(2))
    }

    /// A results file that decodes but whose insert fails half-way (a trigger refuses the
    /// trials of its second case, after the run, its labels and its first case went in):
    /// nothing of that add is left, not even the good file added with it.
    @Test func anAddThatFailsHalfWayLeavesNoRun() throws {
        let path = try HistoryFixtures.databasePath()
        let db = try HistoryDatabase.open(path: path, creating: true)
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(0, rate: 20000))])
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_poison BEFORE INSERT ON trial_figure
                WHEN (SELECT name FROM case_result WHERE id = NEW.case_id) = 'poison'
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                """)
        }
        let good = HistoryFixtures.run(1, rate: 20000)
        let poisoned = HistoryFixtures.run(2, rate: 20000, cases: ["chatty-8k", "poison"])
        let error = try #require(thrownHistoryError { () throws(HistoryError) in
            _ = try db.add([ResultsFile(document: good), ResultsFile(document: poisoned)], labels: [HistoryLabel(key: "k", value: "v")])
        })
        guard case let .storage(_, reason) = error else { throw error }
        #expect(reason.contains("injected failure"))
        #expect(!error.isBadInput)
        #expect(try db.runs().map(\.id) == [1])
        try saboteur.read { (db: Database) throws in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM case_result") == 2)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM run_label") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM case_figure WHERE case_id NOT IN (SELECT id FROM case_result)") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM trial_figure WHERE case_id NOT IN (SELECT id FROM case_result)") == 0)
        }
        // The history still takes runs afterwards.
        _ = try db.add([ResultsFile(document: good)])
        #expect(try db.runs().map(\.id) == [1, 2])
    }

    /// Two writers with their own connections, on a file neither has created yet: both
    /// migrate it (one of them finds the work done) and every run of both lands.
    @Test func twoWritersAtOnceBothLand() throws {
        let path = try HistoryFixtures.databasePath()
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                let db = try HistoryDatabase.open(path: path, creating: true)
                for index in 0..<15 {
                    _ = try db.add([ResultsFile(document: HistoryFixtures.run(index, rate: 20000, pid: Int32(1000 + writer)))])
                }
            } catch {
                failures.append("writer \(writer): \(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let db = try HistoryDatabase.open(path: path, creating: false)
        #expect(try db.runs().count == 30)
        let queue = try DatabaseQueue(path: path)
        try queue.read { (db: Database) throws in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "delete")
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
        }
    }

    /// A damaged history is bad input (exit 2), not a failed write: a dropped table is named
    /// when the file is opened, a truncated file is said to be damaged.
    @Test func aDamagedHistoryIsBadInput() throws {
        let path = try HistoryFixtures.databasePath()
        let db = try HistoryDatabase.open(path: path, creating: true)
        _ = try db.add((0..<20).map { ResultsFile(document: HistoryFixtures.run($0, rate: 20000)) })
        try DatabaseQueue(path: path).writeWithoutTransaction { _ = try String.fetchOne($0, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = try HistoryFixtures.databasePath("truncated")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        let cut = try #require(thrownHistoryError { () throws(HistoryError) in
            let history = try HistoryDatabase.open(path: truncated, creating: false)
            for run in try history.runs() { _ = try history.cases(ofRun: run.id) }
        })
        #expect(cut.isBadInput, "\(cut)")
        #expect(cut.description.contains("damaged"), "\(cut)")

        try DatabaseQueue(path: path).write { try $0.execute(sql: "DROP TABLE case_figure") }
        for creating in [false, true] {
            #expect(throws: HistoryError.damaged(path: path, reason: "its table case_figure is missing")) {
                try HistoryDatabase.open(path: path, creating: creating)
            }
        }
        #expect(HistoryError.damaged(path: path, reason: "").isBadInput)
    }

    /// `list` of a scenario the history does not have says so, naming those it has, as `trend` does.
    @Test func listingAnUnknownScenarioNamesTheScenariosThere() throws {
        let db = try HistoryFixtures.history(rates: [20000])
        let error = try #require(thrownHistoryError { () throws(HistoryError) in _ = try db.listedRuns(RunFilter(scenario: "nosuch")) })
        #expect(error == .nothingMatches("no runs of scenario nosuch in \(db.path); scenarios there: cliff"))
        #expect(error.isBadInput)
        #expect(try db.listedRuns(RunFilter(scenario: "cliff")).count == 1)
    }

    /// `list --label` that no run has says so, naming the labels there, as an unknown scenario
    /// does (nothingMatches: exit 2), rather than an empty table.
    @Test func listingALabelNoRunHasSaysSo() throws {
        let db = try HistoryFixtures.history(rates: [20000])
        let unlabelled = try #require(thrownHistoryError { () throws(HistoryError) in _ = try db.listedRuns(RunFilter(labels: [HistoryLabel(key: "x", value: "y")])) })
        #expect(unlabelled == .nothingMatches("no runs with label x=y in \(db.path); no run there has a label"))
        #expect(unlabelled.isBadInput)
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(1, rate: 20000))], labels: [HistoryLabel(key: "branch", value: "main"), HistoryLabel(key: "x", value: "z")])
        let labelled = try #require(thrownHistoryError { () throws(HistoryError) in
            _ = try db.listedRuns(RunFilter(labels: [HistoryLabel(key: "x", value: "y"), HistoryLabel(key: "branch", value: "main")]))
        })
        #expect(labelled == .nothingMatches("no runs with labels x=y and branch=main in \(db.path); labels there: branch=main, x=z"))
        #expect(try db.listedRuns(RunFilter(labels: [HistoryLabel(key: "x", value: "z")])).count == 1)
        // The whole history lists every run; an empty one lists none, without an error.
        #expect(try db.listedRuns(RunFilter()).count == 2)
        let empty = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        #expect(try empty.listedRuns(RunFilter()).isEmpty)
    }

    @Test func labelsAreCheckedWhenParsed() throws {
        #expect(try HistoryLabel(parsing: "kernel=6.1.0-13=x").value == "6.1.0-13=x")
        for bad in ["nokey", "=v", "a b=c", "k=", "k=\u{1b}[2J"] {
            #expect(throws: HistoryError.self) { try HistoryLabel(parsing: bad) }
        }
        // A space at either end is refused on a label set, taken in a filter (runs labelled
        // so before stay reachable).
        for spaced in ["sp= main", "sp=main "] {
            #expect(throws: HistoryError.self) { try HistoryLabel(parsing: spaced, adding: true) }
            #expect(try HistoryLabel(parsing: spaced).key == "sp")
        }
        // One label with a space in its value reads apart from two labels (review), and is
        // taken back as it reads.
        let one = try HistoryLabel(parsing: "owner=a b=c")
        let quote = HistoryLabel(key: "q", value: "say \"hi\" \\o/")
        #expect(one.text == "owner=\"a b=c\"" && quote.text == "q=\"say \\\"hi\\\" \\\\o/\"", "\(quote.text)")
        #expect(try HistoryLabel(parsing: one.text) == one && HistoryLabel(parsing: quote.text) == quote)
        #expect(try HistoryLabel(parsing: "branch=main").text == "branch=main")
        #expect(throws: HistoryError.self) { try HistoryLabel.parseAll(["a=1", "a=2"]) }
        // The error names the option the label came from (`check --history-label`, review).
        do {
            _ = try HistoryLabel.parseAll(["bad"], flag: "--history-label")
            Issue.record("a label without = was taken")
        } catch {
            #expect("\(error)".contains("--history-label bad: expected KEY=VALUE"), "\(error)")
        }
    }

    @Test func theLocationFollowsOptionEnvironmentThenHome() throws {
        #expect(try HistoryLocation.resolve(option: "/x.sqlite", environment: ["VSOCKBENCH_HISTORY": "/y", "HOME": "/h"]) == "/x.sqlite")
        #expect(try HistoryLocation.resolve(option: nil, environment: ["VSOCKBENCH_HISTORY": "/y", "HOME": "/h"]) == "/y")
        #expect(try HistoryLocation.resolve(option: nil, environment: ["HOME": "/h"]) == "/h/.local/share/vsockbench/history.sqlite")
        #expect(try HistoryLocation.resolve(option: nil, environment: ["HOME": "/h", "XDG_DATA_HOME": "/d"]) == "/d/vsockbench/history.sqlite")
        #expect(throws: HistoryError.noLocation) { try HistoryLocation.resolve(option: nil, environment: [:]) }
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var all: [String] { lock.withLock { items } }
}
