import Histogram

/// What one connection of the driver measured.
public struct WorkerResult: Sendable {
    public var index: Int
    /// The measured interval: messages, payload bytes, syscalls, wire bytes, edges.
    public var reading = IntervalReading()
    /// Per-message latency in nanoseconds (rr, masked); nil for stream.
    public var latency: Histogram<UInt64>?
    /// Whole-connection totals, warmup included, for the loss checks against the target
    /// (messages verified; stream bytes sent out and received in).
    public var total = Tally()
    /// Open loop: the schedule kept against the one asked; nil for closed-loop cases.
    public var openLoop: OpenLoopStats?
    /// Latency per slice of the time series (`interval`), by when each response came; empty without one.
    public var sliceLatency: [Histogram<UInt64>] = []
    /// A stream connection whose one write was blocked through the whole measured interval
    /// (`StreamDriver`): why it measured nothing. The case's reason only where the whole case
    /// measured nothing (`CaseRunner.emptyInterval`); nil otherwise.
    public var stalledWrite: String?

    public init(index: Int) { self.index = index }

    public var messages: UInt64 { reading.tally.messages }
    public var seconds: Double { reading.seconds }

    /// A slice of a time series: 1 µs to 100 s at two significant digits (a slice's p50 and
    /// p99 need no more, and a long series of them stays small).
    package static func newSliceHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1000, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .two)
    }

    package static func newHistogram() -> Histogram<UInt64> {
        // 1 ns to 100 s at 3 significant digits.
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)
    }
}
