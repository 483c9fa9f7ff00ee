#if canImport(Glibc)
import Glibc
#endif
import CShims

/// How long threads of this process waited on a run queue, ready to run but not running: a
/// busy CPU, as opposed to a thread blocked in a call (waiting for a peer). From the kernel's
/// schedstat (`/proc/self/task/TID/schedstat`, its second field, nanoseconds); nil where the
/// kernel does not keep it (no CONFIG_SCHED_INFO) or the thread is gone.
public enum RunQueueDelay {
    /// The calling thread's id (gettid).
    public static func currentThread() -> Int32 { cshims_gettid() }

    /// One thread's schedstat, open for repeated reads (one pread each); `close` once.
    public struct Reader: Sendable {
        let descriptor: Int32

        /// Nil where the file cannot be opened (no schedstat, or no such thread).
        public init?(thread tid: Int32) {
            let fd = RunQueueDelay.open(thread: tid)
            guard fd >= 0 else { return nil }
            descriptor = fd
        }

        /// Nanoseconds the thread has waited on a run queue so far.
        public func nanos() -> UInt64? {
            var buffer = [UInt8](repeating: 0, count: 96)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            return RunQueueDelay.parse(buffer[..<count])
        }

        public func close() { _ = Glibc.close(descriptor) }
    }

    static func open(thread tid: Int32) -> Int32 {
        let path = "/proc/self/task/\(tid)/schedstat"
        return path.withCString { Glibc.open($0, O_RDONLY | O_CLOEXEC) }
    }

    /// The second field of "cpu_time run_delay timeslices".
    static func parse(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        let fields = bytes.split(separator: UInt8(ascii: " "))
        guard fields.count >= 2 else { return nil }
        var value: UInt64 = 0
        for byte in fields[1] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value &* 10 &+ UInt64(byte - 48)
        }
        return value
    }
}
