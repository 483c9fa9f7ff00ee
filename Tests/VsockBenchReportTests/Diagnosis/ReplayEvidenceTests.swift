import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockWire

/// A replay's frames as the diagnosis reasons about them: the service's framing around what
/// was measured, not vsockbench's 32-byte header around what the corpus says.
@Suite struct ReplayEvidenceTests {
    static func replay(transport: String, expect: ReplayExpectation = .any) -> CaseEvidence {
        var r = ReplayWorkload()
        r.framing = .u32be
        r.responseFraming = .u16be
        r.expect = expect
        r.corpusStats = CorpusStats(messages: 10, payloadBytes: 10_000, largest: 1500, smallest: 500)
        var c = ReportFixtures.makeCase("agent", mbps: 10, msgsPerSecond: 1000)
        c.spec = CaseSpec(name: "agent", workload: .replay(r))
        c.transport = transport
        c.figures.messages = 2000
        c.figures.bytesTx = 2000 * 1000
        c.figures.bytesRx = 2000 * 300
        return CaseEvidence(c: c, context: DiagnosisContext.from(ReportFixtures.document([c])))
    }

    @Test func framesAreTheServicesFramingAroundWhatWasMeasured() {
        let e = Self.replay(transport: "unix")
        #expect(e.requestFrame == 1000 + 4, "u32be: a 4-byte prefix")
        #expect(e.responseFrame == 300 + 2, "u16be responses of 300 bytes measured, though expect is any")
    }

    @Test func overSeqpacketThereIsNoFraming() {
        let e = Self.replay(transport: "unix+seqpacket")
        #expect(e.requestFrame == 1000 && e.responseFrame == 300)
    }
}
