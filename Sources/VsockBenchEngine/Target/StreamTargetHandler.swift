import Synchronization
import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// stream on the target: sinks the driver's bytes (tx), sources bytes until the driver
/// half-closes (rx), or both at once on two threads. Bytes are spot-checked against the
/// payload pool at their stream position, so a lost or duplicated range is caught.
struct StreamTargetHandler: Sendable {
    let socket: Socket
    let reader: FrameReader
    let record: ConnectionRecord
    let spec: CaseSpec
    /// Test hook (`serve --inject-fault corrupt-stream:N`).
    var fault: TargetFault?

    func run() throws -> String {
        let pool = PayloadPool(seed: spec.seed, maxMessage: max(spec.writeSize, 64 * 1024))
        switch spec.direction {
        case .tx:
            try sink(pool: pool, countsMessages: true)
            return "end of stream"
        case .rx:
            let stop = StopFlag()
            let watcher = NativeThread.spawn(name: "stream-watch") { [socket] in
                // The driver says "stop" by half-closing.
                socket.waitForEndOfStream()
                stop.set()
            }
            defer { watcher.join() }
            try source(pool: pool, stop: stop)
            return "driver half-closed"
        case .both:
            let stop = StopFlag()
            let failure = LockedValue<String?>(nil)
            let sinkThread = NativeThread.spawn(name: "stream-sink") { [self] in
                do { try sink(pool: pool, countsMessages: true) } catch {
                    failure.withLock { $0 = "\(error)" }
                }
                stop.set()
            }
            defer { sinkThread.join() }
            try source(pool: pool, stop: stop)
            if let message = failure.value { throw ErrorMessage(code: "stream_failed", message: message) }
            return "both directions done"
        }
    }

    /// Reads until end of stream, checking each read's edges against the pool.
    private func sink(pool: PayloadPool, countsMessages: Bool) throws {
        let size = max(spec.writeSize, 1)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var position: UInt64 = 0
        var partial = 0
        var mismatch: UInt64?
        let start = pool.takeStreamStart(from: reader, verify: spec.verify)
        if let at = start.problem { mismatch = UInt64(at) }
        position = UInt64(start.count)
        partial = start.count
        IOCounters.bump(record.streamBytesRx, by: position)
        while mismatch == nil {
            let n = try socket.read(into: buffer, count: size)
            if n == 0 { break }
            let start = MonotonicClock.nanos()
            if let at = pool.streamProblem(buffer, count: n, at: position, spec.verify) { mismatch = position + UInt64(at) }
            position += UInt64(n)
            partial += n
            var done: UInt64 = 0
            while partial >= size {
                partial -= size
                done += 1
            }
            record.add(messages: countsMessages ? done : 0, processing: MonotonicClock.nanos() &- start)
            IOCounters.bump(record.streamBytesRx, by: UInt64(n))
        }
        if let mismatch {
            throw ErrorMessage(code: "stream_corrupt", message: spec.verify.problem(at: mismatch))
        }
    }

    /// Writes `write_size` chunks straight from the pool until told to stop, then half-closes.
    private func source(pool: PayloadPool, stop: StopFlag) throws {
        var position: UInt64 = 0
        let size = spec.writeSize
        while !stop.isSet {
            let chunk = pool.stream(at: position, count: size)
            if case let .corruptStream(offset)? = fault, offset >= position, offset - position < UInt64(size) {
                try writeCorrupted(chunk, flipping: Int(offset - position))
            } else {
                try socket.writeAll(chunk.baseAddress!, count: size)
            }
            position += UInt64(size)
            record.add(messages: 1, processing: 0)
            IOCounters.bump(record.streamBytesTx, by: UInt64(size))
        }
        socket.shutdownWrite()
    }

    /// The fault hook: this one chunk goes out with one byte flipped (the pool stays intact).
    private func writeCorrupted(_ chunk: UnsafeRawBufferPointer, flipping index: Int) throws {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: chunk.count, alignment: 16)
        defer { copy.deallocate() }
        copy.copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
        copy.storeBytes(of: copy.load(fromByteOffset: index, as: UInt8.self) ^ 0xFF, toByteOffset: index, as: UInt8.self)
        try socket.writeAll(copy, count: chunk.count)
    }
}
