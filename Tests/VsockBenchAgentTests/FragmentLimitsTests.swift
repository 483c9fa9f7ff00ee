import Testing
@testable import VsockBenchAgent

@Suite struct FragmentLimitsTests {
    /// A fragment of empty rows: 2 bytes each on the wire, a structure each once decoded.
    static func emptyRows(_ count: Int) -> [UInt8] {
        Array(repeating: [0x22, 0x00], count: count).flatMap { $0 }
    }

    @Test func tooManyRowsAreRefusedBeforeDecoding() {
        let bytes = Self.emptyRows(FragmentLimits.maxRows + 1)
        bytes.withUnsafeBytes { raw in
            do {
                _ = try AgentMasker.decode(raw)
                Issue.record("decoded \(FragmentLimits.maxRows + 1) rows")
            } catch {
                #expect("\(error)".contains("more than \(FragmentLimits.maxRows) rows"))
            }
        }
    }

    @Test func theLimitItselfDecodes() throws {
        let bytes = Self.emptyRows(1000)
        try bytes.withUnsafeBytes { raw in _ = try AgentMasker.decode(raw) }
    }
}
