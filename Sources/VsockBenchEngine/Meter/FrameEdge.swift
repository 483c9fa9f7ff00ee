import VsockTransport
import VsockWire

/// Where the read side of an interval edge falls: at a frame's first byte. The reads and read
/// time before the `next()` that returned the frame, when that call had to read (it brought
/// the frame in); and the bytes consumed up to the frame.
struct FrameEdge {
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
