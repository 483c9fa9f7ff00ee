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

    @Test("a foreign peer (replay) on seqpacket: each packet is one message, unframed, numbered as a response")
    func foreignMessagesArePackets() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        let reader = FrameReader(socket: b, maxPayload: 4096)
        // The framing names the corpus file's; on the wire there is none, so a length
        // prefix in a packet is payload like any other byte.
        reader.foreign = .u32be
        let messages: [[UInt8]] = [[0, 0, 0, 2, 7, 7], Array(repeating: 9, count: 4096), [1], Array("line\n".utf8)]
        for message in messages { try Self.sendPacket(a, message) }
        a.close()
        for (i, message) in messages.enumerated() {
            let frame = try #require(try reader.next())
            #expect(frame.header.type == .response && frame.header.sequence == UInt64(i))
            #expect(Array(frame.payload) == message, "message \(i) whole, nothing cut off or added")
            #expect(frame.wholeFrame.count == message.count)
            #expect(!reader.hasCompleteFrame && reader.bufferedCount == 0)
        }
        #expect(try reader.next() == nil, "the end of the connection")
        #expect(b.counters.snapshot().reads == UInt64(messages.count + 1), "one receive per message, one for the end")
    }

    /// A seqpacket peer that answers 3 requests and closes with our 4th unread leaves
    /// ECONNRESET on our socket, which Linux reports before the 3 answers queued ahead of it.
    /// The reader hands out the 3, then says the reset, at its place (after 3 responses); it
    /// said the reset at once, "after 0 responses" (review, against a Python service).
    @Test("a reset reported before queued packets: the packets first, then the reset", arguments: [true, false])
    func resetAfterQueuedPackets(foreign: Bool) throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        let reader = FrameReader(socket: b, maxPayload: 4096)
        if foreign { reader.foreign = .u32be }
        let answers = (0..<3).map { i in foreign ? Array(repeating: UInt8(i), count: 10 + i) : Self.frame(.response, payload: [UInt8(i)], sequence: UInt64(i)) }
        for answer in answers { try Self.sendPacket(a, answer) }
        try Self.sendPacket(b, [1, 2, 3, 4])  // a request the peer never reads
        a.close()
        for i in 0..<3 {
            let frame = try #require(try reader.next(), "answer \(i) is read, not lost to the reset")
            #expect(frame.header.sequence == UInt64(i))
        }
        if foreign { #expect(reader.foreignPosition.responses == 3 && reader.foreignPosition.offset == 33) }
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .system(system) = error as? FrameReadError else { return false }
            return system.errno == .connectionReset
        }
    }

    @Test("a foreign packet over the limit: an error naming the request it answers (counted from 1, as the driver's replay errors count) and its offset, never handed out", arguments: [
        // Fits the buffer (the limit plus a header's room) but is over the limit.
        (4096 + 10, "the response to request 3 is a packet of 4106 bytes, over the limit of 4096 (at byte offset 200 of the responses)"),
        // Larger than the buffer: the kernel cuts it (MSG_TRUNC) and says its real size.
        (10_000, "the response to request 3 is a packet of 10000 bytes, over the limit of 4096 (at byte offset 200 of the responses)"),
    ])
    func foreignPacketOverTheLimit(size: Int, text: String) throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let reader = FrameReader(socket: b, maxPayload: 4096)
        reader.foreign = .varint
        try Self.sendPacket(a, Array(repeating: 1, count: 100))
        try Self.sendPacket(a, Array(repeating: 2, count: 100))
        try Self.sendPacket(a, Array(repeating: 3, count: size))
        _ = try reader.next()
        _ = try reader.next()
        #expect {
            _ = try reader.next()
        } throws: { error in
            guard case let .frame(frameError) = error as? FrameReadError else { return false }
            return frameError == .foreignTooLarge(text) && frameError.code == "message_too_large"
        }
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

    /// Fuzz finding (FrameReaderPacket, seed-empty-packet-then-frame): an empty packet read as
    /// the peer closing (nil), so a malformed packet passed for a clean end.
    @Test("an empty packet is a short packet, not the end; the frames after it still read")
    func emptyPacket() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        var byte: UInt8 = 0
        try a.sendMessage(&byte, count: 0)
        try Self.sendPacket(a, Self.frame(.request, payload: [1, 2, 3], sequence: 4))
        try a.sendMessage(&byte, count: 0)
        try a.sendMessage(&byte, count: 0)
        try Self.sendPacket(a, Self.frame(.request, payload: [5], sequence: 5))
        a.shutdownWrite()
        let reader = FrameReader(socket: b, maxPayload: 4096)
        func expectEmpty() {
            #expect {
                _ = try reader.next()
            } throws: { error in
                guard case let .frame(frameError) = error as? FrameReadError else { return false }
                return frameError == .shortPacket(size: 0) && frameError.code == "packet_size_mismatch"
            }
        }
        expectEmpty()
        #expect(try reader.next()?.header.sequence == 4)
        // Two empty packets, then a frame, the peer already shut down.
        expectEmpty()
        expectEmpty()
        #expect(try reader.next()?.header.sequence == 5)
        #expect(try reader.next() == nil)
        a.close()
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
