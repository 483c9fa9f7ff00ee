import Foundation
import GRDB
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport

/// A case of several trials is its trials' median, the value their interval is of: a latency
/// percentile pooled over every trial's messages is not (the review's chatty-8k p99: trials
/// 118.66, 119.10, 102.08, pooled 115.26).
@Suite("History figures: the median of the trials")
struct TrialMedianTests {
    static func pooled() -> RunDocument {
        var document = HistoryFixtures.run(0, rate: 20000)
        let trialP99 = [118.66, 119.10, 102.08]
        for (t, p99) in trialP99.enumerated() { document.cases[1].trials[t].latencyMicros = HistoryFixtures.latency(p99: p99) }
        document.cases[1].figures.latencyMicros = HistoryFixtures.latency(p99: 115.26)
        document.cases[1].ci?["latency_us.p99"] = [102.08, 119.10]
        return document
    }

    @Test func aCaseOfSeveralTrialsIsStoredShownAndFollowedAsTheirMedian() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        _ = try db.add([ResultsFile(document: Self.pooled())])
        let stored = try DatabaseQueue(path: db.path).read { (db: Database) throws in
            try Double.fetchOne(db, sql: "SELECT value FROM case_figure WHERE figure = 'latency_us.p99'")
        }
        #expect(stored == 118.66)
        let chatty = try #require(try db.cases(ofRun: 1).first { $0.name == "chatty-8k" })
        #expect(chatty.figures["latency_us.p99"] == 118.66)
        let point = try #require(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .figure(.latencyP99)).series.first?.points.first)
        #expect(point.value == 118.66)
        #expect(point.interval == [102.08, 119.10])
        // check --history measures each run's own value as trend and changes do.
        let window = try HistoryWindow.select(in: db, like: [HistoryFixtures.run(5, rate: 20000)], size: 10)
        #expect(window.documents.first?.cases[1].figures.latencyMicros?.p99 == 118.66)
    }

    /// A history added before keeps the pooled value in its table; it reads as the median too.
    @Test func aPooledValueAlreadyStoredReadsAsTheTrialsMedian() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        _ = try db.add([ResultsFile(document: Self.pooled())])
        try DatabaseQueue(path: db.path).write { try $0.execute(sql: "UPDATE case_figure SET value = 115.26 WHERE figure = 'latency_us.p99'") }
        #expect(try db.cases(ofRun: 1).first { $0.name == "chatty-8k" }?.figures["latency_us.p99"] == 118.66)
        #expect(try db.points(caseName: "chatty-8k", figure: .latencyP99, RunFilter(scenario: "cliff")).map(\.value) == [118.66])
    }

    /// A case with a failed trial: its file's figure is the median of the trials that passed
    /// (`CaseSummary.medianTrials`), and the history keeps that, stored and read; the median
    /// of every trial (the failed one's few ms at 40000/s among them) was shown (review).
    @Test func aFailedCaseKeepsItsFilesFigure() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var document = HistoryFixtures.run(0, rate: 20000)
        let rates = [1000.0, 40000, 1100, 1050]
        document.cases[1].trials = rates.map { rate in
            var t = document.cases[1].figures
            t.msgsPerSecond = rate
            t.verified = rate != 40000
            return t
        }
        document.cases[1].figures.msgsPerSecond = 1050
        document.cases[1].figures.verified = false
        _ = try db.add([ResultsFile(document: document)])
        #expect(try db.cases(ofRun: 1).first { $0.name == "chatty-8k" }?.figures["msgs_per_s"] == 1050)
        #expect(try db.points(caseName: "chatty-8k", figure: .msgsPerSecond, RunFilter(scenario: "cliff")).map(\.value) == [1050])
    }

    /// One trial is a single sample, and says so.
    @Test func aSingleTrialSaysItIsASingleSample() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var document = HistoryFixtures.run(0, rate: 20000)
        for i in document.cases.indices {
            document.cases[i].trials = [document.cases[i].figures]
            document.cases[i].ci = nil
        }
        _ = try db.add([ResultsFile(document: document)])
        let text = TrendText.render(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k"))
        #expect(text.contains("single sample"), "\(text)")
    }
}
