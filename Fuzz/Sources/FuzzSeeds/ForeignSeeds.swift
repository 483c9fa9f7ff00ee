import VsockWire

/// Seeds of ForeignStream (`[framing][maxPayload u16][initialCapacity u16][stream]`): per
/// framing, a few whole messages (empty, small, at the limit), then a message past the limit,
/// a stream ending inside a message, and bytes that are not the framing.
enum ForeignSeeds {
    static func write(to writer: SeedWriter) throws {
        for (index, framing) in MessageFraming.allCases.enumerated() {
            func seed(_ name: String, max: UInt16 = 300, capacity: UInt16 = 32, _ stream: [UInt8]) throws {
                var bytes: [UInt8] = [UInt8(index)]
                bytes.appendBigEndian(max)
                bytes.appendBigEndian(capacity)
                try writer.write("ForeignStream", "\(framing.rawValue)-\(name)", bytes + stream)
            }
            func messages(_ sizes: [Int]) -> [UInt8] {
                var out: [UInt8] = []
                for size in sizes {
                    // Printable, newline-free payloads: valid in every framing.
                    framing.encode((0..<size).map { UInt8(0x41 + $0 % 26) }, into: &out)
                }
                return out
            }
            try seed("whole", messages([0, 1, 5, 127, 128, 300]))
            try seed("past-limit", messages([3, 301]))
            let whole = messages([200])
            try seed("truncated", Array(whole.dropLast(7)))
            try seed("limit-zero", max: 0, capacity: 0, messages([0, 0, 1]))
            try seed("garbage", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0A, 0x00])
        }
    }
}
