import Foundation
import Testing

@testable import VsockBenchHistory
import VsockBenchModel
@testable import VsockBenchReport

@Suite("check --history: the last N runs as the baseline")
struct HistoryWindowTests {
    static func history() throws -> HistoryDatabase {
        try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 14, level: 20000, noise: 0.03, seed: 21))
    }

    static func check(_ results: RunDocument, _ db: HistoryDatabase, window: Int = 10) throws -> CheckReport {
        let selected = try HistoryWindow.select(in: db, like: [results], size: window)
        return try RegressionCheck.compare(results: [results], baseline: selected.documents, baselinePaths: [selected.description])
    }

    @Test func theWindowIsTheLastNRunsOfTheScenarioWithTheSameCases() throws {
        let db = try Self.history()
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(40, rate: 20000, cases: ["chatty-8k"]))])
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(41, rate: 20000, scenario: "other"))])
        var failed = HistoryFixtures.run(42, rate: 20000)
        failed.cases[1].figures.verified = false
        _ = try db.add([ResultsFile(document: failed)])
        let selected = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 20000)], size: 10)
        #expect(selected.runs.map(\.id) == Array(5...14))
        #expect(selected.description.contains("runs 5 .. 14"), "\(selected.description)")
        #expect(selected.notes.contains { $0.contains("other cases") })
        #expect(selected.notes.contains { $0.contains("not verified") })
        // --cases-in-common takes the run with one case too.
        let common = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 20000)], size: 3, casesInCommon: true)
        #expect(common.runs.map(\.id) == [13, 14, 15])
    }

    /// Checking an older run against the history takes the runs that started before it, not
    /// the last N of the history (run 4's results were gated against runs 5-14: review).
    @Test func theWindowIsTheRunsThatStartedBeforeTheCheckedRun() throws {
        let db = try Self.history()
        let selected = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(3, rate: 20000)], size: 10)
        #expect(selected.runs.map(\.id) == [1, 2, 3], "runs 1-3 started before run 4 (index 3), which is itself")
        #expect(selected.notes.contains("history: left out 10 runs that started after the run being checked (\(HistoryFixtures.startedAt(3))): a baseline is what came before"), "\(selected.notes)")
        #expect(selected.notes.contains { $0.contains("not its own baseline") }, "\(selected.notes)")
        #expect(selected.description.contains("the last 3 of cliff before it"), "\(selected.description)")
    }

    /// The window ends at the checked run's started_at, compared as text: a form history add
    /// would refuse (an offset) is refused here too, not read as another time (review).
    @Test func aStartedAtInAnotherFormIsRefused() throws {
        let db = try Self.history()
        var results = HistoryFixtures.run(3, rate: 20000)
        results.startedAt = "2026-12-05T19:30:00+01:00"
        do {
            _ = try HistoryWindow.select(in: db, like: [results], size: 10)
            Issue.record("a started_at with an offset was taken")
        } catch {
            #expect("\(error)".contains("is not a UTC time as vsockbench writes it"), "\(error)")
        }
    }

    /// A baseline measures the same channel: runs over another transport are left out and
    /// said (a `--target null` history read a unix run as -96% REGRESSED: review).
    @Test func runsOverAnotherTransportAreLeftOut() throws {
        let db = try Self.history()
        for index in 30..<33 {
            var null = HistoryFixtures.run(index, rate: 1_500_000)
            null.transport = "null"
            _ = try db.add([ResultsFile(document: null)])
        }
        let selected = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 20000)], size: 10)
        #expect(selected.runs.map(\.id) == Array(5...14), "the last 10 unix runs")
        #expect(selected.notes.contains("history: left out 3 runs over another transport (null) than unix: a baseline measures the same channel"), "\(selected.notes)")
        var null = HistoryFixtures.run(51, rate: 1_500_000)
        null.transport = "null"
        #expect(try HistoryWindow.select(in: db, like: [null], size: 10).runs.map(\.id) == [15, 16, 17])
    }

    /// A window mixing two set-ups of a case (the scenario file changed under its name) says
    /// how many of its runs differ and how; one that matches says nothing.
    @Test func runsSetUpOtherwiseAreNamed() throws {
        let db = try Self.history()
        func larger(_ index: Int) -> RunDocument {
            var document = HistoryFixtures.run(index, rate: 20000)
            document.cases[1].spec.workload = .rr(RequestResponseWorkload(requestSize: 16384, responseSize: 8192))
            return document
        }
        for index in 30..<33 { _ = try db.add([ResultsFile(document: larger(index))]) }
        let mixed = try HistoryWindow.select(in: db, like: [larger(50)], size: 10)
        let note = try #require(mixed.notes.first { $0.contains("set up chatty-8k otherwise") }, "\(mixed.notes)")
        #expect(note.hasPrefix("history: 7 of the 10 runs gated against set up chatty-8k otherwise (request_size 8KiB -> 16KiB)"), "\(note)")
        #expect(!mixed.notes.contains { $0.contains("set up bulk otherwise") }, "\(mixed.notes)")
        let same = try HistoryWindow.select(in: db, like: [larger(51)], size: 3)
        #expect(!same.notes.contains { $0.contains("otherwise") }, "\(same.notes)")
    }

    @Test func anUnchangedRunPasses() throws {
        let db = try Self.history()
        let report = try Self.check(HistoryFixtures.run(50, rate: 20100), db)
        #expect(report.passed, "\(report.renderText())")
        let row = try #require(report.rows.first { $0.caseName == "chatty-8k" && $0.figure == .msgsPerSecond })
        #expect(row.samplesBaseline == 30, "3 trials of each of the 10 runs, pooled")
    }

    @Test func aThirtyPercentDropFails() throws {
        let db = try Self.history()
        let report = try Self.check(HistoryFixtures.run(50, rate: 14000), db)
        #expect(!report.passed)
        let row = try #require(report.rows.first { $0.caseName == "chatty-8k" && $0.figure == .msgsPerSecond })
        #expect(row.verdict == .regressed, "\(report.renderText())")
        #expect(report.rows.first { $0.caseName == "bulk" && $0.figure == .mbpsTx }?.verdict.fails == false)
    }

    @Test func theRunBeingCheckedIsNotItsOwnBaseline() throws {
        let db = try Self.history()
        let slow = HistoryFixtures.run(50, rate: 14000)
        _ = try db.add([ResultsFile(document: slow)])
        let selected = try HistoryWindow.select(in: db, like: [slow], size: 10)
        #expect(selected.runs.map(\.id) == Array(5...14))
        #expect(selected.notes.contains { $0.contains("not its own baseline") })
    }

    @Test func nothingToGateAgainstIsSaid() throws {
        let db = try Self.history()
        #expect(throws: HistoryError.self) { try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 1, scenario: "new")], size: 10) }
        #expect(throws: HistoryError.self) { try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 1)], size: 0) }
        #expect(throws: HistoryError.self) {
            try HistoryWindow.select(in: db, like: [HistoryFixtures.run(50, rate: 1, cases: ["renamed"])], size: 10)
        }
    }
}

@Suite("check --history: too few runs")
struct HistoryWindowMinimumTests {
    @Test func fewerRunsThanTheMinimumAreNotGated() throws {
        let db = try HistoryFixtures.history(rates: [20000, 20100])
        let error = try #require(thrownHistoryError { () throws(HistoryError) in
            _ = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(9, rate: 20000)], size: 10, minimumRuns: 4)
        })
        #expect(error.description.contains("only 2 runs"), "\(error)")
        #expect(try HistoryWindow.select(in: db, like: [HistoryFixtures.run(9, rate: 20000)], size: 10, minimumRuns: 2).runs.count == 2)
    }
}
