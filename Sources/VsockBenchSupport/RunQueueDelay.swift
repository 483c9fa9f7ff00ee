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

    /// Nanoseconds thread `tid` of this process has waited on a run queue so far.
    public static func nanos(thread tid: Int32) -> UInt64? {
        var path = "/proc/self/task/\(tid)/schedstat"
        let fd = path.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                var name = Array(chars) + [0]
                return open(&name, O_RDONLY | O_CLOEXEC)
            }
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 96)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        // "cpu_time run_delay timeslices\n"
        let fields = buffer[..<count].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2 else { return nil }
        var value: UInt64 = 0
        for byte in fields[1] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value &* 10 &+ UInt64(byte - 48)
        }
        return value
    }
}
