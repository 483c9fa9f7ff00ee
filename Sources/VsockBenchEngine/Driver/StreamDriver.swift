import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// stream on the driver: socat-style bulk bytes, written straight from the payload pool in
/// `write_size` chunks (tx), read and checked (rx), or both on two threads, each counting on
/// its own lane. The driver ends a stream by half-closing; the target then closes, which also
/// ends an rx stream.
struct StreamDriver: Sendable {
    let connection: DriverConnection
    let stream: StreamWorkload
    let index: Int
    /// Bytes this connection moves in the measured interval (count-bounded cases).
    let quotaBytes: UInt64?
    let control: RunControl
    let pool: PayloadPool
    let meter: IntervalMeter

    var socket: Socket { connection.socket }

    /// Each direction's share of the quota: a `both` stream counts the messages of both
    /// directions, so the driver's writes carry half of its count (rounded up) and its reads
    /// the rest, and `messages: N` is N in all.
    private var directionQuotas: (send: UInt64?, receive: UInt64?) {
        guard stream.direction == .both, let quotaBytes else { return (quotaBytes, quotaBytes) }
        let size = UInt64(stream.writeSize)
        let writes = quotaBytes / size
        return ((writes + 1) / 2 * size, writes / 2 * size)
    }

    func run() -> WorkerResult {
        var result = WorkerResult(index: index)
        var finished = false
        switch stream.direction {
        case .tx:
            let sent = send(lane: meter.lane(owning: .writes))
            result.stalledWrite = sent.stalled
            // A raw peer's close is waited for after the interval, not in it: the quota met
            // ends the interval now, so the driver's CPU and the machine's ticks cover the
            // writes only (review: a peer that sends back, never closing, is read up to
            // `rawDrainNanos`, and 10 writes read "cpu us/msg 75331" and 2 busy CPUs).
            if stream.raw, !sent.failed, quotaBytes != nil, control.failures.isEmpty {
                control.workerFinished()
                finished = true
            }
            // A failed send already said why (the target's error frame included): waiting for
            // the peer to finish would wait out a whole timeout more on one that stalled.
            if !sent.failed { if stream.raw { awaitRawClose() } else { drainAfterSend() } }
        case .rx:
            receive(stopsCase: true, lane: meter.lane(owning: .reads))
        case .both:
            let senderLane = meter.lane(owning: .writes)
            // A raw echo (`socat ... EXEC:cat`, the user's own) may stay open after the driver's
            // half-close: the receiver stops once every byte sent is back, not at its close.
            let sentTotal = LockedValue<UInt64?>(nil)
            let stalled = LockedValue<String?>(nil)
            // Our target sources until our half-close: the sender holds it back until the
            // receiver has its share of the interval (or stopped), else a sender that finished
            // first would cut the target's half short. An echo returns what was sent anyway.
            let received: CountingSemaphore? = stream.raw ? nil : CountingSemaphore(value: 0)
            let sender = NativeThread.spawn(name: "stream-tx-\(index)") { [self] in
                let sent = send(lane: senderLane, holdingCloseUntil: received)
                stalled.withLock { $0 = sent.stalled }
                sentTotal.withLock { $0 = sent.bytes }
            }
            receive(stopsCase: false, lane: meter.lane(owning: .reads), echoOf: stream.raw ? sentTotal : nil, measured: received)
            sender.join()
            result.stalledWrite = stalled.value
        }
        if !finished, quotaBytes != nil, control.failures.isEmpty { control.workerFinished() }
        result.reading = meter.reading()
        // A stream's messages are `write_size` units, whichever way they moved.
        result.reading.tally.messages = (result.reading.tally.bytesIn + result.reading.tally.bytesOut) / UInt64(stream.writeSize)
        result.total = meter.total
        return result
    }

    /// Writes until the case stops (or the quota is met), then half-closes (once `holdingClose`
    /// is released, if given); returns the bytes written, whether a write failed, and why it
    /// measured nothing where one write was blocked through the interval (`blockedThroughInterval`).
    private func send(lane: MeterLane, holdingCloseUntil holdingClose: CountingSemaphore? = nil) -> (bytes: UInt64, failed: Bool, stalled: String?) {
        var position: UInt64 = 0
        var failed = false
        var measuredFrom: UInt64?
        let size = stream.writeSize
        let quotaBytes = directionQuotas.send
        while true {
            let phase = control.phase
            if phase == .stop { break }
            if measuredFrom == nil, phase == .measure {
                lane.open()
                measuredFrom = position
            }
            if let quotaBytes, let from = measuredFrom, position - from >= quotaBytes { break }
            let chunk = pool.stream(at: position, count: size)
            do {
                if let base = chunk.baseAddress { try socket.writeAll(base, count: size) }
            } catch {
                // After another failure closed the socket, this write's error says nothing new.
                if control.failures.isEmpty {
                    control.fail(writeFailure(error, after: position))
                }
                if error.isTimeout { control.noteTimeout() }
                failed = true
                break
            }
            position += UInt64(size)
            lane.count(bytesOut: UInt64(size))
        }
        lane.close()
        let stalled = failed ? nil : blockedThroughInterval(measuredFrom: measuredFrom, position: position)
        _ = holdingClose?.acquire()
        socket.shutdownWrite()
        return (position, failed, stalled)
    }

    /// Why this connection measured no write although the interval ran: the write under way
    /// when the interval opened was still blocked when it closed, and returned a second or
    /// more later (a blocked write that then completes reports no error of its own). The case's
    /// reason where the whole case measured nothing (`CaseRunner.emptyInterval`): it read "no
    /// byte moved inside the measured interval", which hid the stall (review: a raw tx stream
    /// into `socat ... EXEC:cat`, whose answers nobody reads). nil where this connection saw
    /// the interval open, or the case never entered it (stopped in warmup), or the write
    /// returned soon after the interval (slow, not stalled: no claim).
    private func blockedThroughInterval(measuredFrom: UInt64?, position: UInt64) -> String? {
        let opened = control.measureStartNanos, closed = control.stopStartNanos
        guard measuredFrom == nil, position > 0, opened > 0, closed > opened else { return nil }
        let late = MonotonicClock.nanos() &- closed
        guard late >= Self.stalledAfterNanos else { return nil }
        // `position` counts the blocked write too, which completed after the interval.
        let before = position - UInt64(stream.writeSize)
        let head = "connection \(index): a write of \(Quantities.formatSize(stream.writeSize)) was under way through the whole measured interval, after \(before) bytes had gone, "
            + "and returned \(Quantities.formatDuration(late)) after the interval ended"
        // A write larger than the socket's buffers stays in one call while a slow but steady
        // peer drains it: no stall (review: 16 MiB to a peer reading 10 MB/s). One that fits
        // waits only for its own room, which a peer that reads at all frees in far less.
        let options = socket.effectiveOptions()
        let room = max(options.sndbuf ?? 0, Int(clamping: options.vsockBufferSize ?? 0))
        guard room >= stream.writeSize else {
            return head + ": one write, larger than the socket's buffer (\(Quantities.formatSize(room))), outlasted the interval; a smaller write_size or a longer duration measures it"
        }
        return head + ", blocked: \(peer) stopped reading" + echoAdvice
    }

    /// How long after the interval a write must return to call its peer stalled, not slow.
    static let stalledAfterNanos: UInt64 = 1_000_000_000

    /// A raw tx stream into an echo fills both ways' buffers, since the echo's answers are
    /// never read: said where bytes wait to be read on this tx-only connection (an echo's),
    /// not to a sink that merely stopped reading (review).
    private var echoAdvice: String {
        guard stream.raw, stream.direction == .tx, (try? socket.hasQueuedBytes()) ?? false else { return "" }
        return " (it sent bytes back, which a tx stream never reads: an echo such as `socat ... EXEC:cat` stalls so once the buffers fill; "
            + "give a raw tx stream a sink, `socat -u VSOCK-LISTEN:PORT OPEN:/dev/null`, or measure an echo with `direction: both`)"
    }

    /// The other end as errors name it: a raw stream's is not vsockbench's target.
    private var peer: String { stream.raw ? "the peer" : "the target" }

    /// Why a stream write failed. A target that drops a tx stream sends its reason, an error
    /// frame, and closes: the write under way fails with EPIPE or ECONNRESET, and the frame
    /// (read within a short bounded wait) is what the user needs, as `drainAfterSend` reports
    /// it. Only tx: its sender is the connection's only reader (`both` reads the stream on
    /// another thread, where the target's bytes are stream bytes, not frames).
    private func writeFailure(_ error: SystemError, after position: UInt64) -> String {
        if stream.direction == .tx, !stream.raw, error.isDisconnect, let message = connection.reader.pendingError() {
            return "connection \(index): the target reported: \(message.description)"
        }
        let advice = error.isTimeout ? echoAdvice : ""
        return "connection \(index): stream write failed after \(position) bytes: \(DriverError(error).description(peer: peer))" + advice
    }

    /// Reads and checks until the case stops (or the quota is met); with `stopsCase` it then
    /// half-closes and drains to end of stream. `echoOf`: the bytes the sender wrote, once it
    /// is done; the drain ends when as many came back, whether or not the peer closes.
    /// `measured` is released once the measured reads are over, however they ended.
    private func receive(stopsCase: Bool, lane: MeterLane, echoOf sentTotal: LockedValue<UInt64?>? = nil, measured: CountingSemaphore? = nil) {
        let size = stream.writeSize
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var ended = false
        // The target streams right after its ack: the reader may already hold the first bytes.
        let start = pool.takeStreamStart(from: connection.reader, verify: stream.verify)
        var position = UInt64(start.count)
        lane.count(bytesIn: position)
        if let at = start.problem {
            control.fail("connection \(index): \(stream.verify.problem(at: UInt64(at))) in the first bytes, which came with the ack")
        }
        var measuredFrom: UInt64?
        let quotaBytes = directionQuotas.receive
        while true {
            let phase = control.phase
            if phase == .stop { break }
            if measuredFrom == nil, phase == .measure {
                lane.open()
                measuredFrom = position
            }
            if let quotaBytes, let from = measuredFrom, position - from >= quotaBytes { break }
            guard let n = readChecked(buffer, size, &position) else {
                // The case failed: close both ways, so a target blocked writing to us (rx,
                // both) sees the end at once instead of waiting out its timeouts.
                socket.shutdownBoth()
                ended = true
                break
            }
            if n == 0 {
                if stopsCase { control.fail("connection \(index): the target ended the stream early after \(position) bytes") }
                ended = true
                break
            }
            lane.count(bytesIn: UInt64(n))
        }
        lane.close()
        measured?.release()
        // A raw source (`socat ... /dev/zero`) may never end: stop reading it here.
        if stream.raw, stream.direction == .rx {
            socket.shutdownBoth()
            ended = true
        }
        if stopsCase { socket.shutdownWrite() }
        // Drain what the target sent before it saw the end: not measured, still checked.
        while !ended {
            if let sentTotal {
                if let total = sentTotal.value {
                    if position >= total { break }
                } else if !socket.waitReadable(timeoutNanos: 20_000_000) {
                    continue  // the sender is finishing its last write: its total decides
                }
            }
            guard let n = readChecked(buffer, size, &position), n > 0 else { break }
            lane.count(bytesIn: UInt64(n))
        }
    }

    /// One read, checked at its stream position; nil after a failure.
    private func readChecked(_ buffer: UnsafeMutableRawPointer, _ size: Int, _ position: inout UInt64) -> Int? {
        let n: Int
        do {
            n = try socket.read(into: buffer, count: size)
        } catch {
            control.fail("connection \(index): stream read failed after \(position) bytes: \(DriverError(error).description(peer: peer))")
            if error.isTimeout { control.noteTimeout() }
            return nil
        }
        // A raw source's bytes are its own: counted, not checked (an echo's are ours: checked).
        if n > 0, !(stream.raw && stream.direction == .rx), let at = pool.streamProblem(buffer, count: n, at: position, stream.verify) {
            control.fail("connection \(index): \(stream.verify.problem(at: position + UInt64(at)))")
            return nil
        }
        position += UInt64(n)
        return n
    }

    /// After a raw tx stream: the sink (`socat ... /dev/null`) closes once it has read
    /// everything; one that stays open is left after the I/O timeout, which is no error, and
    /// one that keeps sending (a source, heartbeats) after `rawDrainNanos`: the drain read
    /// 1.4 TB in 11 minutes from a peer that never stopped, and a SIGTERM did not end it
    /// (review). The wait is for the peer to take every byte before the driver's close,
    /// which, with the peer's bytes unread, resets the connection and could cut the sink's
    /// reading short. So a peer that keeps sending is left as soon as the kernel says it took
    /// them all (SIOCOUTQ 0): 10 writes to `socat ... /dev/zero` took 2 s, the whole bound.
    private func awaitRawClose() {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        let deadline = MonotonicClock.nanos() &+ Self.rawDrainNanos
        while let n = try? socket.read(into: buffer, count: 64 * 1024), n > 0 {
            if MonotonicClock.nanos() >= deadline || socket.unsentBytes() == 0 { break }
        }
    }

    /// How long a raw tx case waits for its peer to close while the peer keeps sending.
    static let rawDrainNanos: UInt64 = 2_000_000_000

    /// After a tx stream: the target closes once it has read everything; anything it sends
    /// first is an error frame.
    private func drainAfterSend() {
        do {
            if let frame = try connection.reader.next(), frame.header.type == .error {
                let message = ErrorMessage(errorFrame: frame).description
                control.fail("connection \(index): the target reported: \(message)")
            }
        } catch {
            control.fail("connection \(index): waiting for \(peer) to finish: \(DriverError(error).description(peer: peer))")
        }
    }
}
