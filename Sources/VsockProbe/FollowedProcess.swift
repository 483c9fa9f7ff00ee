#if canImport(Glibc)
import Glibc
#endif

/// A `--pid` that cannot be followed (`probe` and `observe` alike), said as one line.
package struct FollowedProcessError: Error, CustomStringConvertible, Sendable, Equatable {
    package var pid: Int32
    /// The errno of `kill(pid, 0)` when no process has the id.
    package var errno: Int32?
    /// The process whose thread `pid` is, when it names a thread.
    package var process: Int32?

    package init(pid: Int32, errno: Int32? = nil, process: Int32? = nil) {
        self.pid = pid
        self.errno = errno
        self.process = process
    }

    package var description: String {
        if let process {
            return "--pid \(pid) is a thread of process \(process): give the process id (\(process))"
        }
        let reason = errno.map { "\(String(cString: strerror($0))) (errno \($0))" } ?? "no such process"
        return "following pid \(pid) failed: \(reason); check --pid: the process must be running"
    }
}

/// What `--pid` must name: a running process, not one of its threads. `kill(id, 0)` alone
/// accepts a thread id too (every thread has its own id, and the kernel takes it for the
/// process), and a thread was then followed as a process of its own: nothing counted.
package enum FollowedProcess {
    /// Throws a ``FollowedProcessError`` for the first of `pids` that names no process, or a
    /// thread of another process (`Tgid:` of `proc`/ID/status is not the id).
    package static func check(_ pids: [Int32], proc: String = "/proc") throws(FollowedProcessError) {
        for pid in pids {
            if kill(pid, 0) != 0 && errno != EPERM {
                throw FollowedProcessError(pid: pid, errno: errno)
            }
            if let group = threadGroup(of: pid, proc: proc), group != pid {
                throw FollowedProcessError(pid: pid, process: group)
            }
        }
    }

    /// The `Tgid:` (the process) of the task `id`; nil where its status cannot be read.
    package static func threadGroup(of id: Int32, proc: String = "/proc") -> Int32? {
        guard let status = try? FileSystem.readText("\(proc)/\(id)/status") else { return nil }
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Tgid:") }) else { return nil }
        return Int32(line.dropFirst("Tgid:".count).filter { !$0.isWhitespace })
    }
}
