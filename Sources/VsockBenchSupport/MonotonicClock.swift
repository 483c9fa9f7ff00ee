import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Monotonic time in nanoseconds (CLOCK_MONOTONIC, a vDSO call: no syscall on the data path).
public enum MonotonicClock {
    @inlinable @inline(__always)
    public static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// The clock's reading `nanos` from now, or `UInt64.max` where that is past its range: a
    /// timeout of "forever" (`.max`) must not wrap into a deadline already gone.
    @inlinable
    public static func deadline(after nanos: UInt64) -> UInt64 {
        let (sum, over) = self.nanos().addingReportingOverflow(nanos)
        return over ? .max : sum
    }

    /// Sleeps at least `nanos` nanoseconds (restarts after signals).
    public static func sleep(nanos: UInt64) {
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
