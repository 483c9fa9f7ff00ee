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

    public init(operation: String, errno: Int32? = nil, detail: String) {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var line = "\(operation) failed"
        if let errno {
            line += ": \(String(cString: strerror(errno))) (errno \(errno))"
        }
        return detail.isEmpty ? line : "\(line); \(detail)"
    }
}
