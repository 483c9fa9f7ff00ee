/// rr and masked on the target: reads requests, has the responder build each response, and
/// sends responses through the case's batching strategy. With a strategy that batches, a
/// pending batch goes out as soon as no further request is already buffered (coalesce: after
/// lingering for one, up to its deadline).
struct RequestHandler {
    let socket: Socket
    let reader: FrameReader
    let record: ConnectionRecord
    let responder: any Responder

    func run(spec: CaseSpec) throws -> String {
        let sink = FrameSinks.make(spec.strategy, socket: socket, shape: spec.writeShape)
        // Whatever happens, a helper thread (writer_thread) stops before the connection's
        // error frame goes out or its socket closes.
        defer { sink.close() }
        // With a writer thread, this thread's I/O is its reads only (see Session.stats).
        record.writesOffThread.store(!sink.writesOnCallerThread, ordering: .relaxed)
        let cost = spec.targetCostNanos
        let inPlace = sink is ImmediateSink
        // The measured interval opens at the first request the driver flagged as measured and
        // closes once the bye's flush is done (see FrameHeader.measuredFlag).
        var measuring = false
        while true {
            if sink.pending > 0 {
                let now = MonotonicClock.nanos()
                if let deadline = sink.deadline, now >= deadline {
                    // The linger is over: the batch goes, even with more requests waiting.
                    try sink.flush()
                } else if !reader.hasCompleteFrame {
                    if let deadline = sink.deadline, socket.waitReadable(timeoutNanos: deadline - now) {
                        // More requests arrived within the linger: answer them into the same batch.
                    } else {
                        try sink.flush()
                    }
                }
            }
            guard let frame = try reader.next() else {
                try sink.finish()
                record.closeInterval()
                return "closed without bye"
            }
            switch frame.header.type {
            case .request:
                if !measuring, frame.header.isMeasured {
                    record.openInterval()
                    measuring = true
                }
                let start = MonotonicClock.nanos()
                TargetCost.busyWork(nanos: cost, from: start)
                let writingBefore = socket.counters.writeNanosNow
                try responder.respond(to: frame, sink: sink, inPlace: inPlace, record: record)
                // Processing excludes the time this thread spent inside write syscalls (none
                // when a writer thread writes).
                let writing = sink.writesOnCallerThread ? socket.counters.writeNanosNow &- writingBefore : 0
                let elapsed = MonotonicClock.nanos() &- start
                record.add(messages: 1, processing: elapsed > writing ? elapsed - writing : 0)
            case .bye:
                try sink.finish()
                record.closeInterval()
                return "bye"
            default:
                throw ErrorMessage(code: "unexpected_frame", message: "expected request or bye, got \(frame.header.type)")
            }
        }
    }
}

/// Builds the response to one request and hands it to the sink.
protocol Responder {
    /// `inPlace`: the sink writes at once, so the request's own buffer may be rewritten and
    /// written (no copy).
    func respond(to frame: Frame, sink: any FrameSink, inPlace: Bool, record: ConnectionRecord) throws
}
