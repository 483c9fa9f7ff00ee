#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: which call, on what, and the errno it returned.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The call that failed (`connect`, `read`, ...).
    public let call: String
    /// The errno value.
    public let errno: Int32
    /// What the call was acting on (an endpoint, a path), when that helps the reader.
    public let context: String?

    public init(_ call: String, errno: Int32, context: String? = nil) {
        self.call = call
        self.errno = errno
        self.context = context
    }

    /// `strerror` text for the errno.
    public var reason: String { String(cString: strerror(errno)) }

    public var description: String {
        if let context { return "\(call) \(context): \(reason) (errno \(errno))" }
        return "\(call): \(reason) (errno \(errno))"
    }

    /// The peer went away: reset, broken pipe, or refused.
    public var isDisconnect: Bool {
        errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN || errno == ECONNREFUSED || errno == ECONNABORTED
    }

    /// A receive or send timeout (SO_RCVTIMEO/SO_SNDTIMEO) expired.
    public var isTimeout: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
}
