#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VsockBenchSupport
import VsockTransport

/// One thread's share of a connection's measured interval: the counters only that thread
/// writes, and the two edges of the interval as it saw them.
///
/// A connection has one lane per thread that counts (a stop-and-wait driver: one; a pipelined
/// driver: the sender's and the receiver's; a two-way stream: one per direction). Each lane
/// has exactly one writer, so a count is a relaxed load and store (no locked instruction on
/// the data path); any thread may read a lane's totals or set its edges. Debug builds check
/// the single writer.
public final class MeterLane: Sendable {
    /// Which of the socket's counters this lane's thread moves, and so reads at its edges.
    public struct Directions: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The read syscalls (and bytes read).
        public static let reads = Directions(rawValue: 1)
        /// The write syscalls (and bytes written, short writes).
        public static let writes = Directions(rawValue: 2)
        public static let both: Directions = [.reads, .writes]
    }

    /// One edge: this lane's counters, the socket's for its directions, and when.
    struct Edge: Sendable {
        var tally: Tally
        var io: IOSnapshot
        var moment: Moment
    }

    public let directions: Directions
    /// Its edges bound the interval's span (see `IntervalMeter.lane`).
    public let spans: Bool
    private let io: IOCounters?
    private let messages = Atomic<UInt64>(0)
    private let bytesIn = Atomic<UInt64>(0)
    private let bytesOut = Atomic<UInt64>(0)
    private let processingNanos = Atomic<UInt64>(0)
    private let decodeNanos = Atomic<UInt64>(0)
    private let maskNanos = Atomic<UInt64>(0)
    private let encodeNanos = Atomic<UInt64>(0)
    private let edges = Mutex<(open: Edge?, close: Edge?)>((nil, nil))
    #if DEBUG
    /// The writing thread (debug builds: a second writer is a bug, caught at once).
    private let writer = Atomic<UInt>(0)
    #endif

    init(directions: Directions, io: IOCounters?, spans: Bool = true) {
        self.directions = directions
        self.io = io
        self.spans = spans
    }

    @inline(__always)
    private func bump(_ counter: borrowing Atomic<UInt64>, _ value: UInt64) {
        counter.store(counter.load(ordering: .relaxed) &+ value, ordering: .relaxed)
    }

    @inline(__always)
    private func checkWriter() {
        #if DEBUG
        let me = UInt(pthread_self())
        let (first, current) = writer.compareExchange(expected: 0, desired: me, ordering: .relaxed)
        assert(first || current == me, "a MeterLane has two writing threads")
        #endif
    }

    /// Counts work done by this lane's thread (the only thread that may call it).
    @inline(__always)
    public func count(messages: UInt64 = 0, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0, processingNanos: UInt64 = 0) {
        checkWriter()
        if messages != 0 { bump(self.messages, messages) }
        if bytesIn != 0 { bump(self.bytesIn, bytesIn) }
        if bytesOut != 0 { bump(self.bytesOut, bytesOut) }
        if processingNanos != 0 { bump(self.processingNanos, processingNanos) }
    }

    /// Counts the agent pipeline's phases of one message (masked).
    @inline(__always)
    public func countAgent(decode: UInt64, mask: UInt64, encode: UInt64) {
        checkWriter()
        bump(decodeNanos, decode)
        bump(maskNanos, mask)
        bump(encodeNanos, encode)
    }

    /// Everything counted so far (whole connection); any thread.
    public var total: Tally {
        var t = Tally()
        t.messages = messages.load(ordering: .relaxed)
        t.bytesIn = bytesIn.load(ordering: .relaxed)
        t.bytesOut = bytesOut.load(ordering: .relaxed)
        t.processingNanos = processingNanos.load(ordering: .relaxed)
        t.decodeNanos = decodeNanos.load(ordering: .relaxed)
        t.maskNanos = maskNanos.load(ordering: .relaxed)
        t.encodeNanos = encodeNanos.load(ordering: .relaxed)
        return t
    }

    /// The socket's counters for this lane's directions (the others zero).
    private func ioNow() -> IOSnapshot {
        guard let io else { return IOSnapshot() }
        let all = io.snapshot()
        var mine = IOSnapshot()
        if directions.contains(.reads) {
            mine.reads = all.reads
            mine.bytesRead = all.bytesRead
            mine.readNanos = all.readNanos
        }
        if directions.contains(.writes) {
            mine.writes = all.writes
            mine.bytesWritten = all.bytesWritten
            mine.writeNanos = all.writeNanos
            mine.shortWrites = all.shortWrites
        }
        return mine
    }

    private func edgeNow(_ adjust: (inout IOSnapshot) -> Void) -> Edge {
        var io = ioNow()
        adjust(&io)
        return Edge(tally: total, io: io, moment: .now())
    }

    /// The interval opens for this lane (once; later calls do nothing). `adjust` moves the
    /// socket side of the edge to a frame boundary (see `FrameEdge`). `notAfter`: the edge's
    /// time is no later than this, though it is taken now (an open-loop lane opens at its first
    /// measured request's intended time: a sender behind its schedule sent it, and its answer
    /// came, late, and the case's span started there, so a target falling behind read 87,097
    /// answers/s where it answered 59,000 a second of the interval, review); the counts are
    /// those at the open.
    public func open(notAfter: UInt64? = nil, adjusting adjust: (inout IOSnapshot) -> Void = { _ in }) {
        var edge = edgeNow(adjust)
        if let notAfter, notAfter > 0, edge.moment.nanos > notAfter { edge.moment.nanos = notAfter }
        edges.withLock { if $0.open == nil { $0.open = edge } }
    }

    /// The interval closes for this lane (once, and only after it opened). `notAfter`: the
    /// edge's time is no later than this, though it is taken now (an open-loop lane closed by
    /// the first answer after a stall that outlasted the interval: its span ran past the case
    /// by the stall, and its rate fell with it); the counts are those at the close.
    public func close(notAfter: UInt64? = nil, adjusting adjust: (inout IOSnapshot) -> Void = { _ in }) {
        var edge = edgeNow(adjust)
        if let notAfter, notAfter > 0, edge.moment.nanos > notAfter { edge.moment.nanos = notAfter }
        edges.withLock {
            if let open = $0.open, $0.close == nil {
                if edge.moment.nanos < open.moment.nanos { edge.moment.nanos = open.moment.nanos }
                $0.close = edge
            }
        }
    }

    public var isOpen: Bool { edges.withLock { $0.open != nil && $0.close == nil } }
    public var hasOpened: Bool { edges.withLock { $0.open != nil } }

    /// What this lane counted inside its edges; an interval still open ends at `now`. Nil when
    /// it never opened.
    func reading(now: @autoclosure () -> Edge) -> (tally: Tally, io: IOSnapshot, start: Moment, end: Moment)? {
        let (open, close) = edges.withLock { ($0.open, $0.close) }
        guard let open else { return nil }
        let end = close ?? now()
        return (end.tally - open.tally, end.io - open.io, open.moment, end.moment)
    }

    /// This lane's edge as it would be taken now (an interval still open at a reading).
    func edgeNow() -> Edge { edgeNow { _ in } }
}
