import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request to end a `probe` or `observe` session early, made by a signal (SIGTERM, SIGHUP;
/// SIGINT where no command is followed). The command's signal thread calls ``receive(_:now:)``;
/// the session reads ``signal`` and hands over the command it follows (``follow(_:)``).
///
/// The first signal is passed on to the followed command at once (the session then waits for
/// it, a bounded time, and reports); one more within ``sameSignalSeconds`` is the same request
/// (`timeout` and CI runners signal the process and then its group); a later one is "quit now":
/// the command is killed and reaped first, so it is never left running.
public final class SessionStop: Sendable {
    /// What the caller of ``receive(_:now:)`` does next.
    public enum Action: Equatable, Sendable {
        /// The first signal: the session stops (and the command was sent the signal).
        case stop
        /// The same request delivered twice: nothing to do.
        case repeated
        /// A second request: the command was killed; quit now with this status (128 + the
        /// first signal), without a report.
        case quit(status: Int32)
    }

    /// A second signal this soon after the first is the same request.
    public static let sameSignalSeconds = 0.5
    /// How long a followed command has to exit after the signal was passed on before it gets
    /// SIGKILL.
    public static let graceSeconds = 5.0

    private struct State {
        var first: (signal: Int32, at: Double)?
        var child: HeldProcess?
    }

    private let state = Mutex(State())

    public init() {}

    /// The first signal received, nil while none came.
    public var signal: Int32? { state.withLock { $0.first?.signal } }

    /// When the first signal came (CLOCK_MONOTONIC seconds).
    public var receivedAt: Double? { state.withLock { $0.first?.at } }

    /// Seconds since the first signal came; nil while none came.
    public var secondsSinceSignal: Double? { receivedAt.map { Monotonic.now - $0 } }

    /// The command the session follows: a signal received from now on is passed on to it, and
    /// one received already is passed on now.
    public func follow(_ child: HeldProcess) {
        let pending = state.withLock { state -> Int32? in
            state.child = child
            return state.first?.signal
        }
        if let pending { child.signal(pending) }
    }

    /// Takes a signal (called on the signal thread).
    public func receive(_ signal: Int32) -> Action { receive(signal, now: Monotonic.now) }

    /// Takes a signal received at `now` (CLOCK_MONOTONIC seconds).
    func receive(_ signal: Int32, now: Double) -> Action {
        let (action, child) = state.withLock { state -> (Action, HeldProcess?) in
            guard let first = state.first else {
                state.first = (signal, now)
                return (.stop, state.child)
            }
            if now - first.at < Self.sameSignalSeconds { return (.repeated, nil) }
            return (.quit(status: 128 + first.signal), state.child)
        }
        switch action {
        case .stop:
            child?.signal(signal)
        case .quit:
            // Killed and reaped (bounded) before vsockbench goes: never left running.
            if let child, child.killTree() { _ = child.waitForExit(timeout: 2) }
        case .repeated:
            break
        }
        return action
    }

    /// `SIGTERM`, `SIGHUP`, `SIGINT`..., else `signal N`.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGKILL: "SIGKILL"
        // What else ends a followed command.
        case SIGABRT: "SIGABRT"
        case SIGSEGV: "SIGSEGV"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGPIPE: "SIGPIPE"
        case SIGALRM: "SIGALRM"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(signal)"
        }
    }
}
