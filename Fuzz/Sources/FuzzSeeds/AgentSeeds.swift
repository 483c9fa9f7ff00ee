import VsockBenchAgent

/// Seeds of AgentMask (request payloads) and AgentVerify (`[seed][size][response]`): generated
/// fragments of several sizes, and small hand-made ones that reach each masking rule's edges.
enum AgentSeeds {
    static func write(to writer: SeedWriter) throws {
        for seed in 1...3 as ClosedRange<UInt64> {
            for size in [512, 1024, 2048, 4096] {
                var generator = AgentRequestGenerator(seed: seed, sizes: .fixed(size))
                let request = generator.makeRequest(sequence: 0)
                try writer.write("AgentMask", "generated-s\(seed)-\(size)", request.bytes)
            }
        }
        for (name, bytes) in handMade() {
            try writer.write("AgentMask", name, bytes)
        }
        // The verifier's input: the genuine response to request 1 after request 0, with the
        // masker key the harness uses, for sizes 512 + 32 x byte.
        for seed in 0...3 as ClosedRange<UInt8> {
            for sizeByte in [0, 16, 48, 112] as [UInt8] {
                var generator = AgentRequestGenerator(seed: UInt64(seed), sizes: .fixed(512 + 32 * Int(sizeByte)))
                let first = generator.makeRequest(sequence: 0)
                let second = generator.makeRequest(sequence: 1)
                var masker = AgentMasker(connectionKey: (UInt64(seed), 0x5EED))
                var response: [UInt8] = []
                for request in [first, second] {
                    try request.bytes.withUnsafeBytes { raw in
                        do throws(AgentError) { _ = try masker.process(request: raw, into: &response) } catch {
                            throw SeedWriter.Failure(description: "generated request refused: \(error)")
                        }
                    }
                }
                try writer.write("AgentVerify", "genuine-s\(seed)-\(sizeByte)", [seed, sizeByte] + response)
                if seed == 0 && sizeByte == 0 {
                    try writer.write("AgentVerify", "truncated", [seed, sizeByte] + response.prefix(response.count / 2))
                    try writer.write("AgentVerify", "empty", [seed, sizeByte])
                }
            }
        }
    }

    /// Fragments built field by field (proto/agent.proto): one column of each class, and cells
    /// at the rules' edges.
    static func handMade() -> [(String, [UInt8])] {
        let classes: [(String, Int64, [String])] = [
            ("none", 0, ["plain", "", "42"]),
            ("name", 1, ["Ada", "Ada", "Grace Hopper", "", "é"]),
            ("email", 2, ["a@b.co", "@", "x@", "no-at", "a@b@c.org", "ü@ä.de"]),
            ("card", 3, ["4111 1111 1111 1111", "12", "4111-1111", "x"]),
            ("phone", 4, ["+44 20 7946 0958", "7", "--"]),
            ("national-id", 5, ["AB123456C", "1"]),
            ("free-text", 6, ["mail a@b.co now", "card 4111111111111111 end", "nothing here", "1234", "@@@"]),
            ("unknown-class", 9, ["secret"]),
            ("negative-class", -1, ["secret"]),
        ]
        var seeds: [(String, [UInt8])] = []
        for (name, sensitivity, cells) in classes {
            var fragment = Proto()
            fragment.varint(1, 77)
            fragment.bytes(2, Array("SELECT \(name) FROM seed".utf8))
            var column = Proto()
            column.bytes(1, Array(name.utf8))
            column.varint(2, 4)
            column.varint(3, UInt64(bitPattern: sensitivity))
            fragment.bytes(3, column.data)
            for cell in cells {
                var row = Proto()
                row.bytes(1, Array(cell.utf8))
                var lengths = Proto()
                lengths.rawVarint(UInt64(cell.utf8.count))
                row.bytes(2, lengths.data)
                fragment.bytes(4, row.data)
            }
            seeds.append(("class-\(name)", fragment.data))
        }
        // Two columns; lengths unpacked; a row of empty cells; a row without fields.
        var fragment = Proto()
        for (name, sensitivity) in [("who", 1), ("mail", 2)] as [(String, UInt64)] {
            var column = Proto()
            column.bytes(1, Array(name.utf8))
            column.varint(3, sensitivity)
            fragment.bytes(3, column.data)
        }
        var row = Proto()
        row.bytes(1, Array("Bobb@c.io".utf8))
        row.varint(2, 3)
        row.varint(2, 6)
        fragment.bytes(4, row.data)
        var empty = Proto()
        empty.bytes(2, [0, 0])
        fragment.bytes(4, empty.data)
        seeds.append(("two-columns-unpacked", fragment.data))
        var noColumns = Proto()
        noColumns.bytes(4, [])
        noColumns.bytes(4, [])
        seeds.append(("rows-without-columns", noColumns.data))
        seeds.append(("empty", []))
        return seeds
    }
}

/// Protobuf wire format, enough for seeds.
struct Proto {
    var data: [UInt8] = []

    mutating func rawVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            data.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
    }

    mutating func varint(_ field: UInt64, _ value: UInt64) {
        rawVarint(field << 3)
        rawVarint(value)
    }

    mutating func bytes(_ field: UInt64, _ value: [UInt8]) {
        rawVarint(field << 3 | 2)
        rawVarint(UInt64(value.count))
        data.append(contentsOf: value)
    }
}
