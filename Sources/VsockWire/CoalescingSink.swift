import VsockBenchSupport
import VsockTransport

/// Frames gathered back to back in one buffer and written with one write when `maxMessages`
/// or `maxBytes` is reached, or when the first waited `lingerNanos` (`coalesce`).
package final class CoalescingSink: FrameSink {
    let socket: Socket
    let maxMessages: Int
    let maxBytes: Int
    let lingerNanos: UInt64
    let shape: WriteShape
    private let buffer: ByteBuffer
    private var used = 0
    package private(set) var pending = 0
    package private(set) var deadline: UInt64?
    /// A flush that failed inside `reserve` (which cannot throw), reported at the next commit.
    private var deferredFailure: SystemError?

    package init(socket: Socket, maxMessages: Int, maxBytes: Int, lingerNanos: UInt64, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.shape = WriteShape(chunk: shape.chunk)
        self.maxMessages = max(maxMessages, 1)
        self.maxBytes = max(maxBytes, 1)
        self.lingerNanos = lingerNanos
        buffer = ByteBuffer(capacity: max(maxBytes, 64 * 1024))
    }

    package func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        if used > 0, used + size > maxBytes {
            // The batch is full: it goes before this frame starts a new one.
            do { try flush() } catch { deferredFailure = deferredFailure ?? error }
        }
        buffer.ensure(used + size, keeping: used)
        return buffer.base + used
    }

    package func commit(_ size: Int) throws(SystemError) {
        if let failure = deferredFailure { throw failure }
        if pending == 0 { deadline = MonotonicClock.nanos() &+ lingerNanos }
        used += size
        pending += 1
        if pending >= maxMessages || used >= maxBytes { try flush() }
    }

    package func flush() throws(SystemError) {
        guard used > 0 else { return }
        let count = used
        used = 0
        pending = 0
        deadline = nil
        try shape.write(socket, buffer.base, count: count)
    }

    package func finish() throws(SystemError) { try flush() }
}

#if canImport(Glibc)
import Glibc
#endif

/// Frames kept in their own buffers and written together with one writev when `maxMessages`
/// is reached or nothing more is ready (`writev`: gathering without copying into one buffer).
package final class WritevSink: FrameSink {
    let socket: Socket
    let maxMessages: Int
    private var buffers: [ByteBuffer] = []
    private var vectors: UnsafeMutableBufferPointer<iovec>
    package private(set) var pending = 0
    package var deadline: UInt64? { nil }

    package init(socket: Socket, maxMessages: Int) {
        self.socket = socket
        self.maxMessages = min(max(maxMessages, 1), 1024)
        vectors = .allocate(capacity: self.maxMessages)
    }

    deinit { vectors.deallocate() }

    private var deferredFailure: SystemError?

    package func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        if pending == maxMessages {
            do { try flush() } catch { deferredFailure = deferredFailure ?? error }
        }
        if buffers.count == pending { buffers.append(ByteBuffer(capacity: size)) }
        buffers[pending].ensure(size)
        return buffers[pending].base
    }

    package func commit(_ size: Int) throws(SystemError) {
        if let failure = deferredFailure { throw failure }
        vectors[pending] = iovec(iov_base: buffers[pending].base, iov_len: size)
        pending += 1
        if pending == maxMessages { try flush() }
    }

    package func flush() throws(SystemError) {
        guard pending > 0 else { return }
        let count = pending
        pending = 0
        try socket.writevAll(UnsafeMutableBufferPointer(rebasing: vectors[0..<count]))
    }

    package func finish() throws(SystemError) { try flush() }
}
