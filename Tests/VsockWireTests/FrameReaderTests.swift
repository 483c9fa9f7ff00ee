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
