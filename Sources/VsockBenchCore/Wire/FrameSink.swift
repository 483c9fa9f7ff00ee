/// A producer's path to the socket: the batching strategy in code. The producer builds each
/// frame in place (`reserve`, then `commit`) or hands a finished one over (`write`); the sink
/// decides when the bytes reach the kernel.
///
/// Producer protocol: after a commit, while `pending > 0`, either produce more at once, or
/// wait for more work no longer than `deadline`, or call `flush()`. `finish()` at the end.
/// One producer thread per sink.
protocol FrameSink: AnyObject {
    /// Space for a frame of `size` bytes (header included), valid until `commit`.
    func reserve(_ size: Int) -> UnsafeMutableRawPointer
    /// The reserved frame is complete.
    func commit(_ size: Int) throws(SystemError)
    /// Hands over a complete frame; immediate strategies write it from where it is (no copy).
    func write(_ frame: UnsafeRawPointer, count: Int) throws(SystemError)
    /// Frames committed and not yet written.
    var pending: Int { get }
    /// When the oldest pending frame must go (nil: flush as soon as nothing more is ready).
    var deadline: UInt64? { get }
    func flush() throws(SystemError)
    /// Flushes and stops any helper thread; the sink is done.
    func finish() throws(SystemError)
    /// Writes every committed frame and returns once they are written (an interval's edge).
    func settle() throws(SystemError)
    /// Stops any helper thread without flushing (error paths); safe after `finish`, and twice.
    func close()
    /// False when another thread makes the write syscalls (writer_thread): the producer's
    /// time is then all its own processing.
    var writesOnCallerThread: Bool { get }
}

extension FrameSink {
    func close() {}
    func settle() throws(SystemError) { if pending > 0 { try flush() } }
    var writesOnCallerThread: Bool { true }

    func write(_ frame: UnsafeRawPointer, count: Int) throws(SystemError) {
        reserve(count).copyMemory(from: frame, byteCount: count)
        try commit(count)
    }
}

enum FrameSinks {
    /// The sink for `strategy` on `socket`, writing in the given shape.
    static func make(_ strategy: BatchingStrategy, socket: Socket, shape: WriteShape = WriteShape()) -> any FrameSink {
        switch strategy {
        case .none, .window: return ImmediateSink(socket: socket, shape: shape)
        case let .normalize(size): return NormalizingSink(socket: socket, unit: size, shape: shape)
        case let .coalesce(messages, bytes, linger): return CoalescingSink(socket: socket, maxMessages: messages, maxBytes: bytes, lingerNanos: linger, shape: shape)
        case let .writev(messages): return WritevSink(socket: socket, maxMessages: messages)
        case let .writerThread(depth, bytes): return WriterThreadSink(socket: socket, queueDepth: depth, maxBytes: bytes, shape: shape)
        }
    }
}

/// How a frame (or a batch) is cut into write syscalls: whole (the default), in pieces of at
/// most `chunk` bytes (`write_chunk`: fragmented writes, as a chatty runtime makes), or the
/// header first and the payload after (`split_writes`: what stalls on Nagle and delayed ACKs).
/// writev ignores both: it gathers by design.
public struct WriteShape: Sendable, Equatable {
    public var chunk: Int?
    public var splitHeader = false

    public init(chunk: Int? = nil, splitHeader: Bool = false) {
        self.chunk = chunk
        self.splitHeader = splitHeader
    }

    @inline(__always)
    func write(_ socket: Socket, _ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        if chunk == nil, !splitHeader {
            try socket.writeAll(buffer, count: count)
            return
        }
        var offset = 0
        if splitHeader, count > FrameHeader.size {
            try write(socket, piece: buffer, count: FrameHeader.size)
            offset = FrameHeader.size
        }
        try write(socket, piece: buffer + offset, count: count - offset)
    }

    private func write(_ socket: Socket, piece: UnsafeRawPointer, count: Int) throws(SystemError) {
        if let chunk { try socket.writeAll(piece, count: count, chunk: chunk) } else { try socket.writeAll(piece, count: count) }
    }
}

/// One write per frame (`none`, `window`).
final class ImmediateSink: FrameSink {
    let socket: Socket
    let shape: WriteShape
    private let buffer = ByteBuffer(capacity: 64 * 1024)

    init(socket: Socket, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.shape = shape
    }

    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        buffer.ensure(size)
        return buffer.base
    }

    func commit(_ size: Int) throws(SystemError) { try shape.write(socket, buffer.base, count: size) }

    func write(_ frame: UnsafeRawPointer, count: Int) throws(SystemError) { try shape.write(socket, frame, count: count) }

    var pending: Int { 0 }
    var deadline: UInt64? { nil }
    func flush() throws(SystemError) {}
    func finish() throws(SystemError) {}
}

/// One write per frame, the payload padded with zeros to a multiple of `unit` bytes; the
/// header's `content` keeps the message's own length (`normalize`).
final class NormalizingSink: FrameSink {
    let socket: Socket
    let unit: Int
    let shape: WriteShape
    private let buffer = ByteBuffer(capacity: 64 * 1024)

    init(socket: Socket, unit: Int, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.unit = max(unit, 1)
        self.shape = shape
    }

    /// Bytes on the wire for a frame of `size` bytes.
    func paddedSize(_ size: Int) -> Int { BatchingStrategy.normalize(size: unit).wireSize(ofFrame: size) }

    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        buffer.ensure(paddedSize(size))
        return buffer.base
    }

    func commit(_ size: Int) throws(SystemError) {
        let total = paddedSize(size)
        (buffer.base + size).initializeMemory(as: UInt8.self, repeating: 0, count: total - size)
        // The header was written for the unpadded frame: content stays, length grows.
        buffer.base.storeBytes(of: UInt32(total - FrameHeader.size).bigEndian, toByteOffset: 8, as: UInt32.self)
        try shape.write(socket, buffer.base, count: total)
    }

    var pending: Int { 0 }
    var deadline: UInt64? { nil }
    func flush() throws(SystemError) {}
    func finish() throws(SystemError) {}
}
