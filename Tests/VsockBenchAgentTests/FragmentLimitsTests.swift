import Testing
@testable import VsockBenchAgent

@Suite struct FragmentLimitsTests {
    /// A fragment of empty rows: 2 bytes each on the wire, a structure each once decoded.
    static func emptyRows(_ count: Int) -> [UInt8] {
        Array(repeating: [0x22, 0x00], count: count).flatMap { $0 }
    }

    /// Rows of `FragmentLimits.minimumRowBytes` bytes each: one cell of 12 bytes.
    static func denseRows(_ count: Int) -> [UInt8] {
        let row: [UInt8] = [0x22, 14, 0x0A, 12] + Array(repeating: 0x61, count: 12)
        #expect(row.count == FragmentLimits.minimumRowBytes)
        return Array(repeating: row, count: count).flatMap { $0 }
    }

    static func refusal(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { raw in
            do {
                _ = try AgentMasker.decode(raw)
                return nil
            } catch {
                return "\(error)"
            }
        }
    }

    @Test func tooManyRowsAreRefusedBeforeDecoding() {
        let refusal = Self.refusal(Self.denseRows(FragmentLimits.maxRows + 1))
        #expect(refusal?.contains("more than \(FragmentLimits.maxRows) rows") == true, "\(refusal ?? "decoded")")
    }

    @Test func theLimitItselfDecodes() {
        #expect(Self.refusal(Self.denseRows(FragmentLimits.maxRows)) == nil)
    }

    /// Empty rows decode to about 54 bytes each from 2 on the wire: past the first 64, a
    /// fragment holds at most one row per 16 bytes, which keeps decoding within
    /// `maxDecodedBytes` of the fragment (the target's budget counts that).
    @Test func tinyRowsAreRefusedPastOnePer16Bytes() {
        #expect(Self.refusal(Self.emptyRows(FragmentLimits.rowsFree)) == nil)
        let refusal = Self.refusal(Self.emptyRows(1000))
        #expect(refusal?.contains("more than 125 rows in 2000 bytes") == true, "\(refusal ?? "decoded")")
        #expect(Self.refusal(Self.denseRows(1000)) == nil)
    }
}
