import Foundation
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport

/// Mbps is application payload per second in one direction: history follows the direction a
/// case moves and never shows both directions summed as Mbps.
@Suite("History Mbps: payload per direction")
struct MbpsDirectionTests {
    /// chatty-8k at 20000 msgs/s moves 8192 bytes each way: 1310.72 Mbps each way (2621.44 summed).
    @Test func mbpsIsPayloadPerDirectionEachWayForASymmetricCase() throws {
        let db = try HistoryFixtures.history(rates: [20000, 20000, 20000])
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: try MetricChoice(parsing: "mbps"))
        let series = try #require(report.series.first)
        #expect(series.figure == .mbpsTx)
        #expect(series.points.map(\.value) == [1310.72, 1310.72, 1310.72])
        #expect(series.label == "Mbps each way")
        let text = TrendText.render(report)
        #expect(text.contains("Mbps each way") && !text.contains("Mbps total") && !text.contains("summed") && !text.contains("2621"), "\(text)")
    }

    /// A stream's throughput is the one direction it moves, said by name.
    @Test func aStreamsThroughputIsItsOneDirection() throws {
        let db = try HistoryFixtures.history(rates: [20000, 20000])
        let series = try #require(try TrendReport.build(db, scenario: "cliff", caseName: "bulk").series.first)
        #expect(series.figure == .mbpsTx)
        #expect(series.label == "Mbps tx")
    }

    /// A case that moves both ways unequally follows its busier direction and says which.
    @Test func anAsymmetricCaseFollowsItsBusierDirection() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var document = HistoryFixtures.run(0, rate: 20000)
        document.cases[1].figures.mbpsRx *= 4
        for t in document.cases[1].trials.indices { document.cases[1].trials[t].mbpsRx *= 4 }
        _ = try db.add([ResultsFile(document: document)])
        let series = try #require(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .mbps).series.first)
        #expect(series.figure == .mbpsRx)
        #expect(series.label == "Mbps rx")
        #expect(series.points.map(\.value) == [5242.88])
    }

    /// The sum of both directions is there only when asked for by its key, and says it is a sum.
    @Test func theSumOfBothDirectionsIsOnlyExplicitAndSaysSo() throws {
        let db = try HistoryFixtures.history(rates: [20000])
        let all = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .all)
        #expect(!all.series.contains { $0.figure == .mbpsTotal })
        let total = try #require(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: try MetricChoice(parsing: "mbps_total")).series.first)
        #expect(total.label == "Mbps tx+rx summed")
        #expect(HistoryJSON.encode(total).contains("\"label\" : \"Mbps tx+rx summed\""))
    }

    /// `show` prints Mbps as `run` does: `1311 each way`, `9437 tx`; no total.
    @Test func showPrintsMbpsPerDirection() throws {
        let db = try HistoryFixtures.history(rates: [20000])
        let text = RunText.show(try db.run("1"), cases: try db.cases(ofRun: 1))
        #expect(text.contains("1311 [1298-1324] each way"), "\(text)")
        #expect(text.contains("9437 [9385-9490] tx"), "\(text)")
        #expect(!text.contains("Mbps total") && !text.contains("summed") && !text.contains("2621"), "\(text)")
    }
}
