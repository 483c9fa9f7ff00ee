import VsockBenchSupport

/// `target_cost`: the target busy-works this long per message, as a processing-bound agent
/// would (spinning, not sleeping: the CPU is taken, as real processing takes it).
enum TargetCost {
    @inline(__always)
    static func busyWork(nanos: UInt64, from start: UInt64) {
        guard nanos > 0 else { return }
        while MonotonicClock.nanos() &- start < nanos {}
    }
}
