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

    /// A duration's rate from few answers can read up to one answer's share low (its interval
    /// ends at the stop, between answers): said, with that share; not for a count (whose
    /// interval ends at its last answer), a stream, or a case with 100 answers or more.
    @Test func aRateFromFewAnswersIsSaid() {
        let few = RunTable.render(F.document([F.makeCase("few", mbps: 1, msgsPerSecond: 16.5, messages: 5)]))
        #expect(few.contains("few: msgs/s from 5 answers: the interval ends at the stop, between two answers, so the rate can read up to 20% low (one answer in 5); give the case a longer duration for a rate\n"), "\(few)")
        var counted = F.makeCase("counted", mbps: 1, msgsPerSecond: 16.5, messages: 5)
        counted.spec.stop = .messages(5)
        let enough = F.makeCase("enough", mbps: 1, msgsPerSecond: 20, messages: 100)
        let stream = F.makeCase("s", workload: .stream, mbps: 1, msgsPerSecond: 10, messages: 20)
        for c in [counted, enough, stream] {
            #expect(c.fewAnswersNote == nil, "\(c.name): \(String(describing: c.fewAnswersNote))")
        }
        #expect(HTMLReport.render(F.document([F.makeCase("few", mbps: 1, msgsPerSecond: 16.5, messages: 5)])).contains("msgs/s from 5 answers"))
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
