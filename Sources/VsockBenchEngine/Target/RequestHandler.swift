import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

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
        let sink = spec.strategy.makeSink(socket: socket, shape: spec.writeShape)
        // Whatever happens, a helper thread (writer_thread) stops before the connection's
        // error frame goes out or its socket closes.
        defer { sink.close() }
        // With a writer thread, this thread's I/O is its reads only (see Session.stats).
        record.writesOffThread.store(!sink.writesOnCallerThread, ordering: .relaxed)
        let cost = spec.targetCostNanos
        let inPlace = sink is ImmediateSink
        // The measured interval opens at the first request the driver flagged as measured and
        // closes once the bye's flush is done (see FrameHeader.measuredFlag). Its read side is
        // cut at frame boundaries: bytes exactly from the first measured request's first byte
        // to the bye's; reads with the read that completed that request and without the one
        // that completed the bye (a read that brought a frame's first bytes earlier, with the
        // previous frame, stays on that side: at most one read per edge).
        var measuring = false
        var edge = ReadEdge()
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
            edge.beforeNext(reader: reader, counters: socket.counters)
            guard let frame = try reader.next() else {
                try sink.finish()
                record.closeInterval()
                return "closed without bye"
            }
            switch frame.header.type {
            case .request:
                if !measuring, frame.header.isMeasured {
                    // Warmup responses still batched or queued are written outside the interval.
                    try sink.settle()
                    let cut = edge.at(frame, reader: reader)
                    record.openInterval { cut.apply(to: &$0) }
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
                let cut = edge.at(frame, reader: reader)
                try sink.finish()
                record.closeInterval { cut.apply(to: &$0) }
                return "bye"
            default:
                throw ErrorMessage(code: "unexpected_frame", message: "expected request or bye, got \(frame.header.type)")
            }
        }
    }
}

/// Where the read side of an interval edge falls: at a frame's first byte. The reads and read
/// time before the `next()` that returned the frame, when that call had to read (it brought
/// the frame in); and the bytes consumed up to the frame.
struct ReadEdge {
    private var fetched = false
    private var readsBefore: UInt64 = 0
    private var readNanosBefore: UInt64 = 0

    /// Before each `reader.next()`: two relaxed loads when the next frame is not buffered yet.
    @inline(__always)
    mutating func beforeNext(reader: FrameReader, counters: IOCounters) {
        fetched = !reader.hasCompleteFrame
        if fetched {
            readsBefore = counters.readsNow
            readNanosBefore = counters.readNanosNow
        }
    }

    struct Cut {
        let reads: UInt64?
        let readNanos: UInt64?
        /// Bytes read past the frame's first byte: the frame and what is buffered behind it.
        let bytesAhead: UInt64

        func apply(to io: inout IOSnapshot) {
            if let reads { io.reads = reads }
            if let readNanos { io.readNanos = readNanos }
            io.bytesRead &-= bytesAhead
        }
    }

    /// The edge at `frame`, just returned by `reader.next()`.
    func at(_ frame: Frame, reader: FrameReader) -> Cut {
        Cut(reads: fetched ? readsBefore : nil, readNanos: fetched ? readNanosBefore : nil,
            bytesAhead: UInt64(frame.wholeFrame.count + reader.bufferedCount))
    }
}

/// Builds the response to one request and hands it to the sink.
protocol Responder {
    /// `inPlace`: the sink writes at once, so the request's own buffer may be rewritten and
    /// written (no copy).
    func respond(to frame: Frame, sink: any FrameSink, inPlace: Bool, record: ConnectionRecord) throws
}
