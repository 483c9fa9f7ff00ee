#if canImport(Glibc)
import Glibc
#endif

/// What `observe` could not do, with the input involved and what to try.
public struct ObserveError: Error, CustomStringConvertible, Sendable, Equatable {
    public var operation: String
    public var errno: Int32?
    public var detail: String

    public init(operation: String, errno: Int32? = nil, detail: String = "") {
        self.operation = operation
        self.errno = errno
        self.detail = detail
    }

    public var description: String {
        var line = "\(operation) failed"
        if let errno { line += ": \(String(cString: strerror(errno)))" }
        return detail.isEmpty ? line : "\(line); \(detail)"
    }
}
