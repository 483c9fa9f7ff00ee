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

    /// `--metric mbps_rx` of a tx stream trended a row of 0.000 and "no change over 8 runs"
    /// (review): a direction the case does not move is 0 by design, refused and said so; beside
    /// a case that moves it, a note; the direction it moves still trends.
    @Test func aDirectionTheCaseDoesNotMoveIsNotTrended() throws {
        let db = try HistoryFixtures.history(rates: [20000, 20000, 20000])
        let error = thrownHistoryError { () throws(HistoryError) in _ = try TrendReport.build(db, scenario: "cliff", caseName: "bulk", metric: try MetricChoice(parsing: "mbps_rx")) }
        let said = error.map { "\($0)" } ?? ""
        #expect(error.map { if case .badMetric = $0 { true } else { false } } == true, "\(String(describing: error))")
        #expect(said.contains("bulk moves no payload target to driver: mbps_rx is 0 by design"), "\(said)")
        let both = try TrendReport.build(db, scenario: "cliff", metric: .figure(.mbpsRx))
        #expect(both.series.map(\.caseName) == ["chatty-8k"])
        #expect(both.notes.contains { $0.hasPrefix("bulk moves no payload target to driver") }, "\(both.notes)")
        #expect(!TrendText.render(both).contains("0.000"))
        let tx = try TrendReport.build(db, scenario: "cliff", caseName: "bulk", metric: .figure(.mbpsTx))
        #expect(tx.series.count == 1 && tx.notes.isEmpty)
        // Among several scenarios, one with nothing else to trend is notes, not an error.
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(5, rate: 20000, scenario: "bulk", cases: ["bulk"]))])
        let set = try TrendSet.build(db, metric: .figure(.mbpsRx))
        #expect(set.scenarios.map(\.series.count) == [0, 1] && set.scenarios[0].notes.count == 1, "\(set.scenarios.map(\.notes))")
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

    /// `--metric all` follows Mbps as `show` prints it: an rr case one series `each way` (not
    /// two alike), a tx stream its tx only (no all-zero rx), a case moving both unequally both,
    /// each named.
    @Test func allFollowsMbpsInEachDirectionACaseMovesAndNoOther() throws {
        let db = try HistoryFixtures.history(rates: [20000, 21000, 19000])
        let all = try TrendReport.build(db, scenario: "cliff", metric: .all)
        let mbps: (String) -> [FigureSeries] = { name in
            all.series.filter { $0.caseName == name && [.mbpsTx, .mbpsRx, .mbpsTotal].contains($0.figure) }
        }
        #expect(mbps("chatty-8k").map(\.label) == ["Mbps each way"], "\(mbps("chatty-8k").map(\.label))")
        #expect(mbps("bulk").map(\.figure) == [.mbpsTx], "\(mbps("bulk").map(\.figure))")
        #expect(mbps("bulk").map(\.label) == ["Mbps tx"])
        #expect(all.series.filter { [.mbpsTx, .mbpsRx].contains($0.figure) }.allSatisfy { $0.points.contains { $0.value > 0 } })
        // Every other figure is still followed (msgs/s, p99, counts per message).
        #expect(all.series.contains { $0.caseName == "chatty-8k" && $0.figure == .latencyP99 })
        #expect(all.series.contains { $0.caseName == "bulk" && $0.figure == .writesPerMessage })
        let text = TrendText.render(all)
        #expect(text.components(separatedBy: "chatty-8k: Mbps").count - 1 == 1 && text.contains("chatty-8k: Mbps each way"), "\(text)")
        #expect(!text.contains("Mbps rx"), "\(text)")

        // A case that moves both ways unequally: both directions, each with its own label.
        let unequal = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var document = HistoryFixtures.run(0, rate: 20000)
        document.cases[1].figures.mbpsRx *= 4
        for t in document.cases[1].trials.indices { document.cases[1].trials[t].mbpsRx *= 4 }
        _ = try unequal.add([ResultsFile(document: document)])
        let both = try TrendReport.build(unequal, scenario: "cliff", caseName: "chatty-8k", metric: .all)
        let directions = both.series.filter { [.mbpsTx, .mbpsRx, .mbpsTotal].contains($0.figure) }
        #expect(directions.map(\.figure) == [.mbpsTx, .mbpsRx])
        #expect(directions.map(\.label) == ["Mbps tx", "Mbps rx"])
        #expect(directions.map { $0.points.map(\.value) } == [[1310.72], [5242.88]])
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
