#if canImport(Glibc)
import Glibc
#endif
import CShims

/// User and system CPU time, from getrusage.
public struct CPUTime: Sendable, Equatable, Codable {
    public var userNanos: UInt64
    public var systemNanos: UInt64

    public init(userNanos: UInt64 = 0, systemNanos: UInt64 = 0) {
        self.userNanos = userNanos
        self.systemNanos = systemNanos
    }

    /// This process, all threads.
    public static func process() -> CPUTime { read(RUSAGE_SELF.rawValue) }

    /// The calling thread only.
    public static func thread() -> CPUTime { read(cshims_rusage_thread()) }

    private static func read(_ who: Int32) -> CPUTime {
        var usage = rusage()
        getrusage(who, &usage)
        func nanos(_ tv: timeval) -> UInt64 { UInt64(tv.tv_sec) * 1_000_000_000 + UInt64(tv.tv_usec) * 1_000 }
        return CPUTime(userNanos: nanos(usage.ru_utime), systemNanos: nanos(usage.ru_stime))
    }

    public static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(userNanos: lhs.userNanos &- rhs.userNanos, systemNanos: lhs.systemNanos &- rhs.systemNanos)
    }

    public var totalNanos: UInt64 { userNanos + systemNanos }
}
