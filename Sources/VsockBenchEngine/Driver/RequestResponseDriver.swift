import CShims
import Histogram
import Synchronization
import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// rr and masked on the driver. Latency runs from the moment a request is ready to be sent
/// (built, before it enters the batching strategy) until its verified response is in, so the
/// first-byte cost of batching shows next to its gain.
///
/// Stop-and-wait with a one-write-per-frame strategy runs on one thread (exactly the protocol
/// under suspicion); everything else uses a sender thread and a receiver thread with a
/// window of `inflight` requests.
struct RequestResponseDriver: Sendable {
    let connection: DriverConnection
    let spec: CaseSpec
    let index: Int
    /// Messages this connection completes in the measured interval (count-bounded cases).
    let quota: UInt64?
    let control: RunControl
    let progress: WorkerProgress
    let source: any RequestSource

    var socket: Socket { connection.socket }

    func run() -> WorkerResult {
        if spec.inflight == 1, spec.strategy.writesEachFrameAtOnce {
            let result = runStopAndWait()
            finish()
            return result
        }
        return runPipelined()
    }

    private func runStopAndWait() -> WorkerResult {
        var result = WorkerResult(index: index)
        var histogram = WorkerResult.newHistogram()
        let sink = spec.strategy.makeSink(socket: socket, shape: spec.writeShape)
        var window = MeasureWindow()
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        while true {
            if window.observe(control.phase, io: socket.counters) { break }
            if let quota, window.measuring, measured >= quota {
                window.close(io: socket.counters)
                control.workerFinished()
                break
            }
            let size = source.prepare(sequence)
            source.write(sequence, into: sink.reserve(size), measured: window.measuring)
            let start = MonotonicClock.nanos()
            do {
                try sink.commit(size)
                try source.verify(try connection.nextFrame(expecting: "response"), sequence)
            } catch {
                control.fail("connection \(index), message \(sequence): \(DriverError(error))")
                // What was measured up to the failure is still reported.
                window.close(io: socket.counters)
                break
            }
            let end = MonotonicClock.nanos()
            if window.measuring {
                histogram.record(end &- start)
                measured += 1
            }
            progress.add(messages: 1, bytes: UInt64(2 * size))
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
        // The interval counts exactly the messages sent after it opened and answered before it
        // closed, with their own bytes; read syscalls from the first such answer.
        var bytesTx: UInt64 = 0
        var bytesRx: UInt64 = 0
        var readStart: IOSnapshot?
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
                if expected < sent, control.failures.isEmpty {
                    control.fail("connection \(index): the target closed with \(sent - expected) responses outstanding (lost)")
                    failed = true
                }
                break
            }
            let requestBytes: Int
            do {
                requestBytes = try source.verify(frame, expected)
            } catch {
                control.fail("connection \(index), message \(expected): \(error)")
                failed = true
                break
            }
            let end = MonotonicClock.nanos()
            let start = cshims_load_acquire_u64(shared.sendTimes + Int(expected % UInt64(spec.inflight)))
            shared.received.store(expected + 1, ordering: .releasing)
            shared.slots.release()
            if expected >= shared.firstMeasured.load(ordering: .acquiring), control.phase == .measure {
                if readStart == nil { readStart = socket.counters.snapshot() }
                histogram.record(end &- start)
                measured += 1
                bytesTx += UInt64(spec.strategy.wireSize(ofFrame: requestBytes))
                bytesRx += UInt64(frame.wholeFrame.count)
                result.endNanos = end
            }
            progress.add(messages: 1, bytes: UInt64(2 * frame.wholeFrame.count))
            expected += 1
        }
        shared.slots.cancel()
        if failed { socket.shutdownBoth() }
        sender.join()
        let begin = shared.startTime.load(ordering: .acquiring)
        if begin > 0 {
            result.startNanos = begin
            let end = socket.counters.snapshot()
            var io = end - (readStart ?? end)
            if let sendEnd = shared.sendEndIO.value {
                let written = sendEnd - shared.startIO.value
                io.writes = written.writes
                io.writeNanos = written.writeNanos
                io.shortWrites = written.shortWrites
            }
            io.bytesWritten = bytesTx
            io.bytesRead = bytesRx
            result.io = io
            if result.endNanos < begin { result.endNanos = begin }
        }
        if quota != nil, !failed { control.workerFinished() }
        result.messages = measured
        result.latency = histogram
        result.totalMessages = expected
        return result
    }

    /// The sender of a pipelined connection: takes a window slot per request, builds it in the
    /// sink, stamps it ready, commits it; flushes a pending batch when nothing more can join it
    /// in time; at the end flushes, stops the sink and says bye.
    private func sendPipelined(_ shared: PipelineShared) {
        let sink = spec.strategy.makeSink(socket: socket, shape: spec.writeShape)
        defer { sink.close() }
        var window = MeasureWindow()
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        do throws(SystemError) {
            while true {
                let phase = control.phase
                if window.seen == .warmup, phase != .warmup {
                    shared.startIO.withLock { $0 = socket.counters.snapshot() }
                    shared.startTime.store(MonotonicClock.nanos(), ordering: .releasing)
                    shared.firstMeasured.store(sequence, ordering: .releasing)
                }
                if window.observe(phase, io: socket.counters) { break }
                if let quota, window.measuring, measured >= quota { break }
                guard try acquireSlot(shared, sink: sink, sent: sequence) else { break }
                let size = source.prepare(sequence)
                source.write(sequence, into: sink.reserve(size), measured: window.measuring)
                cshims_store_release_u64(shared.sendTimes + Int(sequence % UInt64(spec.inflight)), MonotonicClock.nanos())
                shared.sent.store(sequence + 1, ordering: .releasing)
                try sink.commit(size)
                if window.measuring { measured += 1 }
                sequence += 1
            }
            try sink.finish()
            // The bye is protocol, not workload: the interval's writes end before it.
            shared.sendEndIO.withLock { $0 = socket.counters.snapshot() }
            try socket.send(ControlCodec.emptyFrame(.bye))
        } catch {
            if control.failures.isEmpty { control.fail("connection \(index), message \(sequence): \(DriverError(error))") }
            // The target will never see a bye: wake the receiver now rather than at its timeout.
            socket.shutdownBoth()
        }
    }

    /// A window slot for the next request. With a batch pending: take a free slot at once if
    /// there is one; otherwise wait for one no longer than the batch's deadline (never when
    /// every outstanding request is in the unsent batch: no answer can free a slot), then
    /// flush. False once the case is over.
    private func acquireSlot(_ shared: PipelineShared, sink: any FrameSink, sent: UInt64) throws(SystemError) -> Bool {
        while sink.pending > 0 {
            let now = MonotonicClock.nanos()
            // The linger bounds what batching adds to the oldest pending message's latency.
            if let deadline = sink.deadline, now >= deadline {
                try sink.flush()
                break
            }
            if shared.slots.tryAcquire() { return true }
            let inFlight = sent &- shared.received.load(ordering: .acquiring)
            if let deadline = sink.deadline, now < deadline, UInt64(sink.pending) < inFlight {
                if shared.slots.acquire(timeoutNanos: deadline - now) { return true }
            }
            try sink.flush()
        }
        return shared.slots.acquire()
    }

    /// Stop-and-wait: says goodbye and waits for the target to close, so its counters are
    /// final before the stats request.
    private func finish() {
        do {
            try socket.send(ControlCodec.emptyFrame(.bye))
            if let frame = try connection.reader.next() {
                if frame.header.type == .error {
                    let message = ErrorMessage(errorFrame: frame).description
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
    /// Ready time of each in-flight request, indexed by sequence modulo the window; written
    /// with release by the sender, read with acquire by the receiver after the response.
    let sendTimes: UnsafeMutablePointer<UInt64>
    let firstMeasured = Atomic<UInt64>(.max)
    let sent = Atomic<UInt64>(0)
    let received = Atomic<UInt64>(0)
    let startTime = Atomic<UInt64>(0)
    let startIO = LockedValue(IOSnapshot())
    let sendEndIO = LockedValue<IOSnapshot?>(nil)

    init(inflight: Int) {
        slots = CountingSemaphore(value: inflight)
        sendTimes = .allocate(capacity: inflight)
        sendTimes.initialize(repeating: 0, count: inflight)
    }

    deinit { sendTimes.deallocate() }
}
