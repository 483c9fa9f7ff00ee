import VsockBenchSupport

/// A point on this side's clock, with the process's CPU time then: what an interval edge
/// records, so the span and the CPU inside it come from the same two readings.
public struct Moment: Sendable, Equatable {
    public var nanos: UInt64
    public var cpu: CPUTime

    public init(nanos: UInt64, cpu: CPUTime) {
        self.nanos = nanos
        self.cpu = cpu
    }

    public static func now() -> Moment { Moment(nanos: MonotonicClock.nanos(), cpu: CPUTime.process()) }
}
