import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// Several trials of a case: figures become medians with their 95% intervals, latency
/// percentiles too (the median of the trials' percentiles, never every message pooled),
/// every trial stays in the JSON.
@Suite struct TrialSummaryTests {
    static let spec = CaseSpec(name: "rr", workload: .rr(RequestResponseWorkload(requestSize: 1000, responseSize: 1000)))

    /// A measured trial: `messages` in one second on one connection, each with `latency` ns.
    static func trial(messages: UInt64, latency: UInt64, failures: [String] = []) -> CaseOutcome {
        var m = CaseMeasurement(spec: spec, driver: HostFacts.current(), targetAck: HelloAck.placeholder)
        var worker = WorkerResult(index: 0)
        worker.reading.tally.messages = messages
        worker.reading.tally.bytesOut = messages * 1000
        worker.reading.tally.bytesIn = messages * 1000
        worker.reading.io = IOSnapshot(reads: messages, writes: messages, bytesRead: messages * 1032, bytesWritten: messages * 1032, readNanos: 0, writeNanos: 0)
        worker.reading.start = Moment(nanos: 1_000_000_000, cpu: CPUTime())
        worker.reading.end = Moment(nanos: 2_000_000_000, cpu: CPUTime())
        var histogram = WorkerResult.newHistogram()
        for _ in 0..<messages { histogram.record(latency) }
        worker.latency = histogram
        m.workers = [worker]
        var target = TargetStats()
        target.messages = messages
        target.reads = messages
        target.writes = messages
        m.target = target
        m.failures = failures
        return .measured(m)
    }

    /// A trial that failed stopped at its error: its few ms of figures are not the case's. The
    /// medians are the sound trials' (a case corrupting an answer in each of two trials read
    /// 41696 msgs/s beside a sound case's 15514, review); the case still fails, every error
    /// named, and every trial stays in the JSON.
    @Test func aFailedTrialIsLeftOutOfTheMedians() throws {
        let outcomes = [Self.trial(messages: 1000, latency: 10_000), Self.trial(messages: 40_000, latency: 1_000, failures: ["request 7: corrupt"]),
                        Self.trial(messages: 1100, latency: 10_000), Self.trial(messages: 1050, latency: 10_000)]
        let c = try #require(CaseSummary.summarize(trials: outcomes, transport: "unix"))
        #expect(c.msgsPerSecond == 1050, "the median of the 3 sound trials, not of all 4 (1075): \(c.msgsPerSecond)")
        #expect(c.ci?["msgs_per_s"] == [1000, 1100])
        #expect(!c.verified)
        #expect(c.errors == ["trial 2: request 7: corrupt"])
        #expect(c.trials.count == 4)
        #expect(c.representativeTrial == 3, "the sound trial at the median")
        // Every trial failed: its figures are all there is, and the case says it failed.
        let failed = try #require(CaseSummary.summarize(trials: [Self.trial(messages: 900, latency: 10_000, failures: ["a"]), Self.trial(messages: 1000, latency: 10_000, failures: ["b"])], transport: "unix"))
        #expect(failed.msgsPerSecond == 950 && !failed.verified)
    }

    @Test func theCaseIsTheMedianOfItsTrialsWithItsInterval() throws {
        let rates: [UInt64] = [900, 1000, 1100, 950, 1050, 1020, 980]
        let outcomes = rates.enumerated().map { i, r in Self.trial(messages: r, latency: UInt64(10_000 * (i + 1))) }
        let c = try #require(CaseSummary.summarize(trials: outcomes, transport: "unix"))
        #expect(c.trials.map(\.msgsPerSecond) == rates.map { Double($0) }, "every trial kept, in the order it ran")
        #expect(c.msgsPerSecond == 1000, "the median of the trials")
        #expect(c.mbpsTx == 1000 * 1000 * 8 / 1e6, "payload per second, one direction, of the median")
        let ci = try #require(c.ci?["msgs_per_s"])
        // 7 samples: the 95% order-statistics interval is [x(1), x(7)] (coverage 0.984).
        #expect(ci == [900, 1100])
        #expect(c.ciCoverage == 0.9844)
        #expect(c.ci?["writes_per_msg"] == [1, 1], "a count that does not vary has a zero-width interval")
        // Latency from every message of every trial: 7 trials at 10..70 µs with weights 900..1100.
        let latency = try #require(c.latencyMicros)
        #expect(latency.max >= 69.9 && latency.max <= 70.1)
        #expect(latency.p50 >= 39.9 && latency.p50 <= 40.1)
        #expect(c.verified)
    }

    /// Three trials of very different message counts: one fast trial of 100000 messages at
    /// 10 µs and two slow ones of 100 messages (1000 µs, 500 µs). Pooled, the fast trial's
    /// messages are 99.8% of the whole and the p99 of every message is about 10 µs, outside the
    /// trials' p99s' middle; the case's p99 is the median of the trials' p99s (about 500 µs).
    static func skewedTrials() -> [CaseOutcome] {
        [Self.trial(messages: 100_000, latency: 10_000), Self.trial(messages: 100, latency: 1_000_000), Self.trial(messages: 100, latency: 500_000)]
    }

    @Test("each latency percentile of several trials is the median of the trials' (inside its interval), max the largest, never every message pooled")
    func latencyPercentilesAreTheMedianOfTheTrials() throws {
        let c = try #require(CaseSummary.summarize(trials: Self.skewedTrials(), transport: "unix"))
        let trials = c.trials.compactMap(\.latencyMicros)
        #expect(trials.count == 3)
        let latency = try #require(c.latencyMicros)
        func median(_ values: [Double]) -> Double { values.sorted()[1] }
        for (name, path) in [("p50", \LatencySummary.p50), ("p90", \.p90), ("p99", \.p99), ("p999", \.p999), ("mean", \.mean)] {
            #expect(latency[keyPath: path] == median(trials.map { $0[keyPath: path] }), "\(name): the median of the trials' \(trials.map { $0[keyPath: path] })")
        }
        #expect(latency.p99 > 490 && latency.p99 < 510, "the middle trial's p99, not the pooled one (about 10 µs): \(latency.p99)")
        #expect(latency.max == trials.map(\.max).max(), "the worst of any trial")
        for figure in [Figure.latencyP50, .latencyP99] {
            let bounds = try #require(c.ci?[figure.rawValue])
            let value = try #require(figure.value(in: c.figures))
            #expect(bounds[0] <= value && value <= bounds[1], "\(figure.rawValue) \(value) inside its interval \(bounds)")
            let text = IntervalText.cell(value, bounds: bounds) { Format.compact($0) }
            #expect(IntervalText.reach(from: value, to: bounds) <= bounds[1] - bounds[0], "\(text)")
        }
    }

    @Test("compare's p99 ratio is the ratio of the cases' medians of their trials' p99s")
    func compareP99RatioIsTheRatioOfMedians() throws {
        var base = try #require(CaseSummary.summarize(trials: [1000, 1100, 900].map { Self.trial(messages: $0, latency: 20_000) }, transport: "unix"))
        base.name = "base"
        var skewed = try #require(CaseSummary.summarize(trials: Self.skewedTrials(), transport: "unix"))
        skewed.name = "skewed"
        let row = try #require(Comparison(ReportFixtures.document([base, skewed])).rows.last)
        func medianP99(_ c: CaseResult) -> Double { c.trials.compactMap(\.latencyMicros?.p99).sorted()[1] }
        let expected = (medianP99(skewed) / medianP99(base)).rounded(toPlaces: 3)
        #expect(row.p99Micros == medianP99(skewed))
        #expect(row.p99Ratio == expected, "\(String(describing: row.p99Ratio)) against \(expected)")
        #expect((row.p99Ratio ?? 0) > 20, "about 500 µs over 20 µs, not the pooled 10 µs over 20 µs")
    }

    @Test("an older results file's pooled percentiles read as the median of its trials' (check, history), its max as stored")
    func anOlderFilesPooledLatencyReadsAsTheTrialsMedian() throws {
        var c = CompareFixtures.withTrials(CompareFixtures.rr("old", msgs: 1000, p99: 300), msgs: [900, 1000, 1100], p99: [100, 110, 400])
        c.figures.latencyMicros = ReportFixtures.latency(p50: 40, p90: 60, p99: 101, p999: 500, max: 900)
        let read = try #require(ReportFixtures.document([c]).trialMedianLatency().cases.first?.latencyMicros)
        #expect(read.p99 == 110, "the median of 100, 110, 400, not the pooled 101")
        #expect(read.max == 900)
        let single = CompareFixtures.rr("one", msgs: 1000, p99: 300)
        #expect(ReportFixtures.document([single]).trialMedianLatency().cases[0] == single, "one trial: as it is")
    }

    @Test func aFailedTrialFailsTheCaseAndSaysWhich() throws {
        let outcomes = [Self.trial(messages: 1000, latency: 10_000), Self.trial(messages: 990, latency: 10_000, failures: ["connection 0, message 5: corrupted"])]
        let c = try #require(CaseSummary.summarize(trials: outcomes, transport: "unix"))
        #expect(!c.verified)
        #expect(c.errors == ["trial 2: connection 0, message 5: corrupted"])
        #expect(c.trials.map(\.verified) == [true, false])
    }

    @Test func trialsRoundTripThroughTheJSON() throws {
        let outcomes = [1000, 1100, 900].map { Self.trial(messages: UInt64($0), latency: 20_000) }
        let c = try #require(CaseSummary.summarize(trials: outcomes, transport: "unix"))
        let data = try JSONEncoder().encode(c)
        let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let trials = try #require(raw["trials"] as? [[String: Any]])
        #expect(trials.count == 3)
        // A trial has the case's figure keys.
        for key in ["messages", "mbps_tx", "mbps_rx", "msgs_per_s", "latency_us", "writes_per_msg", "cpu", "verified"] {
            #expect(trials[0].keys.contains(key), "trial lacks \(key)")
            #expect(raw.keys.contains(key), "case lacks \(key)")
        }
        #expect(try JSONDecoder().decode(CaseResult.self, from: data) == c)
    }

    @Test func aSingleTrialIsASingleSample() throws {
        let c = try #require(CaseSummary.summarize(trials: [Self.trial(messages: 1000, latency: 10_000)], transport: "unix"))
        #expect(c.trials.count == 1)
        #expect(c.ci == nil && c.ciCoverage == nil)
    }
}
