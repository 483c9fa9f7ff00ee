import Foundation
import SwiftProtobuf
import Testing

@testable import VsockBenchAgent

@Suite("Request generator")
struct GeneratorTests {
    private func decode(_ request: AgentRequest) throws -> QueryFragment {
        try QueryFragment(serializedBytes: request.bytes)
    }

    @Test("same seed and sequence give the same bytes, in any order; other seeds differ")
    func determinism() {
        var a = AgentRequestGenerator(seed: 42, sizes: .lognormal(median: 8192, sigma: 0.5))
        var b = AgentRequestGenerator(seed: 42, sizes: .lognormal(median: 8192, sigma: 0.5))
        let forward = (0..<20).map { a.makeRequest(sequence: UInt64($0)).bytes }
        let backward = (0..<20).reversed().map { b.makeRequest(sequence: UInt64($0)).bytes }
        #expect(forward == Array(backward.reversed()))
        var c = AgentRequestGenerator(seed: 43, sizes: .lognormal(median: 8192, sigma: 0.5))
        #expect(c.makeRequest(sequence: 0).bytes != forward[0])
    }

    @Test("sizes land within half a row of the target", arguments: [512, 2048, 8192, 65_536, 1 << 20])
    func sizes(target: Int) throws {
        var generator = AgentRequestGenerator(seed: 7, sizes: .fixed(target))
        for sequence in 0..<20 as Range<UInt64> {
            let request = generator.makeRequest(sequence: sequence)
            let fragment = try decode(request)
            let largestRow = try fragment.rows.map { try $0.serializedBytes() as [UInt8] }.map(\.count).max() ?? 0
            #expect(request.targetSize == target)
            #expect(abs(request.bytes.count - target) <= largestRow / 2 + 4)
            #expect(fragment.rows.count == request.rowCount)
        }
    }

    @Test("swift-protobuf decodes what the generator writes; ids, columns and cells are as expected")
    func decodesAsQueryFragment() throws {
        var generator = AgentRequestGenerator(seed: 3, sizes: .fixed(8192))
        let request = generator.makeRequest(sequence: 12)
        let fragment = try decode(request)
        #expect(fragment.id == 12 && request.fragmentID == 12)
        #expect(fragment.columns.map(\.name) == FragmentSchema.columns.map(\.name))
        #expect(fragment.columns.map(\.sensitivity) == FragmentSchema.columns.map(\.sensitivity))
        #expect(fragment.rows.allSatisfy { $0.cells.count == FragmentSchema.columns.count })
        // Re-encoding gives the same bytes: the hand-written wire format is canonical.
        #expect(try fragment.serializedBytes() == request.bytes)
        for row in fragment.rows {
            #expect(String(data: row.cells[1], encoding: .utf8) != nil)  // valid UTF-8
            #expect(Fixtures.text(row.cells[2]).contains("@"))
        }
    }

    @Test("generated card numbers are Luhn-valid, 13 to 19 digits")
    func cardsAreLuhnValid() throws {
        var generator = AgentRequestGenerator(seed: 11, sizes: .fixed(65_536))
        let fragment = try decode(generator.makeRequest(sequence: 0))
        for row in fragment.rows {
            let digits = row.cells[3].filter { $0 >= 48 && $0 <= 57 }.map { $0 - 48 }
            #expect((13...19).contains(digits.count))
            #expect(digits.withUnsafeBufferPointer { Luhn.isValid($0) })
        }
    }

    @Test("rows are realistic: non-ASCII names and cities, empty cells, planted secrets and decoys")
    func realism() throws {
        var generator = AgentRequestGenerator(seed: 5, sizes: .fixed(262_144))
        let request = generator.makeRequest(sequence: 1)
        let fragment = try decode(request)
        let names = fragment.rows.map { Fixtures.text($0.cells[1]) }
        let notes = fragment.rows.map { Fixtures.text($0.cells[9]) }
        #expect(names.contains { $0.utf8.count != $0.unicodeScalars.count })
        #expect(fragment.rows.contains { Fixtures.text($0.cells[8]).contains("ü") || Fixtures.text($0.cells[8]) == "東京" })
        #expect(fragment.rows.contains { $0.cells[4].isEmpty })
        #expect(notes.contains { $0.hasPrefix("Order reference") || $0.contains(" Order reference") })
        #expect(request.embedded.contains { $0.kind == .email })
        #expect(request.embedded.contains { $0.kind == .card })
        for secret in request.embedded {
            let value = String(decoding: request.bytes[secret.range], as: UTF8.self)
            #expect(secret.kind == .email ? value.contains("@") : value.first?.isNumber == true)
        }
    }

    @Test("the wire writer's varint sizes match what it writes")
    func varints() {
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 35, .max] {
            var bytes: [UInt8] = []
            ProtoWireWriter.appendVarint(value, to: &bytes)
            #expect(bytes.count == ProtoWireWriter.varintSize(value))
        }
    }
}
