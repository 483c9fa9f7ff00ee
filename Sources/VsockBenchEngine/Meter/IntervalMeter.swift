import Synchronization
import VsockBenchSupport
import VsockTransport

/// The measured interval of one connection on one side (driver or target), for every
/// workload: the lanes of the threads that count on it, their edges (the first measured
/// request, the bye, the stream mark) and, merged, what was counted inside them.
///
/// Counts come from two places, both exact: the lanes' own counters (messages, payload bytes
/// as the workload counts them, processing time) and the socket's syscall counters (reads,
/// writes, bytes on the wire), each direction read by the lane whose thread moves it.
public final class IntervalMeter: Sendable {
    private let io: IOCounters?
    private let lanes = Mutex<[MeterLane]>([])

    /// A meter over `io`, the connection socket's counters (nil in process: no syscalls).
    public init(io: IOCounters?) { self.io = io }

    /// A new lane for the thread that moves `directions` of the socket (empty: it makes no
    /// socket calls of its own, or none that count). `spans`: its edges bound the interval's
    /// span; false for a lane whose edges only bound its own socket counts (a closed-loop
    /// pipelined sender, whose first measured request goes out a round trip before its answer
    /// is counted: its span read a window's worth of answers to warmup requests, not counted,
    /// and 40.1 msgs/s against a service answering 49.4, review).
    public func lane(owning directions: MeterLane.Directions, spans: Bool = true) -> MeterLane {
        let lane = MeterLane(directions: directions, io: io, spans: spans)
        lanes.withLock { $0.append(lane) }
        return lane
    }

    /// Whole-connection totals of every lane (progress lines, loss checks).
    public var total: Tally { lanes.withLock { $0 }.reduce(Tally()) { $0 + $1.total } }

    /// True once any lane opened the interval.
    public var hasOpened: Bool { lanes.withLock { $0 }.contains { $0.hasOpened } }

    /// What was counted inside the interval, every lane merged: counts summed, the span from
    /// the earliest opening to the latest closing (a lane still open ends now) of the lanes
    /// that span it; of every lane while none of those has opened.
    public func reading() -> IntervalReading {
        var result = IntervalReading()
        var spanned = IntervalReading()
        for lane in lanes.withLock({ $0 }) {
            guard let r = lane.reading(now: lane.edgeNow()) else { continue }
            result.tally = result.tally + r.tally
            result.io = result.io + r.io
            Self.widen(&result, r.start, r.end)
            if lane.spans { Self.widen(&spanned, r.start, r.end) }
        }
        if spanned.start != nil { (result.start, result.end) = (spanned.start, spanned.end) }
        return result
    }

    private static func widen(_ reading: inout IntervalReading, _ start: Moment, _ end: Moment) {
        if reading.start.map({ start.nanos < $0.nanos }) ?? true { reading.start = start }
        if reading.end.map({ end.nanos > $0.nanos }) ?? true { reading.end = end }
    }
}

/// One side's figures over one connection's measured interval (or several merged).
public struct IntervalReading: Sendable, Equatable {
    /// Messages, payload bytes, processing time.
    public var tally = Tally()
    /// Syscalls and bytes on the wire, as the socket layer counted them.
    public var io = IOSnapshot()
    /// The edges; nil when the interval never opened.
    public var start: Moment?
    public var end: Moment?

    public init() {}

    public var seconds: Double {
        guard let start, let end, end.nanos > start.nanos else { return 0 }
        return Double(end.nanos - start.nanos) / 1e9
    }

    /// CPU of the whole process between the edges.
    public var cpu: CPUTime {
        guard let start, let end else { return CPUTime() }
        return end.cpu - start.cpu
    }

    /// Merges readings of several connections: counts summed, the widest span.
    public static func + (a: IntervalReading, b: IntervalReading) -> IntervalReading {
        var r = IntervalReading()
        r.tally = a.tally + b.tally
        r.io = a.io + b.io
        r.start = [a.start, b.start].compactMap { $0 }.min { $0.nanos < $1.nanos }
        r.end = [a.end, b.end].compactMap { $0 }.max { $0.nanos < $1.nanos }
        return r
    }
}
