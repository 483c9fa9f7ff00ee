import Foundation
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport
import VsockBenchSupport

@Suite("History changes: the run where a figure moved, found in a synthetic series; none in a flat one")
struct ChangeDetectionTests {
    /// 20 runs, chatty-8k msgs/s about 20000 with ±3% noise, 20% lower from run 12 on; bulk flat.
    static func stepped() throws -> HistoryDatabase {
        try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 20, level: 20000, noise: 0.03, stepAt: 12, stepFactor: 0.8, seed: 12))
    }

    @Test func aTwentyPercentStepAtRun12IsNamedAtRun12() throws {
        let db = try Self.stepped()
        let report = try ChangesReport.build(db)
        let throughput = try #require(report.series.first { $0.caseName == "chatty-8k" && $0.figure == .msgsPerSecond })
        #expect(throughput.points.count == 20)
        let change = try #require(throughput.changes.first)
        #expect(throughput.changes.count == 1, "\(throughput.changes)")
        #expect(change.run == 12)
        #expect(change.previousRun == 11)
        #expect(change.gitCommit == HistoryFixtures.commit(11) && change.previousGitCommit == HistoryFixtures.commit(10))
        #expect(abs((change.change ?? 0) + 0.20) < 0.04, "moved by \(change.change ?? 0)")
        #expect(!change.better)
        #expect((change.pValue ?? 1) <= 0.05)
        // p99 follows the step the other way (higher latency: also worse); bulk did not move.
        let p99 = try #require(report.series.first { $0.caseName == "chatty-8k" && $0.figure == .latencyP99 })
        #expect(p99.changes.map(\.run) == [12])
        #expect(p99.changes.first?.better == false)
        let bulk = try #require(report.series.first { $0.caseName == "bulk" })
        #expect(bulk.changes.isEmpty)

        let text = ChangesText.render(report)
        #expect(text.contains("cliff chatty-8k msgs/s:"), "\(text)")
        #expect(text.contains("moved at run 12"), "\(text)")
        #expect(text.contains("the last run before it: 11"), "\(text)")
        // Several series, each at p <= 0.05: what chance alone finds over them is said.
        let tested = report.series.filter(\.searchable).count
        #expect(tested > 1)
        #expect(text.contains("\(tested) series tested at p <= 0.050 each: with no real change, about \(Format.fixed(Double(tested) * 0.05, 1)) of them could show one by chance"), "\(text)")
        // One series: nothing to add up.
        let one = ChangesText.render(try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput))
        #expect(!one.contains("by chance"), "\(one)")
    }

    @Test func aSeriesTooShortForTheMinimumRunsIsNotSaidToHaveNoChange() throws {
        // 20 runs with a 20% step, but --min-runs 11 needs 22 to split at all: nothing was searched.
        let db = try Self.stepped()
        var options = ChangeOptions.standard
        options.minimumSegment = 11
        let report = try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput, options: options)
        let series = try #require(report.series.first)
        #expect(series.changes.isEmpty)
        let text = ChangesText.render(report)
        #expect(!text.contains("no change"), "\(text)")
        #expect(text.contains("too few runs for a change to be significant: cliff chatty-8k msgs/s (20 runs; at least 22)"), "\(text)")
        let trend = TrendText.render(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput, options: options))
        #expect(trend.contains("too few runs for a change to reach p <= 0.050 (20; at least 22)"), "\(trend)")
        // With the standard 3 runs a level, six runs split only 3 | 3, and the shuffles that deal
        // the same values to each side (2 of 20 ways) give at best p = 0.1: a 20% step at run 4
        // of 6 cannot be significant, and is not said to be no change. Seven runs can.
        let six = try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 6, level: 20000, noise: 0.03, stepAt: 4, stepFactor: 0.8, seed: 3))
        let sixText = TrendText.render(try TrendReport.build(six, scenario: "cliff", caseName: "chatty-8k"))
        #expect(sixText.contains("too few runs for a change to reach p <= 0.050 (6; at least 7)"), "\(sixText)")
        #expect(!sixText.contains("no change"))
        let seven = try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 7, level: 20000, noise: 0.03, seed: 3))
        #expect(TrendText.render(try TrendReport.build(seven, scenario: "cliff", caseName: "chatty-8k")).contains("no change over 7 runs"))
    }

    /// Three runs a series: none can be searched. The JSON said `"changes": []` and
    /// `"searched": 4` with nothing to tell it from "searched, nothing changed", and the text
    /// ended "0 changes in 4 series searched" (review).
    @Test func seriesTooShortToSearchAreSaidSoInTheJSONAndTheCount() throws {
        let db = try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 3, level: 20000, noise: 0.03, seed: 5))
        let report = try ChangesReport.build(db)
        #expect(report.series.count > 1 && report.series.allSatisfy { !$0.searchable })
        #expect(report.searched == 0, "none of \(report.series.count) could be searched")
        let text = ChangesText.render(report)
        #expect(text.contains("0 changes in 0 series searched; \(report.series.count) had too few runs\n"), "\(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(HistoryJSON.encode(report).utf8)) as? [String: Any])
        #expect(object["searched"] as? Int == 0 && object["too_few_runs"] as? Int == report.series.count, "\(object)")
        for series in try #require(object["series"] as? [[String: Any]]) {
            #expect(series["searchable"] as? Bool == false && series["runs_needed"] as? Int == 7 && series["searched_runs"] as? Int == 3, "\(series)")
        }
        // The trend's JSON says it of each series too; runs_needed is there (null) where no
        // number of runs is enough.
        var options = ChangeOptions.standard
        options.permutations = 9
        let trend = HistoryJSON.encode(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", options: options))
        let trendSeries = try #require((try JSONSerialization.jsonObject(with: Data(trend.utf8)) as? [String: Any])?["series"] as? [[String: Any]])
        #expect(trendSeries.allSatisfy { $0["searchable"] as? Bool == false && $0.keys.contains("runs_needed") && $0["runs_needed"] is NSNull }, "\(trendSeries)")
        // Runs enough: every series searched, and no count of short ones.
        let loose = try ChangesReport.build(try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 8, level: 20000, noise: 0.03, seed: 6)))
        #expect(loose.searched == loose.series.count)
        #expect(ChangesText.render(loose).contains("in \(loose.series.count) series searched\n"), "\(ChangesText.render(loose))")
    }

    @Test func aFlatNoisySeriesHasNoChange() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let db = try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 20, level: 20000, noise: 0.05, seed: seed))
            let report = try ChangesReport.build(db, metric: .all)
            let found = report.withChanges.map { "\($0.caseName) \($0.figure.rawValue) at \($0.changes.map(\.run))" }
            #expect(found.isEmpty, "noise seed \(seed): \(found)")
            #expect(report.searched > 10)
        }
    }

    @Test func theSameHistoryGivesTheSameAnswer() throws {
        let db = try Self.stepped()
        let a = try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput)
        let b = try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput)
        #expect(HistoryJSON.encode(a) == HistoryJSON.encode(b))
    }

    @Test func unverifiedRunsAreShownButLeftOut() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        let rates = HistoryFixtures.rates(count: 12, level: 20000, noise: 0.02, seed: 4)
        for (index, rate) in rates.enumerated() {
            var document = HistoryFixtures.run(index, rate: index == 6 ? rate * 0.1 : rate)
            if index == 6 { document.cases[1].figures.verified = false }
            _ = try db.add([ResultsFile(document: document)])
        }
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        let series = try #require(report.series.first)
        #expect(series.points.count == 12)
        #expect(series.points.filter { !$0.verified }.map(\.run) == [7])
        #expect(series.changes.isEmpty, "a failed run's figure is no change: \(series.changes)")
        #expect(TrendText.render(report).contains("not verified"))
    }

    @Test func badChoicesAreNamed() throws {
        let db = try Self.stepped()
        #expect(throws: HistoryError.self) { try TrendReport.build(db, scenario: "nope") }
        let error = try #require(thrownHistoryError { () throws(HistoryError) in _ = try TrendReport.build(db, scenario: "cliff", caseName: "nope") })
        #expect(error.description.contains("bulk, chatty-8k"), "\(error)")
        #expect(throws: HistoryError.self) { try MetricChoice(parsing: "latency") }
        #expect(try MetricChoice(parsing: "p99") == .figure(.latencyP99))
        #expect(try MetricChoice(parsing: "latency_us.p50") == .figure(.latencyP50))
        var options = ChangeOptions.standard
        options.permutations = 0
        #expect(throws: HistoryError.self) { try TrendReport.build(db, scenario: "cliff", options: options) }
    }
}

@Suite("History changes: the minimum move")
struct MinimumChangeTests {
    /// A quiet series (±0.5%) with a 3% step at run 12: significant, but below the default 5%.
    @Test func aSmallStepIsNamedOnlyBelowTheMinimum() throws {
        let db = try HistoryFixtures.history(rates: HistoryFixtures.rates(count: 20, level: 20000, noise: 0.005, stepAt: 12, stepFactor: 0.97, seed: 8))
        let standard = try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput)
        #expect(standard.withChanges.isEmpty, "\(standard.withChanges.map(\.changes))")
        var options = ChangeOptions.standard
        options.minimumChange = 0.01
        let finer = try ChangesReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .throughput, options: options)
        #expect(finer.withChanges.first?.changes.map(\.run) == [12])
    }

    @Test func levelsAreMeasuredAgainWhenASmallChangeIsDropped() {
        let values = [10.0, 10, 10, 10.2, 10.2, 10.2, 8, 8, 8]
        #expect(ChangeFinder.measure([3, 6], in: values).map(\.after) == [10.2, 8])
        #expect(ChangeFinder.measure([6], in: values).first?.before == 10.1)
        #expect(ChangeFinder.relative((before: 10, after: 8)) == 0.2)
    }
}
