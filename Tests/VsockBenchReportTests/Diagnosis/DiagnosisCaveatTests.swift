import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockBenchModel
@testable import VsockBenchEngine
@testable import VsockBenchReport

private typealias F = DiagnosisFixtures

/// What a verdict stands on besides its own evidence: a reference to compare a stream with,
/// enough messages, a quiet machine, a target that is a process of its own (review).
@Suite struct DiagnosisCaveatTests {
    /// A stream with no other stream in the run was "100% of the best bulk case" (itself) and
    /// bandwidth_bound at 0.95: lone.yaml's 64 B writes at 417 Mbps (review).
    @Test func aLoneStreamIsNotBandwidthBoundAgainstItself() throws {
        let lone = F.stream("stream-64B", mbps: 417, writeSize: 64)
        let verdicts = try #require(Diagnoser.diagnose(F.document([lone])).cases[0].diagnosis)
        let bandwidth = try #require(verdicts.first { $0.id == .bandwidthBound })
        #expect(bandwidth.confidence <= 0.3, "\(bandwidth)")
        #expect(!bandwidth.evidence.contains { $0.contains("100% of the best bulk case") }, "\(bandwidth.evidence)")
        #expect(bandwidth.evidence.contains { $0.contains("no other stream in this run to compare it with") }, "\(bandwidth.evidence)")
        #expect(!bandwidth.advice.contains("this is the channel's bandwidth;"), "\(bandwidth.advice)")
        // Beside a bulk case the same healthy stream is still bandwidth_bound at full confidence.
        let bulk = F.stream("bulk", mbps: 30000)
        let beside = try #require(F.verdict(.bandwidthBound, of: "bulk", in: [bulk, F.stream("other", mbps: 28000)]))
        #expect(beside.confidence > 0.9)
    }

    /// A lone 64 KiB-write stream with 4 KiB buffers: its buffers are evidence with or without
    /// a bulk case beside it (it was bandwidth_bound alone, flow_control_bound beside one).
    @Test func aLoneSmallBufferStreamIsFlowControlBound() throws {
        var small = F.stream("sbuf", mbps: 3000)
        small.socket = SocketSummary(driver: EffectiveSocketOptions(sndbuf: 8192, rcvbuf: 8192), target: EffectiveSocketOptions(sndbuf: 8192, rcvbuf: 8192))
        small.targetReadsPerMessage = 8
        let verdicts = try #require(Diagnoser.diagnose(F.document([small])).cases[0].diagnosis)
        #expect(verdicts.first?.id == .flowControlBound, "\(verdicts.map(\.id))")
        #expect(verdicts.first?.evidence.contains { $0.contains("less than one 64KiB write") } == true, "\(verdicts.first?.evidence ?? [])")
    }
}
