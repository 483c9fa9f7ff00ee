import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// rr and masked on the target: reads requests, has the responder build each response, and
/// sends responses through the case's batching strategy. With a strategy that batches, a
/// pending batch goes out as soon as no further request is already buffered (coalesce: after
/// lingering for one, up to its deadline).
struct RequestHandler {
    let socket: Socket
    let reader: FrameReader
    let record: ConnectionRecord
    let responder: any Responder
    /// `target_cost` work goes on only for the requests an honest driver can have queued: at
    /// most the case's `inflight` between two reads that bring the peer's bytes (a driver sends
    /// a request beyond its window only once a response came back, and the target reads only
    /// when its buffered frames are used up). A peer that queues more in one write and goes
    /// quiet loses the connection at the first request over, so one write buys at most
    /// inflight x target_cost of CPU, which a hello may not set above a minute
    /// (``Exchange/maximumQueuedCostNanos``).
    var queuedRequestLimit: Int = .max

    /// Serves requests until the bye (or the peer's end); returns how the connection ended.
    func run(exchange: Exchange, shape: WriteShape) throws(ServeError) -> String {
        let sink = exchange.strategy.makeSink(socket: socket, shape: shape)
        // Whatever happens, a helper thread (writer_thread) stops before the connection's
        // error frame goes out or its socket closes.
        defer { sink.close() }
        if let threaded = sink as? WriterThreadSink, !threaded.hasWriter {
            throw .refused(ErrorMessage(code: "busy", message: "the target cannot start the writer thread of this connection's writer_thread strategy (out of threads or memory)"))
        }
        // With a writer thread, this thread's I/O is its reads only (see Session.stats).
        record.writesOffThread.store(!sink.writesOnCallerThread, ordering: .relaxed)
        let lane = record.lanes[0]
        let cost = exchange.targetCostNanos
        let inPlace = sink is ImmediateSink
        // One thread reads and writes: a request's read starts where the last response's write
        // ended, or, where each response is one writeAll, where it started (its time then counts
        // in that read's: processing runs from a request's arrival to its response's write).
        // Not where the responder works after its write: that work would count as I/O wait.
        if inPlace, !responder.worksAfterWriting {
            socket.chainReadsToWrites(untimedWrites: shape == WriteShape() && !socket.isMessageOriented)
        }
        // rr's echo gets a loop of its own, specialized: no call through the existential a message.
        if let echo = responder as? EchoResponder {
            return try serve(echo, sink: sink, lane: lane, cost: cost, inPlace: inPlace)
        }
        return try serve(responder, sink: sink, lane: lane, cost: cost, inPlace: inPlace)
    }

    private func serve<R: Responder>(_ responder: R, sink: any FrameSink, lane: MeterLane, cost: UInt64, inPlace: Bool) throws(ServeError) -> String {
        // Fixed for the connection: asked once here, not through the sink's protocol twice a message.
        let writesOnCallerThread = sink.writesOnCallerThread
        // Processing ends at the response's write where that is the responder's last work;
        // else when `respond` returns (one clock read more a message).
        let endsAtWrite = !responder.worksAfterWriting
        // The measured interval opens at the first request the driver flagged as measured and
        // closes once the bye's flush is done (see FrameHeader.measuredFlag). Its read side is
        // cut at frame boundaries: bytes exactly from the first measured request's first byte
        // to the bye's; reads with the read that completed that request and without the one
        // that completed the bye (a read that brought a frame's first bytes earlier, with the
        // previous frame, stays on that side: at most one read per edge).
        var measuring = false
        var edge = FrameEdge()
        // Taken once: loaded from the socket in the loop, each use was a retain and a release.
        let counters = socket.counters
        // Requests worked through since a read last brought the peer's bytes (target_cost's
        // limit only).
        var servedSinceRead = 0
        while true {
            if !inPlace, sink.pending > 0 {
                let now = MonotonicClock.nanos()
                if let deadline = sink.deadline, now >= deadline {
                    // The linger is over: the batch goes, even with more requests waiting.
                    try onSocket(sink.flush)
                } else if !reader.hasCompleteFrame {
                    if let deadline = sink.deadline, socket.waitReadable(timeoutNanos: deadline - now) {
                        // More requests arrived within the linger: answer them into the same batch.
                    } else {
                        try onSocket(sink.flush)
                    }
                }
            }
            edge.beforeNext(reader: reader, counters: counters)
            let readsBefore = counters.readsNow
            let next: Frame?
            do { next = try reader.next() } catch { throw ServeError(error) }
            guard let frame = next else {
                try onSocket(sink.finish)
                lane.close()
                return "closed without bye"
            }
            switch frame.header.type {
            case .request:
                if !measuring, frame.header.isMeasured {
                    // Warmup responses still batched or queued are written outside the interval.
                    try onSocket(sink.settle)
                    let cut = edge.at(frame, reader: reader)
                    lane.open { cut.apply(to: &$0) }
                    measuring = true
                }
                // Processing runs from the frame's arrival to its response's departure (or to
                // the end of the responder's work after it, `worksAfterWriting`). Where a
                // timed read just completed the frame, or a write just sent the response, that
                // syscall's own timestamp (a write's end, or with untimed writes its start: see
                // Socket.chainReadsToWrites) stands for the clock read (two fewer a message).
                let readEnd = counters.readsNow != readsBefore ? counters.lastReadEndNanos : 0
                let start = readEnd != 0 ? readEnd : MonotonicClock.nanos()
                if cost > 0 {
                    servedSinceRead = counters.readsNow != readsBefore ? 1 : servedSinceRead + 1
                    if servedSinceRead > queuedRequestLimit {
                        throw .refused(ErrorMessage(code: "bad_request", message: "the peer queued more requests than the case's inflight (\(queuedRequestLimit)) at once, each of target_cost \(Double(cost) / 1e6) ms: the target works through at most inflight requests between two reads of the peer's bytes"))
                    }
                    TargetCost.busyWork(nanos: cost, from: start)
                }
                let writingBefore = counters.writeNanosNow
                let writesBefore = counters.writesNow
                let responseBytes = try responder.respond(to: frame, sink: sink, inPlace: inPlace, lane: lane)
                // Processing excludes the time this thread spent inside write syscalls (none
                // when a writer thread writes).
                let wrote = writesOnCallerThread && counters.writesNow != writesBefore
                let writing = writesOnCallerThread ? counters.writeNanosNow &- writingBefore : 0
                let writeEnd = wrote && endsAtWrite ? counters.lastWriteEndNanos : 0
                let elapsed = (writeEnd != 0 ? writeEnd : MonotonicClock.nanos()) &- start
                lane.count(messages: 1, bytesIn: UInt64(frame.payload.count), bytesOut: UInt64(responseBytes),
                           processingNanos: elapsed > writing ? elapsed - writing : 0)
            case .bye:
                let cut = edge.at(frame, reader: reader)
                try onSocket(sink.finish)
                lane.close { cut.apply(to: &$0) }
                return "bye"
            default:
                throw ServeError.refused(ErrorMessage(code: "unexpected_frame", message: "expected request or bye, got \(frame.header.type)"))
            }
        }
    }
}
