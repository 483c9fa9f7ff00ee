#if canImport(Glibc)
import Glibc
#endif

/// How long a blocked read or write may wait (SO_RCVTIMEO, SO_SNDTIMEO) before it fails with a
/// timeout (`SystemError.isTimeout`). Checked when made, so no value reaches the kernel that it
/// would misread: a non-finite or negative number of seconds is an error, not a crash or a
/// silent "no timeout".
public struct SocketTimeout: Sendable, Hashable, CustomStringConvertible {
    /// The wait; `.zero` means none (block for as long as it takes).
    public let duration: Duration

    /// No timeout: block for as long as it takes.
    public static let none = SocketTimeout(checked: .zero)

    /// The longest timeout accepted: 2^31-1 seconds (about 68 years), what a 32-bit `time_t`
    /// holds; a longer wait is no timeout in practice, and a bigger number is a typo.
    public static let maximumSeconds: Int64 = Int64(Int32.max)

    /// A timeout of `duration`; zero means none. A positive duration below a microsecond
    /// (the resolution of `timeval`) becomes one microsecond, never "none".
    public init(_ duration: Duration) throws(TransportError) {
        guard duration >= .zero else {
            throw .invalidTimeout("\(duration)", reason: "a timeout cannot be negative; use 0 for none")
        }
        guard duration <= .seconds(Self.maximumSeconds) else {
            throw .invalidTimeout("\(duration)", reason: "longer than the \(Self.maximumSeconds) seconds allowed; use 0 for none")
        }
        self.init(checked: duration)
    }

    /// A timeout of `seconds`; 0 means none. NaN, infinities, negative numbers and numbers over
    /// `maximumSeconds` are errors.
    public init(seconds: Double) throws(TransportError) {
        guard seconds.isFinite else {
            throw .invalidTimeout("\(seconds) s", reason: "a timeout must be a finite number of seconds; use 0 for none")
        }
        guard seconds >= 0 else {
            throw .invalidTimeout("\(seconds) s", reason: "a timeout cannot be negative; use 0 for none")
        }
        guard seconds <= Double(Self.maximumSeconds) else {
            throw .invalidTimeout("\(seconds) s", reason: "longer than the \(Self.maximumSeconds) seconds allowed; use 0 for none")
        }
        let whole = seconds.rounded(.towardZero)
        var duration = Duration.seconds(Int64(whole)) + .nanoseconds(Int64(((seconds - whole) * 1e9).rounded()))
        // A positive timeout too small for a nanosecond is the smallest one, not none.
        if seconds > 0, duration == .zero { duration = .nanoseconds(1) }
        try self.init(duration)
    }

    private init(checked duration: Duration) { self.duration = duration }

    /// The kernel's form: whole seconds and microseconds, rounded up so a positive timeout
    /// never becomes zero (which would mean none).
    var timeval: timeval {
        let (seconds, attoseconds) = duration.components
        let micros = (attoseconds + 999_999_999_999) / 1_000_000_000_000
        if micros == 1_000_000 { return Glibc.timeval(tv_sec: Int(seconds) + 1, tv_usec: 0) }
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(micros))
    }

    public var description: String { duration == .zero ? "none" : "\(duration)" }
}
