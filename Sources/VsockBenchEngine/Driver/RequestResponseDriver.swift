import CShims
import Histogram
import Synchronization
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// rr and masked on the driver. Latency runs from the moment a request is ready to be sent
/// (built, before it enters the batching strategy) until its verified response is in, so the
/// first-byte cost of batching shows next to its gain.
///
/// Stop-and-wait with a one-write-per-frame strategy runs on one thread (exactly the protocol
/// under suspicion); everything else uses a sender thread and a receiver thread with a
/// window of `inflight` requests.
struct RequestResponseDriver: Sendable {
    let connection: DriverConnection
    let exchange: Exchange
    let writeShape: WriteShape
    let index: Int
    /// Messages this connection completes in the measured interval (count-bounded cases).
    let quota: UInt64?
    let control: RunControl
    let source: any RequestSource
    let meter: IntervalMeter
    /// Open loop: this connection's share of the case's rate, and the seed of its arrivals.
    var openLoopShare: Double = 0
    var seed: UInt64 = 1
    /// The slice length of the case's time series, if it has one.
    var interval: UInt64?
    /// The peer is not vsockbench (replay): no bye, and the connection ends once every
    /// request sent is answered.
    var foreign = false

    var socket: Socket { connection.socket }

    func run() -> WorkerResult {
        var result = WorkerResult(index: index)
        if foreign, spokeFirst() {
            result.reading = meter.reading()
            result.total = meter.total
            return result
        }
        if exchange.isStopAndWait {
            let lane = meter.lane(owning: .both)
            var loop = StopAndWaitLoop(index: index, source: source, control: control, quota: quota)
            loop.interval = interval
            let sink = exchange.strategy.makeSink(socket: socket, shape: writeShape)
            let recorder = loop.run(SocketRoundTrip(sink: sink, connection: connection, foreign: foreign), lane: lane).latency
            (result.latency, result.sliceLatency) = (recorder.total, recorder.slices)
            if foreign { checkNothingMore(oneAtATime: true) } else { finish() }
        } else {
            let (recorder, openLoop) = runPipelined()
            (result.latency, result.sliceLatency, result.openLoop) = (recorder.total, recorder.slices, openLoop)
        }
        result.reading = meter.reading()
        result.total = meter.total
        return result
    }

    /// Sender and receiver threads with a window of `inflight` requests. The interval counts
    /// the messages sent after it opened and answered before it closed: the receiver's lane
    /// opens at the first such answer (reads from there) and closes at the end of the
    /// connection; the sender's lane covers the writes from the first measured request to the
    /// last one before the bye.
    ///
    /// Closed loop, the rate's span is the receiver's, between answers: from the answer before
    /// the first measured one (or the first measured request's send, when none came between:
    /// no warmup) to the last answer counted (not before the stop, for a duration: see
    /// `receiverEnd`), so it holds as many gaps between answers as it counts answers. The sender's span, a round trip earlier at both ends, held answers to
    /// warmup requests that were not counted: a service answering 49.4 msgs/s one at a time
    /// read 40.1 with `window: 8` over 1 s (review). Open loop, both lanes span from the first
    /// measured request's intended time to the end of the schedule (see `openLoopEnd`).
    /// Open loop: the end of the measured interval, which an edge taken later (an answer or a
    /// send held up past it) does not pass: the stop's time, or a count's schedule end; nil
    /// for closed loop or before either.
    private func openLoopEnd(_ shared: PipelineShared) -> UInt64? {
        guard exchange.rate != nil else { return nil }
        let scheduled = shared.scheduleEnd.load(ordering: .acquiring)
        return scheduled != 0 ? scheduled : control.stopStartNanos
    }

    /// Where the receiver's interval ends, though its edge is taken later: open loop, the end
    /// of the schedule (`openLoopEnd`); closed loop, the last answer counted in it
    /// (`lastCounted`, 0 before any: then now), or for a case bounded by a duration its stop
    /// when that came later: a peer that stopped answering before the stop leaves that
    /// silence in the interval (a target stopped 2 s before a 5 s case's end read N / 3 s,
    /// where stop-and-wait and the time series keep the stall; review). A count's connection ends
    /// at its own last answer (the stop waits for every connection's quota).
    private func receiverEnd(_ shared: PipelineShared, lastCounted: UInt64) -> UInt64? {
        if exchange.rate != nil { return openLoopEnd(shared) }
        return quota == nil ? max(lastCounted, control.stopStartNanos) : lastCounted
    }

    private func runPipelined() -> (LatencyRecorder, OpenLoopStats?) {
        let shared = PipelineShared(inflight: exchange.inflight)
        // Closed loop, the sender's edges bound its writes only: the span is the receiver's.
        let senderLane = meter.lane(owning: .writes, spans: exchange.rate != nil)
        let receiverLane = meter.lane(owning: .reads)
        let openLoop = LockedValue<OpenLoopStats?>(nil)
        // This thread is the receiver (the sender's, spawned below, reads its run-queue wait).
        shared.receiverThread.store(RunQueueDelay.currentThread(), ordering: .releasing)
        let sender = NativeThread.spawn(name: "rr-send-\(index)") { [self] in
            if let rate = exchange.rate {
                openLoop.withLock { $0 = sendOpenLoop(shared, lane: senderLane, rate: rate, receiverLane: receiverLane) }
            } else {
                sendPipelined(shared, lane: senderLane, receiverLane: receiverLane)
            }
        }
        var histogram = LatencyRecorder(every: interval, control: control)
        var (answeredInInterval, answeredAfterEnd): (UInt64, UInt64) = (0, 0)
        var expected: UInt64 = 0
        var failed = false
        var measuring = false
        var edge = FrameEdge()
        // When the last answer came (any), and the last one counted in the interval.
        var lastAnswer: UInt64 = 0
        var lastCounted: UInt64 = 0
        // The sender ends with a bye, so the target closes after the last response: end of
        // stream here means every request was answered (or some were lost, checked below).
        while true {
            let frame: Frame?
            edge.beforeNext(reader: connection.reader, counters: socket.counters)
            do {
                frame = try connection.reader.next()
            } catch {
                let why = connection.foreignReadError(error, while: "a response") ?? DriverError(error)
                let timedOut = if case let .system(system) = error { system.isTimeout } else { false }
                // A read the interrupt cut after its grace time is no service's timeout: the
                // case's failure is the "interrupted" recorded before the cut, and the only one
                // (it added "the service did not answer in time (... no data within 1 s)", the
                // grace second read as the service's; review). The hello does the same.
                if case let .system(system) = error, system.cutByStop {
                    control.enter(.stop)
                    failed = true
                    break
                }
                control.fail("\(requestPlace(connection: index, sequence: expected, source: source)): \(why)\(timedOut ? unansweredNote(shared, answered: expected) : "")")
                if timedOut { control.noteTimeout() }
                failed = true
                break
            }
            // When the answer arrived: read before it is verified (the verification is the
            // driver's own work, not the channel's or the target's).
            let end = MonotonicClock.nanos()
            guard let frame else {
                let sent = shared.sent.load(ordering: .acquiring)
                if expected < sent, control.failures.isEmpty {
                    // Unless a send failed on the closed connection: the sender reports that (`failSend`).
                    if !shared.sendDisconnected.load(ordering: .acquiring) {
                        let who = foreign ? "service" : "target"
                        control.fail("connection \(index): the \(who) closed with \(sent - expected) response\(sent - expected == 1 ? "" : "s") outstanding (lost)\(connection.foreignPositionNote)\(connection.emptyPacketNote)")
                    }
                    failed = true
                } else if foreign, control.failures.isEmpty, !senderHasNoMoreToSend(shared) {
                    // Every request sent so far is answered (open loop, often), but more were to come.
                    control.fail("connection \(index): the service closed the connection after \(expected) answer\(expected == 1 ? "" : "s"), before the case ended")
                    failed = true
                }
                break
            }
            // A response needs a request behind it (the sender counts a request as sent before
            // writing it): one more is a service answering twice, or a framing misread.
            // vsockbench's target numbers its responses (checked in `verify`, which also turns
            // its error frames into refusals): this is for services that do not.
            guard !foreign || expected < shared.sent.load(ordering: .acquiring) else {
                // With expect: echo the request it repeats is known (the last one answered);
                // without, an answer carries no id: only the count can be said.
                if expected > 0, let replay = source as? ReplaySource, replay.repeats(frame, expected - 1) {
                    let place = Self.offsetText(connection.reader.foreignLastMessageOffset, packets: connection.reader.packetMode)
                    control.fail("connection \(index): an answer arrived \(place) with no request outstanding (\(Self.answersText(expected))): \(ReplaySource.repeatText(request: expected))")
                } else {
                    let place = Self.offsetText(connection.reader.foreignLastMessageOffset, packets: connection.reader.packetMode)
                    let echo = (source as? ReplaySource)?.expect == .echo ? "it is no copy of the last request answered, the one expect: echo compares it with" : nil
                    let text = Self.unaskedText("an answer \(place) (\(Self.answersText(expected)))", packets: connection.reader.packetMode, echo: echo)
                    control.fail("connection \(index): \(text)")
                }
                failed = true
                break
            }
            let requestBytes: Int
            do {
                requestBytes = try source.verify(frame, expected)
            } catch {
                control.fail("\(requestPlace(connection: index, sequence: expected, source: source)): \(error)")
                failed = true
                break
            }
            let start = shared.sendTimes.load(expected)
            // The lane counts every answer; its edges select the measured ones: it opens at the
            // first answer to a request sent inside the interval and closes at the first answer
            // after the interval closed, both cut at that frame's first byte (see FrameEdge).
            let isMeasured = expected >= shared.firstMeasured.load(ordering: .acquiring)
            // A count at a rate: an answer after its schedule ended is after the interval (the
            // span ran on to the last answer, and a target at 40% of the rate "kept up", review).
            // (Open loop only: the closed loop's per-message path reads nothing more.)
            let pastSchedule = exchange.rate != nil && { let at = shared.scheduleEnd.load(ordering: .acquiring); return at != 0 && end > at }()
            if isMeasured, control.phase == .measure, !pastSchedule {
                if !measuring {
                    let cut = edge.at(frame, reader: connection.reader)
                    // Open loop: from the first measured request's intended time (`start`).
                    // Closed loop: from the answer before this one, or this one's send when it
                    // came later (see `runPipelined`).
                    receiverLane.open(notAfter: exchange.rate == nil ? max(lastAnswer, start) : start) { cut.apply(to: &$0) }
                    measuring = true
                }
                histogram.record(end &- start)
                answeredInInterval += 1
                lastCounted = end
                if foreign { shared.lastCounted.store(end, ordering: .relaxed) }
            } else {
                if measuring {
                    let cut = edge.at(frame, reader: connection.reader)
                    receiverLane.close(notAfter: receiverEnd(shared, lastCounted: lastCounted)) { cut.apply(to: &$0) }
                    measuring = false
                }
                // Open loop: a request belongs to the interval by its intended time, so one
                // answered after the end still has its latency recorded (in the last slice);
                // leaving it out hid the slowest waits of a target falling behind.
                if isMeasured, exchange.rate != nil {
                    histogram.record(end &- start)
                    answeredAfterEnd += 1
                }
            }
            receiverLane.count(messages: 1, bytesIn: UInt64(frame.payload.count), bytesOut: UInt64(requestBytes))
            lastAnswer = end
            expected += 1
            // Answered once counted: at the end a sender that sees every answer in may close
            // this lane. Then the slot (its send time was read above) goes back to the sender.
            shared.received.store(expected, ordering: .sequentiallyConsistent)
            shared.slots.release()
            // A service that is not vsockbench gets no bye to close on: the last answer ends it.
            if foreign, shared.senderDone.load(ordering: .sequentiallyConsistent), expected == shared.sent.load(ordering: .sequentiallyConsistent) {
                // The interval ends at this last answer, not after the wait for stray ones.
                receiverLane.close(notAfter: receiverEnd(shared, lastCounted: lastCounted))
                checkNothingMore()
                break
            }
        }
        // Any failure of the receiver's is recorded: a sender whose send failed may report its own.
        shared.receiverEnded.release()
        receiverLane.close(notAfter: receiverEnd(shared, lastCounted: lastCounted))
        shared.slots.cancel()
        if failed { socket.shutdownBoth() }
        sender.join()
        if quota != nil, !failed { control.workerFinished() }
        var stats = openLoop.value
        stats?.answeredInInterval = answeredInInterval
        stats?.answeredAfterEnd = answeredAfterEnd
        return (histogram, stats)
    }

    /// The open-loop sender (see `OpenLoopSender`): the same sink, bye and failure handling as
    /// the closed-loop one.
    private func sendOpenLoop(_ shared: PipelineShared, lane: MeterLane, rate: ArrivalRate, receiverLane: MeterLane) -> OpenLoopStats? {
        let sink = exchange.strategy.makeSink(socket: socket, shape: writeShape)
        defer { sink.close() }
        let sender = OpenLoopSender(rate: rate, perSecond: openLoopShare, seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15,
                                    quota: quota, control: control, source: source)
        do throws(SystemError) {
            let stats = try sender.run(shared, sink: sink, socket: socket, lane: lane, cap: exchange.inflight)
            lane.close(notAfter: openLoopEnd(shared))
            try endRequests(shared, receiverLane: receiverLane)
            return stats
        } catch {
            lane.close()
            failSend(error, shared, timeoutPlace(error, shared) ?? "connection \(index)")
            socket.shutdownBoth()
            return nil
        }
    }

    /// The sender of a pipelined connection: takes a window slot per request, builds it in the
    /// sink, stamps it ready, commits it; flushes a pending batch when nothing more can join it
    /// in time; at the end flushes, stops the sink and says bye.
    private func sendPipelined(_ shared: PipelineShared, lane: MeterLane, receiverLane: MeterLane) {
        let sink = exchange.strategy.makeSink(socket: socket, shape: writeShape)
        defer { sink.close() }
        var measuring = false
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        do throws(SystemError) {
            while true {
                let phase = control.phase
                if phase == .stop { break }
                if !measuring, phase == .measure {
                    try shared.openInterval(at: sequence, sink: sink, lane: lane)
                    measuring = true
                    source.measuringStarts(at: sequence)
                }
                if let quota, measuring, measured >= quota { break }
                guard try acquireSlot(shared, sink: sink, sent: sequence) else { break }
                let size = source.prepare(sequence)
                let inPlace = source.frameInPlace(sequence, measured: measuring)
                if inPlace == nil { source.write(sequence, into: sink.reserve(size), measured: measuring) }
                shared.sendTimes.store(sequence, MonotonicClock.nanos())
                shared.sent.store(sequence + 1, ordering: .releasing)
                if let inPlace {
                    defer { source.sent() }
                    try sink.write(inPlace, count: size)
                } else {
                    try sink.commit(size)
                }
                if measuring { measured += 1 }
                sequence += 1
            }
            try sink.finish()
            // The bye is protocol, not workload: the interval's writes end before it.
            lane.close()
            try endRequests(shared, receiverLane: receiverLane)
        } catch {
            lane.close()
            failSend(error, shared, timeoutPlace(error, shared) ?? requestPlace(connection: index, sequence: sequence, source: source))
            // The target will never see a bye: wake the receiver now rather than at its timeout.
            socket.shutdownBoth()
        }
    }

    /// A send of a pipelined connection failed. A target that drops a connection sends its
    /// reason, an error frame, and closes: a send then under way fails with EPIPE or
    /// ECONNRESET, and the frame is the receiver's to read (this thread must not touch the
    /// reader), which fails the case with it as with any error frame. So on such a failure the
    /// sender first waits for the receiver to end, no longer than `FrameReader.pendingErrorWaitNanos`,
    /// and reports its own failure (`what`: where) only when nothing else was (a receiver that
    /// finds the connection closed with no error frame leaves that to the sender).
    ///
    /// A service that is not vsockbench is waited for the same way: its responses already sent
    /// are read first, so the position said is where it closed (it read "after 1 response"
    /// of a service that had answered 5, and a response cut short was reported as the send's
    /// broken pipe: review), and the reader's position is read only once the receiver has
    /// ended (it is that thread's).
    private func failSend(_ error: SystemError, _ shared: PipelineShared, _ what: String) {
        if error.isTimeout { control.noteTimeout() }
        var receiverEnded = false
        if error.isDisconnect {
            shared.sendDisconnected.store(true, ordering: .releasing)
            receiverEnded = shared.receiverEnded.acquire(timeoutNanos: FrameReader.pendingErrorWaitNanos)
        }
        guard control.failures.isEmpty else { return }
        // A service that is not vsockbench: named as such, with where in its responses.
        if foreign, let said = connection.foreignSendError(error, position: receiverEnded) {
            control.fail("\(what): \(said)")
        } else {
            control.fail("\(what): \(DriverError(error))")
        }
    }

    /// Where a send to a service that is not vsockbench timed out: at the oldest request still
    /// unanswered, not at the one being sent (the newest, thousands later at `inflight: 8`),
    /// with what `unansweredNote` says. nil for any other failure, and for vsockbench's target.
    private func timeoutPlace(_ error: SystemError, _ shared: PipelineShared) -> String? {
        guard foreign, error.isTimeout else { return nil }
        let answered = shared.received.load(ordering: .acquiring)
        return requestPlace(connection: index, sequence: answered, source: source) + unansweredNote(shared, answered: answered)
    }

    /// A service that is not vsockbench did not answer in time: how many requests had no
    /// answer, and which is the oldest. Its answers carry no id: they are matched to requests
    /// in order, so an answer it left out earlier shows only as one missing at the end (the
    /// request named is the oldest unanswered by that count; `expect: echo` finds the one
    /// left out, where the next answer differs from its request). Empty for vsockbench's
    /// target, whose responses are numbered.
    private func unansweredNote(_ shared: PipelineShared, answered: UInt64) -> String {
        let sent = shared.sent.load(ordering: .acquiring)
        guard foreign, sent > answered else { return "" }
        let open = sent - answered
        return " [\(open) of the \(sent) requests sent had no answer, the oldest request \(answered + 1); "
            + "answers carry no id and are matched to requests in order: one left out earlier shows only here (expect: echo finds it)]"
    }

    /// The end of the requests: vsockbench's target gets a bye and closes after its last
    /// response. A service that is not vsockbench gets none: the sender says it is done, and
    /// when every answer is already in and counted it ends the receiver's interval there and
    /// wakes the receiver, which otherwise stops at the last answer (`senderDone` and
    /// `received`, sequentially consistent on both sides: one of them sees the other).
    private func endRequests(_ shared: PipelineShared, receiverLane: MeterLane) throws(SystemError) {
        guard foreign else {
            try socket.send(ControlCodec.emptyFrame(.bye))
            return
        }
        shared.senderDone.store(true, ordering: .sequentiallyConsistent)
        if shared.received.load(ordering: .sequentiallyConsistent) == shared.sent.load(ordering: .sequentiallyConsistent) {
            // The receiver is blocked for an answer that is not owed. Its interval ends at the
            // last answer (counted); answers nobody asked for (a service answering twice)
            // would come now: it takes them and fails, before the shutdown ends its read.
            receiverLane.close(notAfter: receiverEnd(shared, lastCounted: shared.lastCounted.load(ordering: .relaxed)))
            MonotonicClock.sleep(nanos: Self.strayAnswerWaitNanos)
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

    /// Whether the sender is done or about to be, as the receiver can tell without racing its
    /// last steps (`senderDone` is set after the sink's finish): the case stopped, or the
    /// quota's last request is sent. A service that closes after its last answer is then no
    /// early close.
    private func senderHasNoMoreToSend(_ shared: PipelineShared) -> Bool {
        if shared.senderDone.load(ordering: .sequentiallyConsistent) || control.phase == .stop { return true }
        guard let quota else { return false }
        let first = shared.firstMeasured.load(ordering: .acquiring)
        return first != .max && shared.sent.load(ordering: .acquiring) &- first >= quota
    }

    /// A service that is not vsockbench and sent something before the first request (a
    /// banner, a greeting): every answer after it would be taken for the wrong request's.
    /// A peek per connection, before anything is sent; the wait for a greeting happened before
    /// the case's clock started (`waitForGreetings`), so none is spent here: with `warmup: 0s`
    /// this runs once the interval is open, and a wait here started the open-loop schedule
    /// 20 ms late. What comes later is caught by the checks of each request (a stream) and of
    /// the end.
    private func spokeFirst() -> Bool {
        guard (try? socket.hasQueuedBytes()) == true else { return false }
        let packets = connection.reader.packetMode
        let what = packets ? "a message" : "bytes"
        control.fail("connection \(index): the service sent \(what) \(Self.offsetText(0, packets: packets)) before the first request was sent: it speaks first (a greeting?), so every answer after it would be taken for the wrong request's")
        return true
    }

    /// A service that is not vsockbench, once every request has its answer: nothing more may
    /// have come (read already, or queued in the kernel), or some answers were not the ones
    /// they were taken for.
    /// `oneAtATime` (stop-and-wait): only the last request was outstanding when its answer
    /// came, so what follows that answer belongs to it and is named so.
    private func checkNothingMore(oneAtATime: Bool = false) {
        guard control.failures.isEmpty else { return }
        let read = connection.reader.bufferedCount
        // Stray answers follow the last real one closely: a short wait sees them (a service
        // that closes after the last answer ends the wait at once).
        let queued = (read > 0 || socket.waitReadable(timeoutNanos: Self.strayAnswerWaitNanos)) && ((try? socket.hasQueuedBytes()) ?? false)
        guard read > 0 || queued else { return }
        let packets = connection.reader.packetMode
        // What came begins where the messages handed out end: the reader's place.
        let (offset, answered) = connection.reader.foreignPosition
        let what = (packets ? "a message" : read > 0 ? "\(read) bytes" + (queued ? " and more" : "") : "bytes") + " " + Self.offsetText(offset, packets: packets)
        if oneAtATime, answered > 0 {
            control.fail("connection \(index): \(Self.unaskedText("\(what) after its answer to request \(answered), its last", packets: packets, belongsTo: answered))")
        } else {
            let echo = (source as? ReplaySource)?.expect == .echo ? "it came after the last answer, with no request left for expect: echo to compare it with" : nil
            control.fail("connection \(index): \(Self.unaskedText("\(what) after the answer to its last request", packets: packets, echo: echo))")
        }
    }

    /// Where in a connection's responses something came, as the reader's errors say it
    /// (`at byte offset 53804 of the response stream`; over seqpacket, of the responses).
    static func offsetText(_ offset: UInt64, packets: Bool) -> String {
        "at byte offset \(offset) of the \(packets ? "responses" : "response stream")"
    }

    /// How long the connections to a service that is not vsockbench wait together, once open
    /// and before the case's clock starts, for a message the service sends unasked.
    static let greetingWaitNanos: UInt64 = 20_000_000

    /// A greeting is sent as the service accepts: one short wait, before the case's clock
    /// starts (warmup, then the interval), lets every connection's greeting arrive, for
    /// `spokeFirst` to find with a peek. At most `greetingWaitNanos` in all, over every
    /// connection; nothing per message, and nothing inside the measured interval.
    static func waitForGreetings(_ connections: [DriverConnection]) {
        let deadline = MonotonicClock.nanos() &+ greetingWaitNanos
        for connection in connections {
            let now = MonotonicClock.nanos()
            guard now < deadline else { return }
            _ = connection.socket.waitReadable(timeoutNanos: deadline - now)
        }
    }

    /// How long the end of a connection to a service that is not vsockbench waits for answers
    /// nobody asked for, once every request has its answer (its interval closed first).
    static let strayAnswerWaitNanos: UInt64 = 50_000_000

    /// The count an answer with no request outstanding makes, `sent` the requests sent (and
    /// answered): "2 answers to 1 request sent" (it read "1 requests").
    static func answersText(_ sent: UInt64) -> String {
        "\(sent + 1) answer\(sent + 1 == 1 ? "" : "s") to \(sent) request\(sent == 1 ? "" : "s") sent"
    }

    /// What a service that answered more than it was asked did, and the likely reasons.
    /// `belongsTo`: the request it came after when only that one was outstanding (stop-and-wait).
    /// `echo`: the case has `expect: echo`, and why it did not name the request (it came after
    /// the last answer; it is no copy of the last request), so the text does not advise it.
    static func unaskedText(_ what: String, packets: Bool = false, belongsTo: UInt64? = nil, echo: String? = nil) -> String {
        // An answer carries no id: with several requests in flight which request it repeats is
        // known only with expect: echo; one at a time, it is the one answered just before.
        let which = belongsTo.map { "; it belongs to request \($0), the only one outstanding before it" }
            ?? "; which request it belongs to cannot be told (answers carry no id; \(echo ?? "expect: echo names it"))"
        // Over seqpacket a packet is one response: there is no framing to misread.
        if packets { return "the service sent \(what), with no request outstanding: it spoke before being asked, or answered a request more than once\(which)" }
        return "the service sent \(what), with no request outstanding: it answered a request more than once, or its responses are not framed as response_framing says\(which)"
    }

    /// Stop-and-wait: says goodbye and waits for the target to close, so its counters are
    /// final before the stats request.
    private func finish() {
        do throws(DriverError) {
            try connection.send(ControlCodec.emptyFrame(.bye))
            let next: Frame?
            do { next = try connection.reader.next() } catch { throw DriverError(error) }
            if let frame = next {
                if frame.header.type == .error {
                    let message = ErrorMessage(errorFrame: frame).description
                    control.fail("connection \(index): the target reported: \(message)")
                } else if control.failures.isEmpty {
                    control.fail("connection \(index): unexpected \(frame.header.type) frame after the last response")
                }
            }
        } catch {
            if case let .rejected(message) = error {
                // The bye's send failed on a target that had dropped the connection, and its
                // error frame was still to be read: reported as if read above.
                control.fail("connection \(index): the target reported: \(message.description)")
            } else if control.failures.isEmpty {
                control.fail("connection \(index): closing: \(error)")
            }
        }
    }
}

/// State shared by the two threads of a pipelined connection: the window and the send times.
final class PipelineShared: Sendable {
    let slots: CountingSemaphore
    /// When each in-flight request was ready; the sender stamps, the receiver reads.
    let sendTimes: SendTimes
    /// The sequence of the first request sent inside the interval.
    let firstMeasured = Atomic<UInt64>(.max)
    /// The receiver's thread id, for the open-loop sender's reading of its run-queue wait.
    let receiverThread = Atomic<Int32>(0)
    let sent = Atomic<UInt64>(0)
    /// Answers received and counted in the receiver's lane.
    let received = Atomic<UInt64>(0)
    /// A service that is not vsockbench: when the last answer counted in the interval came
    /// (stored before `received`), for a sender that closes the receiver's lane at the end.
    let lastCounted = Atomic<UInt64>(0)
    /// The sender sent its last request (a foreign peer's connection ends at its answer).
    let senderDone = Atomic<Bool>(false)
    /// Released once when the receiver leaves its loop, its failure (if any) recorded: what a
    /// sender whose send failed on a dropped connection waits for (`failSend`).
    let receiverEnded = CountingSemaphore(value: 0)
    /// A send failed because the target closed the connection: the sender reports it, not the
    /// receiver reaching the end with responses outstanding.
    let sendDisconnected = Atomic<Bool>(false)
    /// An open-loop case bounded by a count: the end of its schedule (when the request after
    /// the last would be due), set by the sender once the last is sent; 0 until then, and for
    /// every other case. Answers after it are after the interval, as after a duration's stop.
    let scheduleEnd = Atomic<UInt64>(0)

    init(inflight: Int) {
        slots = CountingSemaphore(value: inflight)
        sendTimes = SendTimes(window: inflight)
    }

    /// The sender's side of the interval opening at request `sequence` (closed loop or open):
    /// warmup requests still batched or queued go out first (as the target's warmup responses
    /// do), so both sides count the same bytes; then the receiver learns where it starts.
    /// `intended`: an open-loop request's intended time, where its lane's interval begins.
    func openInterval(at sequence: UInt64, sink: any FrameSink, lane: MeterLane, intended: UInt64? = nil) throws(SystemError) {
        try sink.settle()
        lane.open(notAfter: intended)
        firstMeasured.store(sequence, ordering: .releasing)
    }
}

/// The ready time of each request in flight, in a ring indexed by sequence modulo the window.
/// The sender stores a request's time before the request can be answered (release), the
/// receiver loads it after the answer (acquire): a slot is never written while it is read,
/// because the window semaphore keeps at most `window` requests outstanding.
///
/// `@unchecked Sendable`: the ring is raw memory accessed only through the C11 acquire/release
/// helpers of CShims (Swift's `Atomic` cannot be stored in an array).
final class SendTimes: @unchecked Sendable {
    private let window: Int
    private let slots: UnsafeMutablePointer<UInt64>

    init(window: Int) {
        self.window = max(window, 1)
        slots = .allocate(capacity: self.window)
        slots.initialize(repeating: 0, count: self.window)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func store(_ sequence: UInt64, _ nanos: UInt64) {
        cshims_store_release_u64(slots + Int(sequence % UInt64(window)), nanos)
    }

    @inline(__always)
    func load(_ sequence: UInt64) -> UInt64 {
        cshims_load_acquire_u64(slots + Int(sequence % UInt64(window)))
    }
}
