import VsockBenchSupport
import VsockTransport

/// A producer's path to the socket: the batching strategy in code. The producer builds each
/// frame in place (`reserve`, then `commit`) or hands a finished one over (`write`); the sink
/// decides when the bytes reach the kernel.
///
/// Producer protocol: after a commit, while `pending > 0`, either produce more at once, or
/// wait for more work no longer than `deadline`, or call `flush()`. `finish()` at the end.
/// One producer thread per sink.
package protocol FrameSink: AnyObject {
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
    package func close() {}
    package func settle() throws(SystemError) { if pending > 0 { try flush() } }
    package var writesOnCallerThread: Bool { true }

    package func write(_ frame: UnsafeRawPointer, count: Int) throws(SystemError) {
        reserve(count).copyMemory(from: frame, byteCount: count)
        try commit(count)
    }
}

/// How a frame (or a batch) is cut into write syscalls: whole (the default), in pieces of at
/// most `chunk` bytes (`write_chunk`: fragmented writes, as a chatty runtime makes), or the
/// header first and the payload after (`split_writes`: what stalls on Nagle and delayed ACKs).
/// writev ignores both: it gathers by design.
///
/// On a message-oriented socket (seqpacket) every write is a message of its own: a frame
/// goes whole as one packet (`Socket.sendMessage`), whatever the shape. Pieces would arrive
/// as separate packets, so cases with `write_chunk`, `split_writes` or a strategy that merges
/// frames (coalesce, writev, writer_thread) are refused before they run over seqpacket
/// (`CaseSpec.messageTransportProblems`); `makeSink` checks it again.
public struct WriteShape: Sendable, Equatable {
    public var chunk: Int?
    public var splitHeader = false

    public init(chunk: Int? = nil, splitHeader: Bool = false) {
        self.chunk = chunk
        self.splitHeader = splitHeader
    }

    @inline(__always)
    func write(_ socket: Socket, _ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        if socket.isMessageOriented {
            try socket.sendMessage(buffer, count: count)
            return
        }
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
package final class ImmediateSink: FrameSink {
    let socket: Socket
    let shape: WriteShape
    private let buffer = ByteBuffer(capacity: 64 * 1024)

    package init(socket: Socket, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.shape = shape
    }

    package func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        buffer.ensure(size)
        return buffer.base
    }

    package func commit(_ size: Int) throws(SystemError) { try shape.write(socket, buffer.base, count: size) }

    package func write(_ frame: UnsafeRawPointer, count: Int) throws(SystemError) { try shape.write(socket, frame, count: count) }

    package var pending: Int { 0 }
    package var deadline: UInt64? { nil }
    package func flush() throws(SystemError) {}
    package func finish() throws(SystemError) {}
}

/// One write per frame, the payload padded with zeros to a multiple of `unit` bytes; the
/// header's `content` keeps the message's own length (`normalize`).
package final class NormalizingSink: FrameSink {
    let socket: Socket
    let unit: Int
    let shape: WriteShape
    private let buffer = ByteBuffer(capacity: 64 * 1024)

    package init(socket: Socket, unit: Int, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.unit = max(unit, 1)
        self.shape = shape
    }

    /// Bytes on the wire for a frame of `size` bytes.
    func paddedSize(_ size: Int) -> Int { Self.paddedSize(ofFrame: size, unit: unit) }

    /// Bytes a frame of `size` bytes (header included) takes on the wire when its payload is
    /// padded to a multiple of `unit`.
    package static func paddedSize(ofFrame size: Int, unit: Int) -> Int {
        guard unit > 0 else { return size }
        let payload = size - FrameHeader.size
        return FrameHeader.size + (payload <= 0 ? 0 : ((payload + unit - 1) / unit) * unit)
    }

    package func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        buffer.ensure(paddedSize(size))
        return buffer.base
    }

    package func commit(_ size: Int) throws(SystemError) {
        let total = paddedSize(size)
        (buffer.base + size).initializeMemory(as: UInt8.self, repeating: 0, count: total - size)
        // The header was written for the unpadded frame: content stays, length grows.
        buffer.base.storeBytes(of: UInt32(total - FrameHeader.size).bigEndian, toByteOffset: 8, as: UInt32.self)
        try shape.write(socket, buffer.base, count: total)
    }

    package var pending: Int { 0 }
    package var deadline: UInt64? { nil }
    package func flush() throws(SystemError) {}
    package func finish() throws(SystemError) {}
}
