import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// The frame protocol over seqpacket: every frame is exactly one packet.
@Suite struct PacketModeTests {
    static func frame(_ type: FrameType, payload: [UInt8], sequence: UInt64 = 0, length: Int? = nil) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: FrameHeader.size)
        raw.withUnsafeMutableBytes {
            FrameHeader(type: type, length: length ?? payload.count, sequence: sequence, content: min(length ?? payload.count, payload.count)).encode(into: $0.baseAddress!)
        }
        return raw + payload
    }

    static func sendPacket(_ socket: Socket, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try socket.sendMessage($0.baseAddress!, count: $0.count) }
    }

    @Test("one receive per frame, header and payload in place, nil at the end")
    func readsOneFramePerPacket() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        let reader = FrameReader(socket: b, maxPayload: 4096)
        #expect(reader.packetMode)
        for i in 0..<5 { try Self.sendPacket(a, Self.frame(.request, payload: Array(repeating: UInt8(i), count: 100 * i), sequence: UInt64(i))) }
        try a.send(ControlCodec.emptyFrame(.bye, sequence: 5))
        a.close()
        for i in 0..<5 {
            let frame = try #require(try reader.next())
            #expect(frame.header.type == .request && frame.header.sequence == UInt64(i))
            #expect(frame.payload.count == 100 * i && frame.payload.allSatisfy { $0 == UInt8(i) })
            #expect(frame.wholeFrame.count == FrameHeader.size + 100 * i)
            #expect(!reader.hasCompleteFrame && reader.bufferedCount == 0)
        }
        #expect(try reader.next()?.header.type == .bye)
        #expect(try reader.next() == nil)
        #expect(b.counters.snapshot().reads == 7, "one receive per frame, one for the end")
    }

    @Test("a foreign framing (replay) on a seqpacket socket is refused, nothing read")
    func foreignFramingIsRefusedInPacketMode() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let reader = FrameReader(socket: b, maxPayload: 4096)
        reader.foreign = .u32be
        try Self.sendPacket(a, [0, 0, 0, 2, 7, 7])
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .frame(frameError) = error as? FrameReadError else { return false }
            return frameError == .foreign("a u32be framing is read from a byte stream; this socket is seqpacket (one message per receive)")
                && frameError.code == "malformed_message"
        }
        #expect(b.counters.snapshot().reads == 0, "refused before any receive")
    }

    @Test("a stream socket keeps the stream reader")
    func streamSocketIsNotPacketMode() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        #expect(!FrameReader(socket: b, maxPayload: 4096).packetMode)
    }

    @Test("a packet shorter or longer than its frame is a malformed frame, by size", arguments: [
        (40, 100),  // the header says 100 payload bytes, the packet carries 40
        (300, 100),  // the packet carries more than its frame
    ])
    func sizeMismatch(carried: Int, announced: Int) throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try Self.sendPacket(a, Self.frame(.request, payload: Array(repeating: 1, count: carried), length: announced))
        let reader = FrameReader(socket: b, maxPayload: 4096)
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .frame(frameError) = error as? FrameReadError else { return false }
            return frameError == .packetSizeMismatch(length: announced, packet: FrameHeader.size + carried)
                && frameError.code == "packet_size_mismatch" && frameError.description.contains("exactly one packet")
        }
    }

    @Test("two frames merged into one packet (a coalescing writer) are refused")
    func twoFramesInOnePacket() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try Self.sendPacket(a, Self.frame(.request, payload: [1, 2, 3]) + Self.frame(.request, payload: [4, 5], sequence: 1))
        let reader = FrameReader(socket: b, maxPayload: 4096)
        #expect(throws: FrameReadError.self) { try reader.next() }
    }

    @Test("a packet shorter than a header")
    func shortPacket() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try Self.sendPacket(a, Array(Self.frame(.request, payload: []).prefix(10)))
        #expect {
            _ = try FrameReader(socket: b, maxPayload: 4096).next()
        } throws: { error in
            guard case let .frame(frameError) = error as? FrameReadError else { return false }
            return frameError == .shortPacket(size: 10)
        }
    }

    @Test("a message larger than the frame limit: never handed out in part, the error names the limit")
    func oversizedPacket() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try Self.sendPacket(a, Self.frame(.request, payload: Array(repeating: 7, count: 5000)))
        try Self.sendPacket(a, Self.frame(.request, payload: [1], sequence: 1))
        let reader = FrameReader(socket: b, maxPayload: 1024)
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .frame(frameError) = error as? FrameReadError else { return false }
            return frameError == .packetTooLarge(size: 5032, maxPayload: 1024)
                && "\(frameError)".contains("a message larger than the frame limit 1024 arrived (5032 bytes")
        }
        // The packets stay aligned: the next frame is whole (the connection is closed in practice).
        #expect(try reader.next()?.header.sequence == 1)
    }

    @Test("a deadline bounds the wait for a packet")
    func deadline() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let reader = FrameReader(socket: b, maxPayload: 1024)
        reader.deadline = MonotonicClock.nanos() + 50_000_000
        let start = MonotonicClock.nanos()
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .system(systemError) = error as? FrameReadError else { return false }
            return systemError.errno == .timedOut
        }
        #expect(MonotonicClock.nanos() - start < 2_000_000_000)
    }

    @Test("sinks that write one frame per send: one packet per frame, normalize padding included")
    func immediateAndNormalizingSinks() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let immediate = ImmediateSink(socket: a)
        for i in 0..<3 {
            let frame = Self.frame(.response, payload: Array(repeating: UInt8(i), count: 10 + i), sequence: UInt64(i))
            let out = immediate.reserve(frame.count)
            frame.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            try immediate.commit(frame.count)
        }
        let normalizing = NormalizingSink(socket: a, unit: 64)
        let padded = Self.frame(.response, payload: [9, 9, 9], sequence: 3)
        let out = normalizing.reserve(padded.count)
        padded.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        try normalizing.commit(padded.count)
        #expect(a.counters.snapshot().writes == 4)

        let reader = FrameReader(socket: b, maxPayload: 4096)
        for i in 0..<3 {
            let frame = try #require(try reader.next())
            #expect(frame.header.sequence == UInt64(i) && frame.payload.count == 10 + i)
        }
        let last = try #require(try reader.next())
        #expect(last.header.length == 64 && last.payload.count == 3 && last.wholeFrame.count == FrameHeader.size + 64)
        #expect(b.counters.snapshot().reads == 4)
    }

    @Test("the frame's shape is ignored on a seqpacket socket: the frame goes whole")
    func shapeGoesWhole() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let frame = Self.frame(.request, payload: Array(repeating: 3, count: 1000))
        try frame.withUnsafeBytes { try WriteShape(chunk: 100, splitHeader: true).write(a, $0.baseAddress!, count: $0.count) }
        #expect(a.counters.snapshot().writes == 1)
        #expect(try FrameReader(socket: b, maxPayload: 4096).next()?.payload.count == 1000)
    }
}
