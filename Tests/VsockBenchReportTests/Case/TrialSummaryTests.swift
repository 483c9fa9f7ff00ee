import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// Several trials of a case: figures become medians with their 95% intervals, latency comes
/// from every trial's messages, every trial stays in the JSON.
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
