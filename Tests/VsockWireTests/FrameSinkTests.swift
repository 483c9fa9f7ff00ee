import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// Each strategy's effect on write syscalls, counted by our socket layer, and that the frames
/// arrive whole and in order whatever the strategy.
@Suite struct FrameSinkTests {
    /// Sends `count` frames of `payload` bytes through `strategy`, flushing when nothing more
    /// is ready (as producers do), and returns the writes made and the frames read back.
    static func push(_ strategy: SinkKind, count: Int, payload: Int = 1000) throws -> (writes: UInt64, frames: [FrameHeader]) {
        let (a, b) = try Socket.makePair()
        defer { a.close(); b.close() }
        let collected = LockedValue<[FrameHeader]>([])
        let reader = NativeThread.spawn(name: "sink-reader") {
            let frames = FrameReader(socket: b, maxPayload: 1 << 20)
            while let frame = try? frames.next() {
                collected.withLock { $0.append(frame.header) }
                if frame.payload.contains(where: { $0 != 7 }) { collected.withLock { $0.append(FrameHeader(type: .error, length: 0)) } }
            }
        }
        let sink = strategy.make(socket: a)
        for i in 0..<count {
            let size = FrameHeader.size + payload
            let p = sink.reserve(size)
            FrameHeader(type: .request, length: payload, sequence: UInt64(i)).encode(into: p)
            (p + FrameHeader.size).initializeMemory(as: UInt8.self, repeating: 7, count: payload)
            try sink.commit(size)
        }
        try sink.finish()
        let writes = a.counters.snapshot().writes
        a.shutdownWrite()
        reader.join()
        return (writes, collected.value)
    }

    @Test(arguments: [
        SinkKind.none, .window(4), .coalesce(maxMessages: 10, maxBytes: 256 * 1024, lingerNanos: 200_000),
        .writev(maxMessages: 10), .writerThread(queueDepth: 8, maxBytes: 64 * 1024), .normalize(size: 4096),
    ])
    func everyFrameArrivesWholeAndInOrder(strategy: SinkKind) throws {
        let (_, frames) = try Self.push(strategy, count: 100)
        #expect(frames.count == 100)
        #expect(frames.map(\.sequence) == (0..<100).map(UInt64.init))
        #expect(frames.allSatisfy { $0.type == .request && $0.content == 1000 })
    }

    @Test func oneWritePerFrameWithoutBatching() throws {
        #expect(try Self.push(.none, count: 50).writes == 50)
        #expect(try Self.push(.window(8), count: 50).writes == 50)
    }

    @Test func coalescingWritesOnceAtTheMessageOrByteLimit() throws {
        #expect(try Self.push(.coalesce(maxMessages: 10, maxBytes: 1 << 20, lingerNanos: 1_000_000), count: 100).writes == 10)
        // 1032-byte frames, 4 KiB limit: a batch never exceeds it, so it holds 3 frames (3096
        // bytes) and goes when a 4th would not fit: 33 batches of 3 and the last frame alone.
        #expect(try Self.push(.coalesce(maxMessages: 100, maxBytes: 4096, lingerNanos: 1_000_000), count: 100).writes == 34)
    }

    @Test func writevGathersUpToItsLimit() throws {
        #expect(try Self.push(.writev(maxMessages: 10), count: 100).writes == 10)
    }

    @Test func theWriterThreadWritesLessOftenThanFrames() throws {
        // The producer is faster than the writer's wake-ups, so batches form; at worst one per frame.
        let writes = try Self.push(.writerThread(queueDepth: 64, maxBytes: 256 * 1024), count: 400).writes
        #expect(writes <= 400)
        #expect(writes >= 2)
    }

    @Test func normalizePadsToMultiplesOfItsSize() throws {
        let (a, b) = try Socket.makePair()
        defer { a.close(); b.close() }
        let sink = NormalizingSink(socket: a, unit: 4096)
        #expect(sink.paddedSize(FrameHeader.size + 1000) == FrameHeader.size + 4096)
        #expect(sink.paddedSize(FrameHeader.size + 4096) == FrameHeader.size + 4096)
        #expect(sink.paddedSize(FrameHeader.size + 4097) == FrameHeader.size + 8192)
        let p = sink.reserve(FrameHeader.size + 1000)
        FrameHeader(type: .response, length: 1000, sequence: 9).encode(into: p)
        (p + FrameHeader.size).initializeMemory(as: UInt8.self, repeating: 3, count: 1000)
        try sink.commit(FrameHeader.size + 1000)
        #expect(a.counters.snapshot().bytesWritten == UInt64(FrameHeader.size + 4096))
        let reader = FrameReader(socket: b, maxPayload: 1 << 20)
        let frame = try #require(try reader.next())
        #expect(frame.header.length == 4096)
        #expect(frame.payload.count == 1000)
        #expect(frame.payload.allSatisfy { $0 == 3 })
    }
}

/// The sinks under test, named as the strategies that use them (the wire knows sinks, not
/// strategies: the engine maps one to the other).
enum SinkKind: Sendable, CustomStringConvertible {
    case none
    case window(Int)
    case coalesce(maxMessages: Int, maxBytes: Int, lingerNanos: UInt64)
    case writev(maxMessages: Int)
    case writerThread(queueDepth: Int, maxBytes: Int)
    case normalize(size: Int)

    func make(socket: Socket) -> any FrameSink {
        switch self {
        case .none, .window: return ImmediateSink(socket: socket)
        case let .coalesce(m, b, l): return CoalescingSink(socket: socket, maxMessages: m, maxBytes: b, lingerNanos: l)
        case let .writev(m): return WritevSink(socket: socket, maxMessages: m)
        case let .writerThread(d, b): return WriterThreadSink(socket: socket, queueDepth: d, maxBytes: b)
        case let .normalize(size): return NormalizingSink(socket: socket, unit: size)
        }
    }

    var description: String {
        switch self {
        case .none: return "none"
        case let .window(n): return "window \(n)"
        case let .coalesce(m, b, l): return "coalesce \(m)/\(b)/\(l)ns"
        case let .writev(m): return "writev \(m)"
        case let .writerThread(d, b): return "writer_thread \(d)/\(b)"
        case let .normalize(size): return "normalize \(size)"
        }
    }
}
