import VsockBenchSupport
import VsockTransport

/// The "dedicated I/O goroutine + sync.Pool" design in Swift: the producer takes a buffer from
/// a pool, builds its frame there and queues it (waiting while `queueDepth` frames are queued);
/// one writer thread takes whatever is queued, up to `maxBytes`, and writes it with one write.
/// Buffers are zeroed as they return to the pool.
/// `@unchecked Sendable`: the queue, pool and flags are touched only under the monitor's mutex;
/// `reserved` only by the producer thread.
package final class WriterThreadSink: FrameSink, @unchecked Sendable {
    let socket: Socket
    let queueDepth: Int
    let maxBytes: Int
    let shape: WriteShape
    /// Guards the queue, the pool and the flags; one condition for every change.
    private let monitor = PthreadMonitor()
    private var queue: [(ByteBuffer, Int)] = []
    private var pool: [ByteBuffer] = []
    private var closing = false
    private var failure: SystemError?
    private var reserved: ByteBuffer?
    /// Frames the writer has taken and not yet written.
    private var writing = 0
    private var writer: NativeThread?
    private let batch: ByteBuffer

    package init(socket: Socket, queueDepth: Int, maxBytes: Int, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.shape = WriteShape(chunk: shape.chunk)
        self.queueDepth = max(queueDepth, 1)
        self.maxBytes = max(maxBytes, 1)
        batch = ByteBuffer(capacity: max(maxBytes, 64 * 1024))
        writer = NativeThread.trySpawn(name: "writer") { [self] in drain() }
        // No thread (the process is out of threads or memory): the sink fails its first write.
        // pthread_create says EAGAIN when the process is out of threads (the usual case).
        if writer == nil { failure = SystemError("pthread_create", errno: .resourceTemporarilyUnavailable, context: "for the writer thread (out of threads or memory)") }
    }

    /// False when the writer thread could not start: every write then fails, and a target
    /// refuses the connection with `busy` before reading a request.
    package var hasWriter: Bool { writer != nil }

    package var pending: Int { 0 }
    package var deadline: UInt64? { nil }
    package var writesOnCallerThread: Bool { false }

    package func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        let buffer = monitor.withLock { pool.popLast() } ?? ByteBuffer(capacity: size)
        buffer.ensure(size)
        reserved = buffer
        return buffer.base
    }

    package func commit(_ size: Int) throws(SystemError) {
        guard let buffer = reserved else { return }
        reserved = nil
        let outcome: SystemError? = monitor.withLock {
            while queue.count >= queueDepth && failure == nil && !closing { monitor.wait() }
            if let failure { return failure }
            if closing { return nil }
            queue.append((buffer, size))
            monitor.broadcast()
            return nil
        }
        if let outcome { throw outcome }
    }

    package func flush() throws(SystemError) {
        if let failure = monitor.withLock({ failure }) { throw failure }
    }

    /// Waits until the writer has written everything queued so far.
    package func settle() throws(SystemError) {
        let outcome: SystemError? = monitor.withLock {
            while (!queue.isEmpty || writing > 0) && failure == nil && !closing { monitor.wait() }
            return failure
        }
        if let outcome { throw outcome }
    }

    package func finish() throws(SystemError) {
        stopWriter(discarding: false)
        if let failure = monitor.withLock({ failure }) { throw failure }
    }

    package func close() {
        stopWriter(discarding: true)
    }

    /// Tells the writer to stop (after writing what is queued, unless discarding) and waits for it.
    private func stopWriter(discarding: Bool) {
        monitor.withLock {
            closing = true
            if discarding {
                for (buffer, size) in queue { buffer.base.initializeMemory(as: UInt8.self, repeating: 0, count: size) }
                queue.removeAll()
            }
            monitor.broadcast()
        }
        writer?.join()
        writer = nil
    }

    /// The writer thread: everything queued (up to `maxBytes`) in one write.
    private func drain() {
        while true {
            let taken: [(ByteBuffer, Int)]? = monitor.withLock {
                while queue.isEmpty && !closing { monitor.wait() }
                if queue.isEmpty || failure != nil { return nil }
                var taken: [(ByteBuffer, Int)] = []
                var bytes = 0
                while let first = queue.first, taken.isEmpty || bytes + first.1 <= maxBytes {
                    taken.append(first)
                    bytes += first.1
                    queue.removeFirst()
                }
                writing = taken.count
                monitor.broadcast()
                return taken
            }
            guard let taken else { return }
            let error = write(taken)
            for (buffer, size) in taken { buffer.base.initializeMemory(as: UInt8.self, repeating: 0, count: size) }
            monitor.withLock {
                pool.append(contentsOf: taken.map(\.0))
                writing = 0
                if let error, failure == nil { failure = error }
                // Wakes a producer waiting for room or for the queue to settle.
                monitor.broadcast()
            }
        }
    }

    private func write(_ taken: [(ByteBuffer, Int)]) -> SystemError? {
        do throws(SystemError) {
            if taken.count == 1 {
                try shape.write(socket, taken[0].0.base, count: taken[0].1)
            } else {
                let bytes = taken.reduce(0) { $0 + $1.1 }
                batch.ensure(bytes)
                var offset = 0
                for (buffer, size) in taken {
                    (batch.base + offset).copyMemory(from: buffer.base, byteCount: size)
                    offset += size
                }
                try shape.write(socket, batch.base, count: bytes)
            }
            return nil
        } catch {
            return error
        }
    }
}
