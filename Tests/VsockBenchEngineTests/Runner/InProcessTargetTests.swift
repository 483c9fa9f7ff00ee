import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
@testable import VsockBenchEngine

/// `--target null`: the driver's stop-and-wait loop and the target's responder in one
/// process with no socket; both sides' counts agree exactly.
@Suite struct InProcessTargetTests {
    static var options: DriverOptions {
        var options = DriverOptions(target: .unix(path: "/nonexistent/unused.sock"))
        options.inProcess = true
        return options
    }

    @Test func rrCountsTheSameOnBothSides() {
        let m = InProcessTarget.run(Specs.rr(request: 512, response: 3000, stop: .messages(301), connections: 2), options: Self.options)
        BothSides.expectExactAgreement(m, messages: 301, wire: false)
        #expect(m.workers.map(\.messages) == [151, 150])
        #expect(m.workers.map(\.reading.tally.bytesOut) == [151 * 512, 150 * 512])
        #expect(m.workers.map(\.reading.tally.bytesIn) == [151 * 3000, 150 * 3000])
        #expect(m.targetAck.mode == "null")
        // One process plays both parts: its CPU is the driver's.
        #expect(m.target?.cpuUserSeconds == 0 && m.target?.cpuSystemSeconds == 0)
    }

    @Test func rrForADurationCountsTheSameOnBothSides() {
        let m = InProcessTarget.run(Specs.rr(stop: Specs.shortDuration), options: Self.options)
        let messages = m.workers.reduce(0) { $0 + $1.messages }
        #expect(messages > 0)
        BothSides.expectExactAgreement(m, messages: Int(messages), wire: false)
    }

    @Test func maskedCountsTheSameOnBothSidesAndTimesTheAgent() {
        let m = InProcessTarget.run(Specs.masked(sizes: .lognormal(median: 2048, sigma: 0.5), stop: .messages(30)), options: Self.options)
        BothSides.expectExactAgreement(m, messages: 30, wire: false)
        #expect(m.target?.agentMicrosPerMessage != nil)
        #expect((m.target?.processingSeconds ?? 0) > 0)
    }

    @Test func aPipelinedCaseRunsStopAndWaitInProcess() {
        // No channel, no window: the in-process target runs every exchange one at a time.
        let m = InProcessTarget.run(Specs.rr(exchange: Specs.coalesce, stop: .messages(50)), options: Self.options)
        BothSides.expectExactAgreement(m, messages: 50, wire: false)
    }
}
