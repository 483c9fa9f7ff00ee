import Testing

@testable import VsockBenchAgent

/// A request of cells that grow when masked (one-byte names become 20-byte tokens) cannot make
/// the agent build a response past its limit: it is refused before the rows are written.
@Suite struct AgentAmplificationTests {
    @Test func anAmplifyingRequestIsRefusedBeforeItIsBuilt() throws {
        // 64 one-byte name columns in 2000 rows: 128 000 request bytes, over 2.5 MB masked.
        let row = Array(repeating: "a", count: 64)
        let fragment = Fixtures.fragment(classes: Array(repeating: .name, count: 64), rows: Array(repeating: row, count: 2000))
        let request: [UInt8] = try fragment.serializedBytes()
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let decoded = try request.withUnsafeBytes { raw throws(AgentError) in try AgentMasker.decode(raw) }
        do {
            try masker.mask(decoded, limit: 1 << 20)
            Issue.record("a 2.5 MB result was built under a 1 MiB limit")
        } catch {
            guard case let .responseTooLarge(row, bytes, limit) = error else { Issue.record("\(error)"); return }
            #expect(limit == 1 << 20 && bytes > limit)
            #expect(row < 2000, "refused as soon as the next row could pass the limit")
            #expect(error.description.contains("over the 1048576-byte limit"))
        }
        // The same request within a larger limit is masked whole, and the masker still works.
        try masker.mask(decoded, limit: 16 << 20)
        var output: [UInt8] = []
        masker.encode(into: &output)
        #expect(output.count > 2_000_000)
    }

    /// The echoed column descriptors, the fragment id and the counts count too: a request of
    /// many long-named columns and two rows was let through a limit its response passed.
    @Test func echoedColumnsCountAgainstTheLimit() throws {
        let columns = 1024
        let names = (0..<columns).map { "c\($0)_" + String(repeating: "x", count: 26) }
        let rows = Array(repeating: Array(repeating: "a", count: columns), count: 2)
        var fragment = Fixtures.fragment(classes: Array(repeating: .name, count: columns), rows: rows)
        for index in 0..<columns { fragment.columns[index].name = names[index] }
        let request: [UInt8] = try fragment.serializedBytes()
        let decoded = try request.withUnsafeBytes { raw throws(AgentError) in try AgentMasker.decode(raw) }
        var masker = AgentMasker(connectionKey: Fixtures.key)
        try masker.mask(decoded)
        var output: [UInt8] = []
        masker.encode(into: &output)
        let size = output.count
        #expect(size > request.count)
        // Under any limit below the response's size it is refused; at any limit it passes, it fits.
        for limit in [size - 1, size / 2, size - 40 * columns, request.count] {
            #expect(throws: AgentError.self, "limit \(limit) of a \(size)-byte response") { try masker.mask(decoded, limit: limit) }
        }
        var accepted = 0
        // The projection counts each cell at the most it can grow to (2 bytes a byte, 20 more,
        // a 5-byte length): up to about 16 bytes a cell above a name token's real size here.
        let cells = 2 * columns
        for limit in stride(from: size, through: size + 16 * cells, by: 256) {
            guard (try? masker.mask(decoded, limit: limit)) != nil else { continue }
            accepted += 1
            output.removeAll()
            masker.encode(into: &output)
            #expect(output.count <= limit)
        }
        // The bound is generous, not absurd: some limit within 16 bytes a cell of the real size
        // is taken (a check that refused every one would pass the loop above unseen).
        #expect(accepted > 0, "no limit up to \(size + 16 * cells) bytes was accepted for a \(size)-byte response")
        // Columns alone, with no rows, count as well.
        let empty: [UInt8] = try Fixtures.fragment(classes: Array(repeating: .name, count: columns), rows: []).serializedBytes()
        let emptyDecoded = try empty.withUnsafeBytes { raw throws(AgentError) in try AgentMasker.decode(raw) }
        #expect(throws: AgentError.self) { try masker.mask(emptyDecoded, limit: columns) }
    }
}
