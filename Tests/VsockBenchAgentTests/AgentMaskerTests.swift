import Foundation
import SwiftProtobuf
import Testing

@testable import VsockBenchAgent

@Suite("AgentMasker: decode, mask, encode")
struct AgentMaskerTests {
    @Test("the same name gets the same token within a connection, another one across connections")
    func tokensPerConnection() throws {
        var first = AgentMasker(connectionKey: Fixtures.key)
        let fragment = Fixtures.fragment(classes: [.name], rows: [["Ada"], ["Bob"], ["Ada"]])
        let (a, _) = try Fixtures.mask(fragment, masker: &first)
        let (b, _) = try Fixtures.mask(fragment, masker: &first)
        #expect(a.rows[0].cells[0] == a.rows[2].cells[0])
        #expect(a.rows[0].cells[0] != a.rows[1].cells[0])
        #expect(a.rows == b.rows)

        var other = AgentMasker(connectionKey: (1, 2))
        let (c, _) = try Fixtures.mask(fragment, masker: &other)
        #expect(c.rows[0].cells[0] != a.rows[0].cells[0])
    }

    @Test("non-ASCII names are tokenized and non-ASCII text survives as valid UTF-8")
    func nonASCII() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let fragment = Fixtures.fragment(
            classes: [.name, .none, .freeText],
            rows: [["Zoë Østergaard", "Zürich", "Посылка для 山田: card 4111111111111111 ✓"]])
        let (result, _) = try Fixtures.mask(fragment, masker: &masker)
        let cells = result.rows[0].cells
        #expect(String(data: cells[0], encoding: .utf8)?.hasPrefix("tok_") == true)
        #expect(String(data: cells[1], encoding: .utf8) == "Zürich")
        #expect(String(data: cells[2], encoding: .utf8) == "Посылка для 山田: card ************1111 ✓")
    }

    @Test("a 1 MiB free-text cell is scanned whole; a 1 MiB non-sensitive cell passes unchanged")
    func hugeCells() throws {
        let filler = String(repeating: "lorem ipsum dolor ", count: 1 << 16)  // 1 MiB + a bit
        let note = filler + "mail me at big@example.com or charge 5500 0055 5555 5559." + filler
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let fragment = Fixtures.fragment(classes: [.freeText, .none], rows: [[note, filler]])
        let (result, _) = try Fixtures.mask(fragment, masker: &masker)
        let masked = Fixtures.text(result.rows[0].cells[0])
        #expect(masked == filler + "mail me at ***@example.com or charge **** **** **** 5559." + filler)
        #expect(result.rows[0].cells[1] == Data(filler.utf8))
        #expect(result.counts.freeTextEmails == 1 && result.counts.freeTextCards == 1)
    }

    @Test("a fragment with no rows gives a result set with no rows")
    func noRows() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let (result, _) = try Fixtures.mask(Fixtures.fragment(id: 99, classes: [.email], rows: []), masker: &masker)
        #expect(result.fragmentID == 99)
        #expect(result.rows.isEmpty)
    }

    @Test("malformed protobuf throws malformedRequest and leaves the output empty")
    func malformed() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let good: [UInt8] = try Fixtures.fragment(classes: [.email], rows: [["a@example.com"]]).serializedBytes()
        let inputs: [[UInt8]] = [
            Array(good.dropLast(3)),  // truncated
            [0x22, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],  // length beyond the buffer
            [0x0B, 0x00],  // start-group wire type where none is expected
            [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],  // overlong varint
            [0x12, 0x02, 0xC3, 0x28],  // sql (a string) that is not UTF-8
        ]
        for input in inputs {
            var output: [UInt8] = [42]
            let error = #expect(throws: AgentError.self) {
                try input.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            }
            guard case .malformedRequest(let count, _) = error else {
                Issue.record("expected malformedRequest")
                continue
            }
            #expect(count == input.count)
            #expect(output.isEmpty)
            #expect(error?.description.contains("not a valid QueryFragment") == true)
        }
    }

    @Test("a row with the wrong number of cells is rejected")
    func rowShape() throws {
        var masker = AgentMasker(connectionKey: Fixtures.key)
        let bytes: [UInt8] = try Fixtures.fragment(classes: [.email, .none], rows: [["a@b.co", "x"], ["only one"]])
            .serializedBytes()
        var output: [UInt8] = []
        #expect(throws: AgentError.rowShapeMismatch(row: 1, cells: 1, columns: 2)) {
            try bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        }
    }

    @Test("the response bytes are exactly what swift-protobuf writes for the same MaskedResultSet")
    func canonicalEncoding() throws {
        var generator = AgentRequestGenerator(seed: 8, sizes: .lognormal(median: 8192, sigma: 1))
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        for sequence in 0..<20 as Range<UInt64> {
            let request = generator.makeRequest(sequence: sequence)
            _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            let decoded = try MaskedResultSet(serializedBytes: output)
            #expect(try decoded.serializedBytes() == output)
            #expect(decoded.rows.count == request.rowCount)
        }
        // Edge shapes: unknown enum values, empty names, all-empty rows, zero counts.
        var fragment = Fixtures.fragment(id: 0, classes: [.none, .UNRECOGNIZED(9)], rows: [["", ""], ["x", ""]])
        fragment.columns[0].name = ""
        fragment.columns[1].type = .UNRECOGNIZED(300)
        let (result, _) = try Fixtures.mask(fragment, masker: &masker)
        let bytes: [UInt8] = try fragment.serializedBytes()
        _ = try bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        #expect(try result.serializedBytes() == output)
        #expect(result.columns == fragment.columns)
    }

    @Test("damaged requests either fail with an AgentError or mask cleanly, never trap")
    func damagedRequests() throws {
        var generator = AgentRequestGenerator(seed: 17, sizes: .fixed(2048))
        var rng = Xoshiro256(seed: 99)
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        var rejected = 0
        for sequence in 0..<400 as Range<UInt64> {
            var bytes = generator.makeRequest(sequence: sequence % 8).bytes
            switch rng.next(below: 3) {
            case 0:  // flip a few bytes
                for _ in 0...rng.index(4) { bytes[rng.index(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 + rng.next(below: 255)) }
            case 1:  // cut the message short
                bytes.removeLast(1 + rng.index(bytes.count - 1))
            default:  // splice in random bytes
                let at = rng.index(bytes.count)
                bytes.insert(contentsOf: (0..<(1 + rng.index(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
            }
            do {
                _ = try bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
                // Whatever was accepted must come out as a decodable result set.
                _ = try MaskedResultSet(serializedBytes: output)
            } catch is AgentError {
                rejected += 1
                #expect(output.isEmpty)
            }
        }
        #expect(rejected > 100)
    }

    @Test("a row whose cell lengths do not add up to its values is rejected")
    func cellLengths() throws {
        var fragment = Fixtures.fragment(classes: [.email, .none], rows: [["a@b.co", "x"]])
        fragment.rows[0].valueLengths[1] = 5
        let bytes: [UInt8] = try fragment.serializedBytes()
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        #expect(throws: AgentError.cellLengthsMismatch(row: 0, declared: 11, actual: 7)) {
            try bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        }
    }

    @Test("timings are reported per phase from a monotonic clock")
    func timings() throws {
        var generator = AgentRequestGenerator(seed: 1, sizes: .fixed(8192))
        let request = generator.makeRequest(sequence: 0)
        var masker = AgentMasker(connectionKey: Fixtures.key)
        var output: [UInt8] = []
        let timings = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        #expect(timings.decodeNanos > 0 && timings.maskNanos > 0 && timings.encodeNanos > 0)
        #expect(timings.totalNanos == timings.decodeNanos + timings.maskNanos + timings.encodeNanos)
        #expect(timings.totalNanos < 1_000_000_000)
    }
}
