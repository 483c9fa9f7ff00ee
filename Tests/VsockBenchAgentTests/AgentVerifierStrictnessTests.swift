import Testing

@testable import VsockBenchAgent

/// A response can carry plaintext only where the verifier reads: a field outside the schema, a
/// second copy of a singular field or a rewritten column descriptor is refused, and the leak
/// scan covers every byte of the response.
@Suite("AgentVerifier: nothing rides beside the checked fields")
struct AgentVerifierStrictnessTests {
    private static func varint(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    /// A length-delimited field.
    private static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(payload.count) + payload
    }

    private static func field(_ number: Int, varint value: Int) -> [UInt8] {
        varint(number << 3) + varint(value)
    }

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private static let email = "alice@example.com"
    private static let id = 7
    /// An email column (type TEXT, sensitivity EMAIL), encoded as the generator and masker do.
    private static let column = field(1, bytes("email")) + field(2, varint: 4) + field(3, varint: 2)
    private static func row(_ cell: String) -> [UInt8] {
        field(1, bytes(cell)) + field(2, varint(cell.utf8.count))
    }

    private let request = AgentRequest(
        fragmentID: UInt64(Self.id), bytes: Self.field(1, varint: Self.id) + Self.field(3, Self.column) + Self.field(4, Self.row(Self.email)),
        rowCount: 1)

    /// What the masker sends for `request`.
    private func genuine() throws -> [UInt8] {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        return output
    }

    /// A response built from its parts: the genuine one with the defaults.
    private func response(
        columns: [UInt8] = Self.field(2, Self.column),
        row: [UInt8] = Self.field(3, Self.row("***@example.com")),
        extra: [UInt8] = []
    ) -> [UInt8] {
        Self.field(1, varint: Self.id) + columns + row + Self.field(4, Self.field(2, varint: 1)) + extra
    }

    private func verify(_ response: [UInt8]) -> AgentVerificationFailure? {
        var verifier = AgentVerifier()
        return verifier.verify(response: response, for: request)
    }

    @Test("the hand-built response is the masker's, and passes")
    func genuinePasses() throws {
        #expect(try genuine() == response())
        #expect(verify(response()) == nil)
    }

    @Test("plaintext in an extra field, a second values field or a rewritten column is refused, without the value")
    func smuggledPlaintext() {
        let plaintext = Self.bytes(Self.email)
        let masked = Self.row("***@example.com")
        let cases: [(String, [UInt8], AgentVerificationFailure)] = [
            ("a top-level field 15", response(extra: Self.field(15, plaintext)),
             .init(row: nil, column: nil, rule: .unexpectedField(message: "MaskedResultSet", number: 15, wireType: 2))),
            ("a field 9 inside the row", response(row: Self.field(3, masked + Self.field(9, plaintext))),
             .init(row: 0, column: nil, rule: .unexpectedField(message: "Row", number: 9, wireType: 2))),
            ("the row's values twice, the first plaintext", response(row: Self.field(3, Self.field(1, plaintext) + masked)),
             .init(row: 0, column: nil, rule: .repeatedField(message: "Row", number: 1))),
            ("the column descriptor rewritten (name x, sensitivity NONE)",
             response(columns: Self.field(2, Self.field(1, Self.bytes("x")) + Self.field(2, varint: 1))),
             .init(row: nil, column: nil, rule: .columnDescriptorMismatch(index: 0))),
            ("the fragment id twice", response(extra: Self.field(1, varint: Self.id)),
             .init(row: nil, column: nil, rule: .repeatedField(message: "MaskedResultSet", number: 1))),
            ("the counts twice", response(extra: Self.field(4, Self.field(2, varint: 1))),
             .init(row: nil, column: nil, rule: .repeatedField(message: "MaskedResultSet", number: 4))),
            ("a field 8 inside the counts", Array(response().dropLast(4)) + Self.field(4, Self.field(2, varint: 1) + Self.field(8, plaintext)),
             .init(row: nil, column: nil, rule: .unexpectedField(message: "MaskCounts", number: 8, wireType: 2))),
        ]
        for (name, bytes, expected) in cases {
            let failure = verify(bytes)
            #expect(failure == expected, "\(name)")
            #expect(failure.map { !$0.description.contains("alice") && !$0.description.contains("@") } ?? false, "\(name)")
        }
    }

    @Test("a sensitive value anywhere in the response is a leak, in a row's cells or not")
    func wholeResponseLeakScan() {
        // Two rows: the first row's email shows in the second row's cells (a NONE column).
        let columns = Self.field(1, Self.bytes("email")) + Self.field(2, varint: 4) + Self.field(3, varint: 2)
        let plain = Self.field(1, Self.bytes("note")) + Self.field(2, varint: 4)
        func twoCells(_ a: String, _ b: String) -> [UInt8] {
            Self.field(1, Self.bytes(a + b)) + Self.field(2, Self.varint(a.utf8.count) + Self.varint(b.utf8.count))
        }
        let requestBytes = Self.field(1, varint: 3) + Self.field(3, columns) + Self.field(3, plain)
            + Self.field(4, twoCells(Self.email, "x")) + Self.field(4, twoCells("bob@example.org", "y"))
        let request = AgentRequest(fragmentID: 3, bytes: requestBytes, rowCount: 2)
        let responseBytes = Self.field(1, varint: 3) + Self.field(2, columns) + Self.field(2, plain)
            + Self.field(3, twoCells("***@example.com", "x")) + Self.field(3, twoCells("***@example.org", Self.email))
            + Self.field(4, Self.field(2, varint: 2))
        var verifier = AgentVerifier()
        let failure = verifier.verify(response: responseBytes, for: request)
        #expect(failure == AgentVerificationFailure(row: 0, column: nil, rule: .leakedElsewhere(sourceColumn: "email")))
        #expect(failure.map { !$0.description.contains("alice") } ?? false)
    }
}

/// The verifier expects masked in free text exactly what the generator planted; the masker
/// masks every card it finds, next to other digits too. The two agree on a card one space from
/// an expiry or a quantity, and on generated notes, whose reference numbers hold no card.
@Suite("AgentVerifier and masker agree on cards beside other digits")
struct CardBesideDigitsAgreementTests {
    @Test("a card next to an expiry or a quantity, planted, is masked and verifies")
    func plantedBesideDigits() throws {
        for (text, card) in [
            ("paid with 4111 1111 1111 1111 12/25", "4111 1111 1111 1111"), ("qty 3 4111111111111111", "4111111111111111"),
        ] {
            let fragment = Fixtures.fragment(classes: [.freeText], rows: [[text]])
            let bytes: [UInt8] = try fragment.serializedBytes()
            let needle = Array(card.utf8)
            let offset = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
            let request = AgentRequest(
                fragmentID: fragment.id, bytes: bytes, rowCount: 1,
                embedded: [EmbeddedSecret(kind: .card, range: offset..<(offset + needle.count))])
            var masker = AgentMasker(connectionKey: Fixtures.key)
            var output: [UInt8] = []
            _ = try bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            var verifier = AgentVerifier()
            let failure = verifier.verify(response: output, for: request)
            #expect(failure == nil, "\(text): \(failure?.description ?? "")")
        }
    }

    @Test("generated reference numbers hold no groups that make a card: every response verifies")
    func generatedNotesVerify() throws {
        var generator = AgentRequestGenerator(seed: 5, sizes: .fixed(16 << 10))
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var verifier = AgentVerifier()
        var output: [UInt8] = []
        for sequence in 0..<400 as Range<UInt64> {
            let request = generator.makeRequest(sequence: sequence)
            _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            let failure = verifier.verify(response: output, for: request)
            #expect(failure == nil, "sequence \(sequence): \(failure?.description ?? "")")
            if failure != nil { break }
        }
    }

    @Test("the generator's reference numbers are broken apart when groups of them pass Luhn")
    func referenceSpansBroken() {
        // 4000 0000 0000 0000 006 passes Luhn as a whole: one digit must change.
        var digits: [UInt8] = Array("4000000000000000006".utf8).map { $0 - UInt8(ascii: "0") }
        digits.withUnsafeMutableBufferPointer { buffer in
            #expect(ValueWriter.hasCardSpan(buffer, count: buffer.count))
            ValueWriter.breakCardSpans(buffer, count: buffer.count, keeping: 1)
            #expect(!ValueWriter.hasCardSpan(buffer, count: buffer.count))
        }
        #expect(digits[0] == 4)
    }
}
