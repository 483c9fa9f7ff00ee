import Histogram
import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport

/// A tail percentile of too few messages is the slowest message: said where it is shown and
/// where it is gated (20 messages gave p99 = p99.9 = max without a word: review).
@Suite struct TailNoteTests {
    typealias F = ReportFixtures

    @Test("run's report says which percentiles rest on the slowest message", arguments: [
        (UInt64(20), "few: p99 and p99.9 from 20 messages are the slowest message, not a percentile (p99 needs 100 messages, p99.9 1000)"),
        (UInt64(500), "few: p99.9 from 500 messages is the slowest message, not a percentile (it needs 1000)"),
        (UInt64(5000), nil),
    ])
    func runSaysIt(messages: UInt64, note: String?) {
        let table = RunTable.render(F.document([F.makeCase("few", mbps: 1, msgsPerSecond: 10, messages: messages)]))
        if let note {
            #expect(table.contains(note + "\n"), "\(table)")
        } else {
            #expect(!table.contains("not a percentile"), "\(table)")
        }
        // A stream has no latency: nothing to say of it.
        let stream = RunTable.render(F.document([F.makeCase("s", workload: .stream, mbps: 1, msgsPerSecond: 10, messages: 20)]))
        #expect(!stream.contains("not a percentile"), "\(stream)")
    }

    /// What the note says holds in the figures: from few messages, p99 and p99.9 are the slowest
    /// message, and max is that message exactly (it was the top of its histogram bucket, up to
    /// 0.1% above: p99.9 447.8 beside max 448.0, review).
    @Test func theSlowestMessageIsMaxExactly() {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)
        for i in 0..<499 { histogram.record(UInt64(100_000 + i * 50)) }
        histogram.record(447_801)
        let latency = LatencySummary(histogram)
        #expect(latency.max == 447.8, "the exact slowest, rounded to 0.01 us as every figure is")
        #expect(latency.p999 == latency.max && latency.p99 < latency.max, "\(latency)")
    }

    /// Open loop, the percentiles also hold the measured requests answered after the
    /// interval: 80 messages and 70 answered after it are 150 latencies, whose p99 is no max.
    @Test func openLoopCountsTheLatenciesAnsweredAfterTheInterval() throws {
        var c = F.makeCase("ol", mbps: 1, msgsPerSecond: 80, messages: 80)
        c.figures.openLoop = OpenLoopReport(askedPerSecond: 150, arrivals: .constant, sentPerSecond: 150, achievedPerSecond: 80, measuredSends: 150, lateSends: 0,
                                            lateThresholdMicros: 1000, maxSendDelayMicros: 0, inFlightMax: 70, inFlightCap: 1000, answered: 80, answeredAfterEnd: 70,
                                            keptUp: false, verdict: "did NOT keep up")
        c.trials = [c.figures]
        #expect(c.tailNote == "p99.9 from 150 messages is the slowest message, not a percentile (it needs 1000)", "\(String(describing: c.tailNote))")
        let report = try RegressionCheck.compare(results: [F.document([c])], baseline: ReportFixtures.asBaseline([F.document([c])]))
        #expect(report.rows.first { $0.figure == .latencyP99 }?.note?.contains("slowest message") != true)
    }

    @Test func checkSaysItOnTheP99Row() throws {
        let few = F.document([F.makeCase("few", mbps: 1, msgsPerSecond: 10, messages: 20)])
        let report = try RegressionCheck.compare(results: [few], baseline: ReportFixtures.asBaseline([few]))
        let p99 = try #require(report.rows.first { $0.caseName == "few" && $0.figure == .latencyP99 })
        #expect(p99.note?.contains("from 20 messages in a trial: p99 is that trial's slowest message, not a percentile (it needs 100)") == true, "\(String(describing: p99.note))")
        let many = F.document([F.makeCase("many", mbps: 1, msgsPerSecond: 10, messages: 200)])
        let plain = try RegressionCheck.compare(results: [many], baseline: ReportFixtures.asBaseline([many]))
        #expect(plain.rows.first { $0.figure == .latencyP99 }?.note?.contains("not a percentile") != true)
    }
}
