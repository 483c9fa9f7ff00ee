import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

@Suite struct FrameReaderTests {
    /// Writes `bytes` to one end of a socket pair and closes it, returning the reading end.
    /// The writer runs on its own thread: a feed larger than the socket buffer must not block.
    static func feed(_ bytes: [UInt8]) throws -> Socket {
        let (a, b) = try Socket.makePair()
        _ = NativeThread.spawn(name: "feed") {
            try? a.send(bytes)
            a.close()
        }
        return b
    }

    static func frame(_ type: FrameType, payload: [UInt8], sequence: UInt64 = 0) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: FrameHeader.size)
        raw.withUnsafeMutableBytes { FrameHeader(type: type, length: payload.count, sequence: sequence).encode(into: $0.baseAddress!) }
        return raw + payload
    }

    @Test func readsSeveralFramesFromOneReadAndEndsCleanly() throws {
        let stream = (0..<10).flatMap { Self.frame(.request, payload: Array(repeating: UInt8($0), count: 100 + $0), sequence: UInt64($0)) }
        let socket = try Self.feed(stream)
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 1024)
        for i in 0..<10 {
            let frame = try #require(try reader.next())
            #expect(frame.header.sequence == UInt64(i))
            #expect(frame.payload.count == 100 + i)
            #expect(frame.payload.allSatisfy { $0 == UInt8(i) })
        }
        #expect(try reader.next()?.header == nil)
        #expect(socket.counters.snapshot().reads <= 3, "frames that arrived together are read together")
    }

    /// The frame deadline runs from the first read that left a frame incomplete, not from the
    /// previous frame: a peer quiet for longer than the deadline may then send a frame in pieces,
    /// while one that trickles a frame past the deadline is dropped.
    @Test func theFrameDeadlineRunsFromAFramesFirstPiece() throws {
        let (writer, socket) = try Socket.makePair()
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 1024)
        reader.frameTimeoutNanos = 150_000_000
        let first = Self.frame(.request, payload: [1], sequence: 0)
        let second = Self.frame(.request, payload: Array(repeating: 2, count: 500), sequence: 1)
        let third = Self.frame(.request, payload: Array(repeating: 3, count: 500), sequence: 2)
        let done = NativeThread.spawn(name: "pieces") {
            try? writer.send(first)
            // Quiet for twice the deadline, then a frame in two pieces 50 ms apart: accepted.
            MonotonicClock.sleep(nanos: 300_000_000)
            try? writer.send(Array(second.prefix(10)))
            MonotonicClock.sleep(nanos: 50_000_000)
            try? writer.send(Array(second.dropFirst(10)))
            // A frame trickled over 400 ms: past the deadline, dropped.
            for piece in 0..<8 {
                try? writer.send(Array(third[(piece * 66)..<min(third.count, (piece + 1) * 66)]))
                MonotonicClock.sleep(nanos: 50_000_000)
            }
            writer.close()
        }
        defer { done.join() }
        #expect(try reader.next()?.header.sequence == 0)
        #expect(try reader.next()?.header.sequence == 1, "a frame sent in pieces after a quiet spell is read")
        do {
            _ = try reader.next()
            Issue.record("a frame trickled past the deadline was accepted")
        } catch let .system(error) {
            #expect(error.isTimeout, "\(error)")
        } catch {
            Issue.record("expected a timeout, got \(error)")
        }
    }

    @Test func growsOnlyUpToTheLimit() throws {
        let big = Self.frame(.request, payload: Array(repeating: 7, count: 300_000))
        let socket = try Self.feed(big)
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 300_000, initialCapacity: 4096)
        let frame = try #require(try reader.next())
        #expect(frame.payload.count == 300_000)
        #expect(reader.capacity <= FrameHeader.size + 300_000)
    }

    @Test func aHugeAnnouncedLengthAllocatesNothing() throws {
        var header = [UInt8](repeating: 0, count: FrameHeader.size)
        header.withUnsafeMutableBytes { FrameHeader(type: .request, length: Int(UInt32.max)).encode(into: $0.baseAddress!) }
        let socket = try Self.feed(header)
        defer { socket.close() }
        let reader = FrameReader(socket: socket, maxPayload: 65536, initialCapacity: 4096)
        #expect(throws: FrameReadError.self) { try reader.next() }
        #expect(reader.capacity == 4096)
    }

    @Test func truncatedHeaderAndPayloadAreReported() throws {
        let partialHeader = Array(Self.frame(.request, payload: [1, 2, 3]).prefix(10))
        let s1 = try Self.feed(partialHeader)
        defer { s1.close() }
        do {
            _ = try FrameReader(socket: s1, maxPayload: 100).next()
            Issue.record("accepted a truncated header")
        } catch {
            guard case .frame(.truncatedHeader(received: 10)) = error else { Issue.record("\(error)"); return }
        }
        let partialPayload = Array(Self.frame(.request, payload: Array(repeating: 1, count: 50)).prefix(FrameHeader.size + 20))
        let s2 = try Self.feed(partialPayload)
        defer { s2.close() }
        do {
            _ = try FrameReader(socket: s2, maxPayload: 100).next()
            Issue.record("accepted a truncated payload")
        } catch {
            guard case .frame(.truncatedPayload(expected: 50, received: 20)) = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func controlFramesRoundTrip() throws {
        let (a, b) = try Socket.makePair()
        defer { a.close(); b.close() }
        let message = ErrorMessage(code: "x", message: "why")
        try a.send(ControlCodec.frame(.error, message))
        let reader = FrameReader(socket: b, maxPayload: 1024)
        let frame = try #require(try reader.next())
        #expect(frame.header.type == .error)
        #expect(try ControlCodec.decode(ErrorMessage.self, from: frame.payload) == message)
    }
}
