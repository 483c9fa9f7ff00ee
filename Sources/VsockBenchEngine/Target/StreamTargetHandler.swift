import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// stream on the target: sinks the driver's bytes (tx), sources bytes until the driver
/// half-closes (rx), or both at once on two threads, each counting on its own lane. Bytes are
/// checked against the payload pool at their stream position, so a lost or duplicated range
/// is caught. The lanes' interval opens at the driver's mark (on the control connection) and
/// closes when each direction ends.
struct StreamTargetHandler: Sendable {
    /// The most one read takes: a stream's `write_size` may be 64 MiB, but reading it in
    /// pieces costs no correctness (checks and counts go by stream position) and bounds memory.
    static let readChunk = 1 << 20

    let socket: Socket
    let reader: FrameReader
    let record: ConnectionRecord
    let stream: StreamWorkload
    let seed: UInt64
    /// Test hook (`serve --inject-fault corrupt-stream:N`).
    var fault: TargetFault?
    /// Whether the server is stopping (`TargetServer.isStopping`): an rx stream's input that
    /// ends then was ended by the server's shutdown, not by the driver's half-close.
    var serverStopping: @Sendable () -> Bool = { false }

    /// `acknowledge` sends the ack to the hello: called once the threads the direction needs
    /// have started, so a target out of threads answers the hello with `busy` instead of
    /// sending it after an ack, where an rx driver would read it as stream bytes.
    func run(acknowledge: () throws(ServeError) -> Void) throws(ServeError) -> String {
        // The pool serves every source write whole (`write_size` at once) and every sink read.
        let pool = PayloadPool(seed: seed, maxMessage: stream.direction == .tx ? min(stream.writeSize, Self.readChunk) : stream.writeSize)
        switch stream.direction {
        case .tx:
            try acknowledge()
            try sink(pool: pool, lane: record.lanes[0])
            return "end of stream"
        case .rx:
            let stop = StopFlag()
            guard let watcher = NativeThread.trySpawn(name: "stream-watch", { [socket, serverStopping] in
                // The driver says "stop" by half-closing.
                socket.waitForEndOfStream()
                stop.set()
                // Or the server's shutdown ended the input: an rx stream has no room for a
                // shutting_down frame, and the source may be blocked sending to a driver that
                // stopped reading. Its send wakes (EPIPE) now, not after the server's 1.5 s.
                if serverStopping() { socket.shutdownWrite() }
            }) else { throw Self.noThread }
            defer {
                // The source may have stopped on its own (a send deadline, a broken pipe):
                // wake the watcher, which would otherwise wait for a half-close forever.
                if !stop.isSet { socket.shutdownBoth() }
                watcher.join()
            }
            try acknowledge()
            try source(pool: pool, stop: stop, lane: record.lanes[0])
            return "driver half-closed"
        case .both:
            let stop = StopFlag()
            let failure = LockedValue<ServeError?>(nil)
            let sinkLane = record.lanes[0]
            guard let sinkThread = NativeThread.trySpawn(name: "stream-sink", { [self] in
                do throws(ServeError) { try sink(pool: pool, lane: sinkLane) } catch {
                    failure.withLock { $0 = error }
                }
                stop.set()
                // The server's shutdown ended the input: the source's send wakes now (as rx).
                if serverStopping() { socket.shutdownWrite() }
            }) else { throw Self.noThread }
            do throws(ServeError) {
                try acknowledge()
                try source(pool: pool, stop: stop, lane: record.lanes[1])
            } catch {
                // The sink may be blocked reading from a peer that went quiet: wake it.
                socket.shutdownBoth()
                sinkThread.join()
                throw error
            }
            sinkThread.join()
            if let error = failure.value { throw error }
            return "both directions done"
        }
    }

    /// A thread the case needs cannot start (the process is out of threads or memory): the
    /// connection is refused, the target goes on.
    static var noThread: ServeError {
        .refused(ErrorMessage(code: "busy", message: "the target cannot start a thread for this connection's stream (out of threads or memory)"))
    }

    /// Reads until end of stream, checking each read against the pool; counts `write_size`
    /// units as messages.
    private func sink(pool: PayloadPool, lane: MeterLane) throws(ServeError) {
        defer { lane.close() }
        let size = max(stream.writeSize, 1)
        let chunk = min(size, Self.readChunk)
        // The peer's bytes: cleared when the buffer goes (ByteBuffer), as every buffer that
        // held them is.
        let storage = ByteBuffer(capacity: chunk)
        let buffer = storage.base
        defer { withExtendedLifetime(storage) {} }
        var mismatch: UInt64?
        let start = pool.takeStreamStart(from: reader, verify: stream.verify)
        if let at = start.problem { mismatch = UInt64(at) }
        var position = UInt64(start.count)
        var partial = start.count
        lane.count(bytesIn: position)
        while mismatch == nil {
            let n = try onSocket { () throws(SystemError) in try socket.read(into: buffer, count: chunk) }
            if n == 0 { break }
            let began = MonotonicClock.nanos()
            if let at = pool.streamProblem(buffer, count: n, at: position, stream.verify) { mismatch = position + UInt64(at) }
            position += UInt64(n)
            partial += n
            let done = UInt64(partial / size)
            partial %= size
            lane.count(messages: done, bytesIn: UInt64(n), processingNanos: MonotonicClock.nanos() &- began)
        }
        if let mismatch {
            throw .refused(ErrorMessage(code: "stream_corrupt", message: stream.verify.problem(at: mismatch)))
        }
    }

    /// Writes `write_size` chunks straight from the pool until told to stop, then half-closes.
    private func source(pool: PayloadPool, stop: StopFlag, lane: MeterLane) throws(ServeError) {
        defer { lane.close() }
        var position: UInt64 = 0
        let size = stream.writeSize
        while !stop.isSet {
            let chunk = pool.stream(at: position, count: size)
            if case let .corruptStream(offset)? = fault, offset >= position, offset - position < UInt64(size) {
                try writeCorrupted(chunk, flipping: Int(offset - position))
            } else if let base = chunk.baseAddress {
                try onSocket { () throws(SystemError) in try socket.writeAll(base, count: size) }
            }
            position += UInt64(size)
            lane.count(messages: 1, bytesOut: UInt64(size))
        }
        socket.shutdownWrite()
    }

    /// The fault hook: this one chunk goes out with one byte flipped (the pool stays intact).
    private func writeCorrupted(_ chunk: UnsafeRawBufferPointer, flipping index: Int) throws(ServeError) {
        guard let source = chunk.baseAddress else { return }
        let storage = ByteBuffer(capacity: chunk.count)
        let copy = storage.base
        defer { withExtendedLifetime(storage) {} }
        copy.copyMemory(from: source, byteCount: chunk.count)
        copy.storeBytes(of: copy.load(fromByteOffset: index, as: UInt8.self) ^ 0xFF, toByteOffset: index, as: UInt8.self)
        try onSocket { () throws(SystemError) in try socket.writeAll(copy, count: chunk.count) }
    }
}
