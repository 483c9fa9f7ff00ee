import CShims
import Histogram
import Synchronization

/// rr on the driver: requests cut from the payload pool, every response checked for its
/// sequence number, length and bytes. Latency runs from the moment a request is ready to be
/// written until its verified response is in.
///
/// `inflight == 1` is stop-and-wait on one thread (exactly the protocol under suspicion);
/// `inflight > 1` uses a sender thread and a receiver thread with a window of that size.
struct RequestResponseDriver: Sendable {
    let connection: DriverConnection
    let spec: CaseSpec
    let index: Int
    /// Messages this connection completes in the measured interval (count-bounded cases).
    let quota: UInt64?
    let control: RunControl
    let progress: WorkerProgress
    let pool: PayloadPool

    var socket: Socket { connection.socket }

    func run() -> WorkerResult {
        if spec.inflight > 1 { return runPipelined() }
        let result = runStopAndWait()
        finish()
        return result
    }

    private func runStopAndWait() -> WorkerResult {
        var result = WorkerResult(index: index)
        var histogram = WorkerResult.newHistogram()
        let frameSize = FrameHeader.size + spec.requestSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: frameSize, alignment: 16)
        defer { buffer.deallocate() }
        var window = MeasureWindow()
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        while true {
            if window.observe(control.phase, io: socket.counters) { break }
            if let quota, window.measuring, measured >= quota {
                window.close(io: socket.counters)
                control.finishedWorkers.wrappingAdd(1, ordering: .relaxed)
                break
            }
            FrameHeader(type: .request, length: spec.requestSize, sequence: sequence, aux: UInt32(spec.responseSize)).encode(into: buffer)
            (buffer + FrameHeader.size).copyMemory(from: pool.bytes.baseAddress! + pool.offset(sequence: sequence), byteCount: spec.requestSize)
            let start = MonotonicClock.nanos()
            do {
                try socket.writeAll(buffer, count: frameSize)
                try receiveResponse(sequence)
            } catch {
                control.fail("connection \(index), message \(sequence): \(error)")
                break
            }
            let end = MonotonicClock.nanos()
            if window.measuring {
                histogram.record(end &- start)
                measured += 1
            }
            progress.add(messages: 1, bytes: UInt64(frameSize + FrameHeader.size + spec.responseSize))
            sequence += 1
        }
        result.messages = measured
        result.io = window.io
        result.startNanos = window.startNanos
        result.endNanos = window.endNanos
        result.latency = histogram
        result.totalMessages = sequence
        return result
    }

    /// Reads and verifies the response to `sequence`.
    @inline(__always)
    private func receiveResponse(_ sequence: UInt64) throws(DriverError) {
        try verify(try connection.expect(.response), sequence)
    }

    @inline(__always)
    private func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) {
        if frame.header.type == .error {
            throw .rejected((try? ControlCodec.decode(ErrorMessage.self, from: frame.payload)) ?? ErrorMessage(code: "unknown", message: "unreadable error frame"))
        }
        guard frame.header.type == .response else {
            throw .protocolViolation("expected a response frame, got \(frame.header.type)")
        }
        guard frame.header.sequence == sequence else {
            throw .protocolViolation("expected the response to message \(sequence), got \(frame.header.sequence) (lost or reordered)")
        }
        guard frame.payload.count == spec.responseSize else {
            throw .protocolViolation("response has \(frame.payload.count) bytes, expected \(spec.responseSize)")
        }
        guard pool.matches(frame.payload, sequence: sequence) else {
            let at = pool.firstMismatch(frame.payload, sequence: sequence) ?? 0
            throw .protocolViolation("response payload differs from what was sent at byte \(at) (corrupted)")
        }
    }

    private func runPipelined() -> WorkerResult {
        let shared = PipelineShared(inflight: spec.inflight)
        let sender = NativeThread.spawn(name: "rr-send-\(index)") { [self] in
            sendPipelined(shared)
        }
        var result = WorkerResult(index: index)
        var histogram = WorkerResult.newHistogram()
        var expected: UInt64 = 0
        var measured: UInt64 = 0
        var failed = false
        // The sender ends with a bye, so the target closes after the last response: end of
        // stream here means every request was answered (or some were lost, checked below).
        while true {
            let frame: Frame?
            do {
                frame = try connection.reader.next()
            } catch {
                control.fail("connection \(index), message \(expected): \(DriverError(error))")
                failed = true
                break
            }
            guard let frame else {
                let sent = shared.sent.load(ordering: .acquiring)
                if expected < sent {
                    control.fail("connection \(index): the target closed with \(sent - expected) responses outstanding (lost)")
                    failed = true
                }
                break
            }
            do {
                try verify(frame, expected)
            } catch {
                control.fail("connection \(index), message \(expected): \(error)")
                failed = true
                break
            }
            let end = MonotonicClock.nanos()
            let start = cshims_load_acquire_u64(shared.sendTimes + Int(expected % UInt64(spec.inflight)))
            shared.slots.release()
            if expected >= shared.firstMeasured.load(ordering: .acquiring) {
                histogram.record(end &- start)
                measured += 1
                result.endNanos = end
            }
            progress.add(messages: 1, bytes: UInt64(2 * FrameHeader.size + spec.requestSize + spec.responseSize))
            expected += 1
        }
        shared.slots.cancel()
        if failed { socket.shutdownBoth() }
        sender.join()
        let begin = shared.startTime.load(ordering: .acquiring)
        if begin > 0 {
            result.startNanos = begin
            result.io = socket.counters.snapshot() - shared.startIO.value
            if result.endNanos < begin { result.endNanos = begin }
        }
        if quota != nil, !failed { control.finishedWorkers.wrappingAdd(1, ordering: .relaxed) }
        result.messages = measured
        result.latency = histogram
        result.totalMessages = expected
        return result
    }

    /// The sender of a pipelined connection: takes a window slot per request, stamps its
    /// send time, writes it; at the end says bye.
    private func sendPipelined(_ shared: PipelineShared) {
        let frameSize = FrameHeader.size + spec.requestSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: frameSize, alignment: 16)
        defer { buffer.deallocate() }
        var window = MeasureWindow()
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        while true {
            let phase = control.phase
            if window.seen == .warmup, phase != .warmup {
                shared.startIO.withLock { $0 = socket.counters.snapshot() }
                shared.startTime.store(MonotonicClock.nanos(), ordering: .releasing)
                shared.firstMeasured.store(sequence, ordering: .releasing)
            }
            if window.observe(phase, io: socket.counters) { break }
            if let quota, window.measuring, measured >= quota { break }
            guard shared.slots.acquire() else { break }
            FrameHeader(type: .request, length: spec.requestSize, sequence: sequence, aux: UInt32(spec.responseSize)).encode(into: buffer)
            (buffer + FrameHeader.size).copyMemory(from: pool.bytes.baseAddress! + pool.offset(sequence: sequence), byteCount: spec.requestSize)
            cshims_store_release_u64(shared.sendTimes + Int(sequence % UInt64(spec.inflight)), MonotonicClock.nanos())
            do {
                try socket.writeAll(buffer, count: frameSize)
            } catch {
                control.fail("connection \(index), message \(sequence): \(DriverError(error))")
                return
            }
            if window.measuring { measured += 1 }
            sequence += 1
            shared.sent.store(sequence, ordering: .releasing)
        }
        do {
            try socket.send(ControlCodec.emptyFrame(.bye))
        } catch {
            control.fail("connection \(index): sending bye: \(DriverError(error))")
        }
    }

    /// Says goodbye and waits for the target to close, so its counters are final before the
    /// stats request.
    private func finish() {
        do {
            try socket.send(ControlCodec.emptyFrame(.bye))
            if let frame = try connection.reader.next() {
                if frame.header.type == .error {
                    let message = (try? ControlCodec.decode(ErrorMessage.self, from: frame.payload))?.description ?? "unreadable error frame"
                    control.fail("connection \(index): the target reported: \(message)")
                } else if control.failures.isEmpty {
                    control.fail("connection \(index): unexpected \(frame.header.type) frame after the last response")
                }
            }
        } catch {
            if control.failures.isEmpty { control.fail("connection \(index): closing: \(DriverError(error))") }
        }
    }
}

/// State shared by the two threads of a pipelined connection.
final class PipelineShared: @unchecked Sendable {
    let slots: CountingSemaphore
    /// Send time of each in-flight request, indexed by sequence modulo the window; written with
    /// release by the sender before the write, read with acquire by the receiver after the response.
    let sendTimes: UnsafeMutablePointer<UInt64>
    let firstMeasured = Atomic<UInt64>(.max)
    let sent = Atomic<UInt64>(0)
    let startTime = Atomic<UInt64>(0)
    let startIO = LockedValue(IOSnapshot())
    private let capacity: Int

    init(inflight: Int) {
        slots = CountingSemaphore(value: inflight)
        capacity = inflight
        sendTimes = .allocate(capacity: inflight)
        sendTimes.initialize(repeating: 0, count: inflight)
    }

    deinit { sendTimes.deallocate() }
}
