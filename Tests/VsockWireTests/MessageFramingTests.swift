import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// The framings of services that are not vsockbench (`replay`), and the reader that reads them.
@Suite struct MessageFramingTests {
    static func scan(_ framing: MessageFraming, _ bytes: [UInt8], limit: Int = 1 << 20) -> MessageFraming.Scan {
        bytes.withUnsafeBytes { framing.scan($0, limit: limit) }
    }

    @Test(arguments: MessageFraming.allCases)
    func everyFramingRoundTripsMessagesOfManySizes(framing: MessageFraming) {
        let sizes = framing == .u16be ? [0, 1, 127, 128, 300, 16384, 65535] : [0, 1, 127, 128, 300, 16384, 70000]
        for size in sizes {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 251) }.map { framing == .line && $0 == 0x0A ? 0x0B : $0 }
            var wire: [UInt8] = []
            framing.encode(payload, into: &wire)
            #expect(wire.count == size + framing.overhead(size), "\(framing) \(size)")
            guard case let .message(range, total) = Self.scan(framing, wire + [1, 2, 3]) else {
                Issue.record("\(framing): a \(size)-byte message not found")
                continue
            }
            #expect(total == wire.count)
            #expect(Array(wire[range]) == payload)
            // Every strict prefix asks for more.
            for cut in [0, 1, wire.count / 2, wire.count - 1] where cut < wire.count {
                if case .needMore = Self.scan(framing, Array(wire.prefix(cut))) {} else { Issue.record("\(framing): a prefix of \(cut) of \(wire.count) bytes is not incomplete") }
            }
        }
    }

    @Test func knownEncodings() {
        var out: [UInt8] = []
        MessageFraming.u32be.encode([9], into: &out)
        #expect(out == [0, 0, 0, 1, 9])
        out = []
        MessageFraming.u32le.encode([9, 9], into: &out)
        #expect(out == [2, 0, 0, 0, 9, 9])
        out = []
        MessageFraming.varint.encode([UInt8](repeating: 0, count: 300), into: &out)
        #expect(Array(out.prefix(2)) == [0xAC, 0x02], "300 as protobuf writes it")
        out = []
        MessageFraming.line.encode(Array("hi".utf8), into: &out)
        #expect(out == [0x68, 0x69, 0x0A])
    }

    @Test func malformedInputIsNamed() {
        #expect(Self.scan(.u32be, [0, 0x10, 0, 0], limit: 1024) == .tooLong("a u32be length of 1048576 bytes is over the limit of 1024"))
        // The other byte order gives a length within the limit: said, the likely mistake.
        #expect(Self.scan(.u32be, [2, 0, 0, 0, 0x6F, 0x6B], limit: 16 << 20) == .tooLong("a u32be length of 33554432 bytes is over the limit of 16777216; read as u32le it would be 2 bytes"))
        #expect(Self.scan(.u32le, [0, 0, 0, 1, 0x6F], limit: 1 << 20) == .tooLong("a u32le length of 16777216 bytes is over the limit of 1048576; read as u32be it would be 1 byte"))
        #expect(Self.scan(.u32le, [0, 0, 0, 2, 0x6F, 0x6B], limit: 16 << 20) == .tooLong("a u32le length of 33554432 bytes is over the limit of 16777216; read as u32be it would be 2 bytes"))
        // "T-DA" read as a length is the user's data: not printed (it read 1412252737: review).
        // The question and the limit are said once (review: both came twice); the caller asks it.
        // One limit named, the one the length is over (it read "over 64MiB (the limit is 1KiB)").
        #expect(Self.scan(.u32be, Array("T-DATA".utf8), limit: 1024) == .tooLong("a u32be length of about 1.3GiB, over the limit of 1KiB, likely message bytes read as a length", likelyWrongFraming: true))
        #expect(Self.scan(.u32be, Array("T-DATA".utf8), limit: 64 << 20) == .tooLong("a u32be length of about 1.3GiB, over the limit of 64MiB, likely message bytes read as a length", likelyWrongFraming: true))
        #expect(Self.scan(.varint, [UInt8](repeating: 0xFF, count: 11)) == .malformed("a varint length longer than 10 bytes"))
        // Ten bytes whose last carries more than bit 63: not 0 with the top bits dropped.
        #expect(Self.scan(.varint, [UInt8](repeating: 0x80, count: 9) + [0x02]) == .malformed("a varint length over 64 bits"))
        #expect(Self.scan(.varint, [UInt8](repeating: 0x80, count: 9) + [0x01]) == .malformed("a varint length over \(Int.max)"), "bit 63 alone is a 64-bit value, over Int.max")
        #expect(Self.scan(.varint, [0x83, 0x00, 7, 7, 7]) == .message(payload: 2..<5, total: 5), "an overlong but valid 3, as protobuf reads it")
        #expect(Self.scan(.line, [UInt8](repeating: 0x41, count: 20), limit: 10) == .tooLong("no end of line within 10 bytes"))
    }

    @Test func theReaderReturnsForeignMessagesAsNumberedResponses() throws {
        var wire: [UInt8] = []
        for i in 0..<5 { MessageFraming.varint.encode([UInt8](repeating: UInt8(i), count: 100 * i), into: &wire) }
        let socket = try FrameReaderTests.feed(wire)
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 4096)
        reader.foreign = .varint
        for i in 0..<5 {
            let frame = try #require(try reader.next())
            #expect(frame.header.type == .response && frame.header.sequence == UInt64(i))
            #expect(frame.payload.count == 100 * i && frame.payload.allSatisfy { $0 == UInt8(i) })
        }
        #expect(try reader.next() == nil, "a close between messages is the end")
    }

    @Test func theReaderNamesTheOffsetOfABadOrCutMessage() throws {
        var wire: [UInt8] = []
        MessageFraming.u32be.encode([1, 2, 3], into: &wire)
        MessageFraming.u32be.encode([UInt8](repeating: 0, count: 5000), into: &wire)
        let socket = try FrameReaderTests.feed(wire)
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 4096)
        reader.foreign = .u32be
        _ = try reader.next()
        #expect { try reader.next() } throws: { "\($0)" == "a u32be length of 5000 bytes is over the limit of 4096, at byte offset 7 of the response stream" }

        // A length beyond any message's: the reader asks about the framing, once.
        let implausible = try FrameReaderTests.feed(Array("T-DATA".utf8))
        defer { implausible.close() }
        let implausibleReader = FrameReader(socket: implausible, maxPayload: 4096)
        implausibleReader.foreign = .u32be
        #expect { try implausibleReader.next() } throws: {
            "\($0)" == "a u32be length of about 1.3GiB, over the limit of 4KiB, likely message bytes read as a length (is the framing u32be?), at byte offset 0 of the response stream"
        }

        // vsockbench's own target answers a replay with an error frame: named as such.
        var errorFrame = [UInt8](repeating: 0, count: FrameHeader.size)
        errorFrame.withUnsafeMutableBytes { FrameHeader(type: .error, length: 0, sequence: 0).encode(into: $0.baseAddress!) }
        let own = try FrameReaderTests.feed(errorFrame)
        defer { own.close() }
        let ownReader = FrameReader(socket: own, maxPayload: 4096)
        ownReader.foreign = .u32be
        #expect { try ownReader.next() } throws: { "\($0)".contains("this is vsockbench's own target, which a replay does not drive") }

        // A message that stops coming (the service announced 9 bytes, sent 2, stays open).
        let (peer, stalled) = try Socket.makePair()
        defer { peer.close(); stalled.close() }
        try peer.send([0, 0, 0, 9, 1, 2])
        try stalled.watchReads(seconds: 0.2)
        let stalledReader = FrameReader(socket: stalled, maxPayload: 4096)
        stalledReader.foreign = .u32be
        #expect { try stalledReader.next() } throws: { "\($0)".hasPrefix("6 bytes of a u32be message came at byte offset 0 of the response stream, then no more: ") }

        let cut = try FrameReaderTests.feed([0, 0, 0, 9, 1, 2])
        defer { cut.close() }
        let cutReader = FrameReader(socket: cut, maxPayload: 4096)
        cutReader.foreign = .u32be
        #expect { try cutReader.next() } throws: { "\($0)".contains("the stream ended inside a u32be message at byte offset 0") }
    }
}
