import Histogram
import VsockBenchSupport
import VsockTransport

/// What one connection of the driver measured.
public struct WorkerResult: Sendable {
    public var index: Int
    /// Messages completed in the measured interval (rr: verified responses; stream: write_size units).
    public var messages: UInt64 = 0
    /// Our socket's syscalls and bytes in the measured interval.
    public var io = IOSnapshot()
    /// When this worker saw the interval begin and end.
    public var startNanos: UInt64 = 0
    public var endNanos: UInt64 = 0
    /// Per-message latency in nanoseconds (rr); nil for stream.
    public var latency: Histogram<UInt64>?
    /// Whole-connection totals, warmup included, for the loss checks against the target.
    public var totalMessages: UInt64 = 0
    public var totalStreamBytesTx: UInt64 = 0
    public var totalStreamBytesRx: UInt64 = 0

    public init(index: Int) { self.index = index }

    public var seconds: Double { endNanos > startNanos ? Double(endNanos - startNanos) / 1e9 : 0 }

    package static func newHistogram() -> Histogram<UInt64> {
        // 1 ns to 100 s at 3 significant digits.
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)
    }
}

/// Tracks the measured interval as one worker sees it: the phase is checked between messages
/// and the interval's counters are snapshots taken at the moment the worker saw the change.
struct MeasureWindow: Sendable {
    private(set) var seen: Phase = .warmup
    private(set) var startIO = IOSnapshot()
    private(set) var endIO = IOSnapshot()
    private(set) var startNanos: UInt64 = 0
    private(set) var endNanos: UInt64 = 0

    var measuring: Bool { seen == .measure }

    /// Applies a phase change; returns true when the worker should stop.
    @inline(__always)
    mutating func observe(_ phase: Phase, io: IOCounters) -> Bool {
        if phase == seen { return phase == .stop }
        if seen == .warmup, phase.rawValue >= Phase.measure.rawValue {
            startIO = io.snapshot()
            startNanos = MonotonicClock.nanos()
            endIO = startIO
            endNanos = startNanos
        }
        if phase == .stop, seen == .measure {
            endIO = io.snapshot()
            endNanos = MonotonicClock.nanos()
        }
        seen = phase
        return phase == .stop
    }

    /// Closes the interval early (a count-bounded worker reached its quota).
    mutating func close(io: IOCounters) {
        if seen == .measure {
            endIO = io.snapshot()
            endNanos = MonotonicClock.nanos()
        }
        seen = .stop
    }

    var io: IOSnapshot { endIO - startIO }
}
