import Histogram
import VsockBenchSupport
import VsockWire

/// One request out and its response back, one at a time: what a stop-and-wait loop drives.
/// Over a socket (`SocketRoundTrip`) or through the target's responder in this process
/// (`InProcessRoundTrip`), so both measure with the same loop.
protocol RoundTripChannel {
    /// Room for the next request frame of `size` bytes, valid until `roundTrip`.
    func reserve(_ size: Int) -> UnsafeMutableRawPointer
    /// Sends the reserved request of `size` bytes and returns its response.
    func roundTrip(_ size: Int) throws(DriverError) -> Frame
    /// Sends the request frame of `size` bytes at `frame` (built in place by the source) and
    /// returns its response.
    func roundTrip(sending frame: UnsafeRawPointer, _ size: Int) throws(DriverError) -> Frame
}

/// Stop-and-wait on one thread: build a request, send it, wait for its response, verify it;
/// latency from the moment the request is ready until its response arrived (the clock is read
/// before the response is verified: that is the driver's own work). The interval
/// opens at the first message built after the case entered `measure` and closes when the
/// case stops, the quota is met or a message fails.
struct StopAndWaitLoop {
    let index: Int
    let source: any RequestSource
    let control: RunControl
    /// Messages this connection completes in the measured interval (count-bounded cases).
    let quota: UInt64?
    /// The slice length of the case's time series, if it has one.
    var interval: UInt64? = nil

    /// Runs until the case stops; returns the latency histogram, the messages sent, and the
    /// error that ended it early (already reported to `control`).
    func run(_ channel: some RoundTripChannel, lane: MeterLane) -> (latency: LatencyRecorder, sent: UInt64) {
        // rr's echo source gets a loop of its own, specialized: no call through the existential a message.
        if let echo = source as? EchoSource { return run(channel, lane: lane, source: echo) }
        return run(channel, lane: lane, source: source)
    }

    private func run<Source: RequestSource>(_ channel: some RoundTripChannel, lane: MeterLane, source: Source) -> (latency: LatencyRecorder, sent: UInt64) {
        var histogram = LatencyRecorder(every: interval, control: control)
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        var measuring = false
        while true {
            let phase = control.phase
            if phase == .stop { break }
            if !measuring, phase == .measure {
                lane.open()
                measuring = true
                source.measuringStarts(at: sequence)
            }
            if let quota, measuring, measured >= quota {
                control.workerFinished()
                break
            }
            let size = source.prepare(sequence)
            // rr requests are written from where their payload lies; others built in the sink.
            let inPlace = source.frameInPlace(sequence, measured: measuring)
            if inPlace == nil { source.write(sequence, into: channel.reserve(size), measured: measuring) }
            let start = MonotonicClock.nanos()
            let requestBytes: Int
            let responseBytes: Int
            // When the response arrived: read before it is verified, whose cost is the
            // driver's own (the masked verifier's 17 µs a message read as channel latency).
            let end: UInt64
            do {
                let response: Frame
                if let inPlace {
                    defer { source.sent() }
                    response = try channel.roundTrip(sending: inPlace, size)
                } else {
                    response = try channel.roundTrip(size)
                }
                end = MonotonicClock.nanos()
                requestBytes = try source.verify(response, sequence)
                responseBytes = response.payload.count
            } catch .interrupted {
                // A read the interrupt cut after its grace time: the case's failure is the
                // "interrupted" recorded before the cut, and the only one (review).
                control.enter(.stop)
                break
            } catch {
                control.fail("\(requestPlace(connection: index, sequence: sequence, source: source)): \(error)")
                // The target's stats are then waited for briefly (review: an rr case behind a
                // stalled relay paid a whole --io-timeout more for them).
                if case let .system(system) = error, system.isTimeout { control.noteTimeout() }
                break
            }
            if measuring {
                histogram.record(end &- start)
                measured += 1
            }
            lane.count(messages: 1, bytesIn: UInt64(responseBytes), bytesOut: UInt64(requestBytes))
            sequence += 1
        }
        // What was measured up to a failure is still reported.
        lane.close()
        return (histogram, sequence)
    }
}

/// The stop-and-wait channel over a target connection: the request through the case's sink
/// (an immediate one: stop-and-wait writes each frame at once), the response from the reader.
/// A request whose send fails because the target dropped the connection fails with the
/// target's reason when it sent one (`DriverConnection.sendFailure`, off the hot path).
struct SocketRoundTrip: RoundTripChannel {
    let sink: any FrameSink
    let connection: DriverConnection
    /// The peer is not vsockbench (replay): its answers carry no sequence number, so one that
    /// came before its request was sent (read with the previous answer) is caught here.
    var foreign = false

    func reserve(_ size: Int) -> UnsafeMutableRawPointer { sink.reserve(size) }

    @inline(__always)
    func roundTrip(_ size: Int) throws(DriverError) -> Frame {
        try checkNothingWaiting()
        do { try sink.commit(size) } catch { throw connection.sendFailure(error) }
        return try connection.nextFrame(expecting: "a response")
    }

    @inline(__always)
    func roundTrip(sending frame: UnsafeRawPointer, _ size: Int) throws(DriverError) -> Frame {
        try checkNothingWaiting()
        // An immediate sink writes it from where it is; the others copy it into their batch.
        do { try sink.write(frame, count: size) } catch { throw connection.sendFailure(error) }
        return try connection.nextFrame(expecting: "a response")
    }

    @inline(__always)
    private func checkNothingWaiting() throws(DriverError) {
        guard foreign else { return }
        let buffered = connection.reader.bufferedCount
        guard buffered > 0 else { return }
        // One request at a time: bytes read with an answer and left over came after it, so they
        // belong to the request answered last (counted from 1, as the responses are).
        // They begin where the messages handed out end: the reader's place in the stream.
        let (offset, answered) = connection.reader.foreignPosition
        let after = answered > 0 ? "after its answer to request \(answered), " : ""
        let place = RequestResponseDriver.offsetText(offset, packets: connection.reader.packetMode)
        throw .protocolViolation(RequestResponseDriver.unaskedText("\(buffered) bytes \(place) \(after)before this request was sent",
                                                                   belongsTo: answered > 0 ? answered : nil))
    }
}
