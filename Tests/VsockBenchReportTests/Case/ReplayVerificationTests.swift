import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport
import VsockTransport
import VsockWire

/// What a replay's verification says it checked: the limit a response is held to.
@Suite struct ReplayVerificationTests {
    static func spec(framing: MessageFraming, response: MessageFraming? = nil, maxResponse: Int = 16 << 20) -> CaseSpec {
        var r = ReplayWorkload()
        r.framing = framing
        r.responseFraming = response
        r.maxResponse = maxResponse
        return CaseSpec(name: "r", workload: .replay(r))
    }

    /// A u16be message carries at most 65535 bytes: the note said max_response's 16777216,
    /// a limit that could never apply. The smaller of the two is said.
    @Test func theLimitSaidIsTheSmallerOfTheFramingsAndMaxResponse() {
        #expect(CaseSummary.verification(Self.spec(framing: .u16be)).hasPrefix("every response: one u16be message of at most 65535 bytes"))
        #expect(CaseSummary.verification(Self.spec(framing: .u32be, response: .u16be)).hasPrefix("every response: one u16be message of at most 65535 bytes"))
        #expect(CaseSummary.verification(Self.spec(framing: .u16be, maxResponse: 4096)).hasPrefix("every response: one u16be message of at most 4096 bytes"))
        #expect(CaseSummary.verification(Self.spec(framing: .u32be)).hasPrefix("every response: one u32be message of at most 16777216 bytes"))
        // Over seqpacket a response is one packet whatever its framing says: max_response holds.
        #expect(CaseSummary.verification(Self.spec(framing: .u16be), over: .seqpacket).hasPrefix("every response: one packet (the whole message) of at most 16777216 bytes"))
    }
}
