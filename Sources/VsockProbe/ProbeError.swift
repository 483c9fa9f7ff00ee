#if canImport(Glibc)
import Glibc
#endif

/// What went wrong while setting up or reading the probe, with the input involved and what to do.
public struct ProbeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The operation that failed, e.g. `bpf_object__load`.
    public var operation: String
    /// The errno it reported, when there is one.
    public var errno: Int32?
    /// A sentence saying what was being done and what to try.
    public var detail: String
    /// For a command that could not be started, the status a shell gives it: 127 not found,
    /// 126 found but not executable (what `probe -- COMMAND` and `observe -- COMMAND` exit
    /// with, so it is not taken for a command that itself exited 2); nil otherwise.
    public var commandStatus: Int32?

    public init(operation: String, errno: Int32? = nil, detail: String, commandStatus: Int32? = nil) {
        self.operation = operation
        self.errno = errno
        self.detail = detail
        self.commandStatus = commandStatus
    }

    /// A command that could not be started: 127 when there is no such file (ENOENT, ENOTDIR),
    /// 126 when there is but it cannot be run (EACCES, ENOEXEC...), as a shell says.
    static func commandNotStarted(operation: String, errno: Int32, detail: String) -> ProbeError {
        ProbeError(operation: operation, errno: errno, detail: detail, commandStatus: errno == ENOENT || errno == ENOTDIR ? 127 : 126)
    }

    public var description: String {
        var line = "\(operation) failed"
        if let errno {
            line += ": \(String(cString: strerror(errno))) (errno \(errno))"
        }
        return detail.isEmpty ? line : "\(line); \(detail)"
    }
}
