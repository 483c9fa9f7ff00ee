import Histogram
import VsockBenchSupport
import VsockWire

/// One request out and its response back, one at a time: what a stop-and-wait loop drives.
/// Over a socket (`SocketRoundTrip`) or through the target's responder in this process
/// (`InProcessRoundTrip`), so both measure with the same loop.
protocol RoundTripChannel {
    /// Room for the next request frame of `size` bytes, valid until `send`.
    func reserve(_ size: Int) -> UnsafeMutableRawPointer
    /// Sends the reserved request of `size` bytes.
    func send(_ size: Int) throws(DriverError)
    /// Sends the request frame of `size` bytes at `frame` (built in place by the source).
    func send(_ frame: UnsafeRawPointer, _ size: Int) throws(DriverError)
    /// The response to the request just sent.
    func receive() throws(DriverError) -> Frame
    /// Whether a response from `receive` stays intact while the next request is sent (until the
    /// next `receive`): then its payload may be compared after that send, off the round trip.
    var responseOutlivesNextSend: Bool { get }
}

/// Stop-and-wait on one thread: build a request, send it, wait for its response, verify it;
/// latency from the moment the request is ready until its response is in and checked. The
/// interval opens at the first message built after the case entered `measure` and closes when
/// the case stops, the quota is met or a message fails.
///
/// Where the source allows it (rr: `RequestSource.defersPayloadCheck`) and the response
/// outlives the next send (over a socket), the response's header and length are checked at
/// once and its payload, every byte, right after the next request is out: while the target
/// works on that one rather than between a response and the next request. On two CPUs that
/// takes the comparison (about 1100 instructions for 8 KiB) off the round trip; on one it
/// changes nothing. A bad payload still fails the run, named by its own message.
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
        var histogram = LatencyRecorder(every: interval, control: control)
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        var measuring = false
        let deferring = source.defersPayloadCheck && channel.responseOutlivesNextSend
        // The last response, until it is settled: its payload compared if that was deferred,
        // then its latency recorded and the message counted (a bad one is never counted).
        var answered: Answered?
        func settle() -> Bool {
            guard let last = answered else { return true }
            answered = nil
            if deferring {
                do { try source.checkPayload(last.frame, last.sequence) } catch {
                    control.fail("connection \(index), message \(last.sequence): \(error)")
                    return false
                }
            }
            if last.measured { histogram.record(last.latency, at: last.end) }
            lane.count(messages: 1, bytesIn: UInt64(last.responseBytes), bytesOut: UInt64(last.requestBytes))
            return true
        }
        while true {
            let phase = control.phase
            if phase == .stop { break }
            if !measuring, phase == .measure {
                // The last warmup message is counted before the interval opens.
                guard settle() else { break }
                lane.open()
                measuring = true
            }
            if let quota, measuring, measured >= quota {
                if settle() { control.workerFinished() }
                break
            }
            let size = source.prepare(sequence)
            // rr requests are written from where their payload lies; others built in the sink.
            let inPlace = source.frameInPlace(sequence, measured: measuring)
            if inPlace == nil { source.write(sequence, into: channel.reserve(size), measured: measuring) }
            let start = MonotonicClock.nanos()
            do {
                if let inPlace {
                    defer { source.sent() }
                    try channel.send(inPlace, size)
                } else {
                    try channel.send(size)
                }
            } catch {
                control.fail("connection \(index), message \(sequence): \(error)")
                break
            }
            // The previous message, while the target works on this one.
            guard settle() else { break }
            let response: Frame
            let requestBytes: Int
            do {
                response = try channel.receive()
                requestBytes = try deferring ? source.checkResponse(response, sequence) : source.verify(response, sequence)
            } catch {
                control.fail("connection \(index), message \(sequence): \(error)")
                break
            }
            let end = MonotonicClock.nanos()
            answered = Answered(frame: response, sequence: sequence, requestBytes: requestBytes, responseBytes: response.payload.count,
                                latency: end &- start, end: end, measured: measuring)
            if measuring { measured += 1 }
            if !deferring, !settle() { break }
            sequence += 1
        }
        // The last response is settled before the interval closes.
        _ = settle()
        // What was measured up to a failure is still reported.
        lane.close()
        return (histogram, sequence)
    }
}

/// A response in and checked but not yet settled (see `StopAndWaitLoop.run`).
private struct Answered {
    let frame: Frame
    let sequence: UInt64
    let requestBytes: Int
    let responseBytes: Int
    let latency: UInt64
    let end: UInt64
    let measured: Bool
}

/// The stop-and-wait channel over a target connection: the request through the case's sink
/// (an immediate one: stop-and-wait writes each frame at once), the response from the reader.
struct SocketRoundTrip: RoundTripChannel {
    let sink: any FrameSink
    let connection: DriverConnection

    func reserve(_ size: Int) -> UnsafeMutableRawPointer { sink.reserve(size) }

    @inline(__always)
    func send(_ size: Int) throws(DriverError) {
        do { try sink.commit(size) } catch { throw .system(error) }
    }

    @inline(__always)
    func send(_ frame: UnsafeRawPointer, _ size: Int) throws(DriverError) {
        // An immediate sink writes it from where it is; the others copy it into their batch.
        do { try sink.write(frame, count: size) } catch { throw .system(error) }
    }

    @inline(__always)
    func receive() throws(DriverError) -> Frame {
        try connection.nextFrame(expecting: "response")
    }

    /// The reader's buffer changes only at the next read; a send does not touch it.
    var responseOutlivesNextSend: Bool { true }
}
