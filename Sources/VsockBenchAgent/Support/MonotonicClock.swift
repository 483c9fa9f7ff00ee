#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds from a monotonic clock, for per-message phase timings.
///
/// `clock_gettime(CLOCK_MONOTONIC)` goes through the vDSO on Linux (tens of nanoseconds, no
/// syscall), so timing every message does not distort what is timed.
enum MonotonicClock {
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
