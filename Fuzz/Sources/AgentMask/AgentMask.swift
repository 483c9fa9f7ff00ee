import FuzzSupport
import VsockBenchAgent

/// The agent's work on one request, as `serve --mode agent` runs it (`AgentResponder`):
/// `AgentMasker.decode`, `mask`, `encode` behind 32 bytes of header room, then `wipe`; then the
/// same masker (one per connection) on the first half of the input, a smaller request after a
/// larger one, reusing the grown table.
///
/// Input: the request frame's payload, an arbitrary protobuf fragment.
///
/// Checks, for a request the agent accepts (one it refuses must throw an `AgentError`):
/// - the response is at most 11 times the request plus 128 bytes: the amplification the rules
///   allow (a 1-byte name with its 1-byte length becomes a 20-byte token with its length), so
///   no input makes the agent build an unbounded response;
/// - the response reads back (parsed here, not with the agent's reader) with the request's id,
///   columns and row count, one length per column in every row covering its values, and each
///   cell masked as its class demands (`MaskingReference`): empty stays empty, NONE unchanged,
///   names tokens (one token per name across the connection), emails `***@domain`, cards and
///   phones with their digits masked but the last 4 or 2, national ids and unknown classes
///   `[REDACTED]`, free text at most doubled; the counts match the cells masked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentMask(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let request = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size)
    var masker = AgentMasker(connectionKey: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210))
    var output: [UInt8] = []
    var tokens: [[UInt8]: [UInt8]] = [:]
    maskAndCheck(request, masker: &masker, output: &output, tokens: &tokens)
    maskAndCheck(UnsafeRawBufferPointer(rebasing: request.prefix(size / 2)), masker: &masker, output: &output, tokens: &tokens)
    return 0
}

private let headerRoom = 32

private func maskAndCheck(_ request: UnsafeRawBufferPointer, masker: inout AgentMasker, output: inout [UInt8], tokens: inout [[UInt8]: [UInt8]]) {
    output.removeAll(keepingCapacity: true)
    output.append(contentsOf: repeatElement(0, count: headerRoom))
    defer { masker.wipe() }
    do throws(AgentError) {
        let fragment = try AgentMasker.decode(request)
        try masker.mask(fragment)
    } catch {
        _ = error.description
        return
    }
    masker.encode(into: &output)
    let responseSize = output.count - headerRoom
    fuzzCheck(responseSize <= 11 * request.count + 128, "a \(request.count)-byte request gave a \(responseSize)-byte response")
    output.withUnsafeBytes { raw in
        checkResponse(UnsafeRawBufferPointer(rebasing: raw[headerRoom...]), request: request, tokens: &tokens)
    }
}

private func checkResponse(_ response: UnsafeRawBufferPointer, request: UnsafeRawBufferPointer, tokens: inout [[UInt8]: [UInt8]]) {
    guard let input = WireTable.request(request) else { return }
    guard let result = WireTable.result(response) else {
        fuzzCheck(false, "the response does not read as protobuf wire format")
        return
    }
    fuzzCheck(result.id == input.id, "fragment id \(result.id), request id \(input.id)")
    fuzzCheck(result.columns.count == input.columns.count, "\(result.columns.count) columns back for \(input.columns.count)")
    for (got, want) in zip(result.columns, input.columns) {
        fuzzCheck(got.name == want.name && got.type == want.type && got.sensitivity == want.sensitivity, "a column came back changed")
    }
    fuzzCheck(result.rows.count == input.rows.count, "\(result.rows.count) rows back for \(input.rows.count)")
    fuzzCheck(result.countsSeen == 1, "\(result.countsSeen) counts messages in the response")
    var expectedCounts: [UInt64: UInt64] = [:]
    let sensitivities = input.columns.map(\.sensitivity)
    for rowIndex in 0..<min(result.rows.count, input.rows.count) {
        guard let inCells = input.cells(ofRow: rowIndex) else {
            fuzzCheck(false, "the agent accepted row \(rowIndex) whose lengths do not cover its values")
            return
        }
        guard let outCells = result.cells(ofRow: rowIndex) else {
            fuzzCheck(false, "response row \(rowIndex): lengths do not cover the values")
            return
        }
        fuzzCheck(inCells.count == sensitivities.count, "the agent accepted row \(rowIndex) with \(inCells.count) cells for \(sensitivities.count) columns")
        fuzzCheck(outCells.count == inCells.count, "response row \(rowIndex) has \(outCells.count) cells for \(inCells.count)")
        for (column, (inRange, outRange)) in zip(inCells, outCells).enumerated() {
            let original = input.rows[rowIndex].values[inRange]
            let masked = result.rows[rowIndex].values[outRange]
            let sensitivity = sensitivities[column]
            if original.isEmpty {
                fuzzCheck(masked.isEmpty, "row \(rowIndex) column \(column): an empty cell came back with \(masked.count) bytes")
                continue
            }
            if let field = MaskingReference.countField(for: sensitivity) { expectedCounts[field, default: 0] += 1 }
            switch MaskingReference.expectation(for: original, sensitivity: sensitivity) {
            case let .exactly(bytes):
                fuzzCheck(Array(masked) == bytes, "row \(rowIndex) column \(column) (class \(sensitivity)): masked as \(Array(masked)), the rule gives \(bytes)")
            case .token:
                fuzzCheck(MaskingReference.isToken(masked), "row \(rowIndex) column \(column): name not replaced by a token")
                let name = Array(original)
                if let seen = tokens[name] {
                    fuzzCheck(seen == Array(masked), "row \(rowIndex) column \(column): one name, two tokens on one connection")
                } else {
                    tokens[name] = Array(masked)
                }
            case let .freeText(text):
                fuzzCheck(masked.count <= 2 * text.count, "row \(rowIndex) column \(column): free text grew from \(text.count) to \(masked.count) bytes")
                let plain = !text.contains(UInt8(ascii: "@")) && !text.contains { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                if plain { fuzzCheck(Array(masked) == text, "row \(rowIndex) column \(column): free text without @ or digits changed") }
            }
        }
    }
    for field in 1...5 as ClosedRange<UInt64> {
        let got = result.counts[field] ?? 0
        let want = expectedCounts[field] ?? 0
        fuzzCheck(got == want, "MaskCounts field \(field) is \(got), \(want) cells were masked")
    }
}
