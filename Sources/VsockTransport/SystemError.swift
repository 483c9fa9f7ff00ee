import SystemPackage

/// A failed system call: which call, on what, and the `Errno` it returned.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The call that failed (`connect`, `read`, ...).
    public let call: String
    /// Why it failed.
    public let errno: Errno
    /// What the call was acting on (an endpoint, a path), when that helps the reader.
    public let context: String?
    /// A timeout that is not the peer's: a run stopping (Ctrl-C, SIGTERM) cut the call off after
    /// its grace time (`Socket.cutBlockedReads`), before the socket's own timeout. Said as the
    /// stop's, not as a peer that did not answer in time (review: an interrupted replay said
    /// "the service did not answer in time (... no data within 1 s)", 1 s being the grace).
    public let cutByStop: Bool

    public init(_ call: String, errno: Errno, context: String? = nil, cutByStop: Bool = false) {
        self.call = call
        self.errno = errno
        self.context = context
        self.cutByStop = cutByStop
    }

    /// `strerror` text for the errno.
    public var reason: String { errno.description }

    public var description: String {
        if let context { return "\(call) \(context): \(reason) (errno \(errno.rawValue))" }
        return "\(call): \(reason) (errno \(errno.rawValue))"
    }

    /// The peer went away: reset, broken pipe, or refused.
    public var isDisconnect: Bool {
        switch errno {
        case .connectionReset, .brokenPipe, .socketNotConnected, .connectionRefused, .connectionAbort: return true
        default: return false
        }
    }

    /// A receive or send timeout (SO_RCVTIMEO/SO_SNDTIMEO) expired.
    public var isTimeout: Bool { errno == .resourceTemporarilyUnavailable || errno == .wouldBlock || errno == .timedOut }
}
