#if canImport(Glibc)
import Glibc
#endif

/// The "dedicated I/O goroutine + sync.Pool" design in Swift: the producer takes a buffer from
/// a pool, builds its frame there and queues it (waiting while `queueDepth` frames are queued);
/// one writer thread takes whatever is queued, up to `maxBytes`, and writes it with one write.
/// Buffers are zeroed as they return to the pool.
final class WriterThreadSink: FrameSink, @unchecked Sendable {
    let socket: Socket
    let queueDepth: Int
    let maxBytes: Int
    let shape: WriteShape
    private var mutex = pthread_mutex_t()
    private var notEmpty = pthread_cond_t()
    private var notFull = pthread_cond_t()
    private var queue: [(ByteBuffer, Int)] = []
    private var pool: [ByteBuffer] = []
    private var closing = false
    private var failure: SystemError?
    private var reserved: ByteBuffer?
    private var writer: NativeThread?
    private let batch: ByteBuffer

    init(socket: Socket, queueDepth: Int, maxBytes: Int, shape: WriteShape = WriteShape()) {
        self.socket = socket
        self.shape = WriteShape(chunk: shape.chunk)
        self.queueDepth = max(queueDepth, 1)
        self.maxBytes = max(maxBytes, 1)
        batch = ByteBuffer(capacity: max(maxBytes, 64 * 1024))
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&notEmpty, nil)
        pthread_cond_init(&notFull, nil)
        writer = NativeThread.spawn(name: "writer") { [self] in drain() }
    }

    deinit {
        pthread_cond_destroy(&notFull)
        pthread_cond_destroy(&notEmpty)
        pthread_mutex_destroy(&mutex)
    }

    var pending: Int { 0 }
    var deadline: UInt64? { nil }

    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        pthread_mutex_lock(&mutex)
        let buffer = pool.popLast() ?? ByteBuffer(capacity: size)
        pthread_mutex_unlock(&mutex)
        buffer.ensure(size)
        reserved = buffer
        return buffer.base
    }

    func commit(_ size: Int) throws(SystemError) {
        guard let buffer = reserved else { return }
        reserved = nil
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while queue.count >= queueDepth && failure == nil { pthread_cond_wait(&notFull, &mutex) }
        if let failure { throw failure }
        queue.append((buffer, size))
        pthread_cond_signal(&notEmpty)
    }

    func flush() throws(SystemError) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if let failure { throw failure }
    }

    func finish() throws(SystemError) {
        pthread_mutex_lock(&mutex)
        closing = true
        pthread_cond_signal(&notEmpty)
        pthread_mutex_unlock(&mutex)
        writer?.join()
        writer = nil
        if let failure { throw failure }
    }

    /// The writer thread: everything queued (up to `maxBytes`) in one write.
    private func drain() {
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty && !closing { pthread_cond_wait(&notEmpty, &mutex) }
            if queue.isEmpty || failure != nil {
                pthread_mutex_unlock(&mutex)
                return
            }
            var taken: [(ByteBuffer, Int)] = []
            var bytes = 0
            while let first = queue.first, taken.isEmpty || bytes + first.1 <= maxBytes {
                taken.append(first)
                bytes += first.1
                queue.removeFirst()
            }
            pthread_cond_broadcast(&notFull)
            pthread_mutex_unlock(&mutex)

            var error: SystemError?
            do throws(SystemError) {
                if taken.count == 1 {
                    try shape.write(socket, taken[0].0.base, count: taken[0].1)
                } else {
                    batch.ensure(bytes)
                    var offset = 0
                    for (buffer, size) in taken {
                        (batch.base + offset).copyMemory(from: buffer.base, byteCount: size)
                        offset += size
                    }
                    try shape.write(socket, batch.base, count: bytes)
                }
            } catch let e {
                error = e
            }
            for (buffer, size) in taken { buffer.base.initializeMemory(as: UInt8.self, repeating: 0, count: size) }
            pthread_mutex_lock(&mutex)
            pool.append(contentsOf: taken.map(\.0))
            if let error, failure == nil {
                failure = error
                pthread_cond_broadcast(&notFull)
            }
            pthread_mutex_unlock(&mutex)
        }
    }
}
