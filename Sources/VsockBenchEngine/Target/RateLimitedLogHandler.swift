import Logging
import Synchronization
import VsockBenchSupport

/// The target's log under a flood: a hostile parent opening thousands of bad connections a
/// second made a line each (about 220 bytes), without bound. Each message text may be logged
/// `burst` times a window; more of it in the window are counted, not written, and the count is
/// said in one line once a later window logs anything, or, with a `LogFlood`, by a flush a
/// window after the first line it suppressed (and when the target stops): a flood that ends
/// with nothing logged after it is still counted. Errors and worse always go through.
public struct RateLimitedLogHandler: LogHandler {
    final class State: Sendable {
        struct Window {
            var start: UInt64 = 0
            var counts: [String: Int] = [:]
            var suppressed: [String: Int] = [:]
        }
        let window = Mutex(Window())
        let burst: Int
        let windowNanos: UInt64
        let clock: @Sendable () -> UInt64

        init(burst: Int, windowNanos: UInt64, clock: @escaping @Sendable () -> UInt64) {
            self.burst = burst
            self.windowNanos = windowNanos
            self.clock = clock
        }

        /// Whether `message` may be written now, what the last window suppressed (once), and
        /// whether a flush should be scheduled (a line suppressed with none pending before it).
        func admit(_ message: String) -> (admitted: Bool, report: [(String, Int)], flushDue: Bool) {
            let now = clock()
            return window.withLock { w in
                var report: [(String, Int)] = []
                if now &- w.start >= windowNanos {
                    report = w.suppressed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                    w = Window(start: now)
                }
                let seen = w.counts[message, default: 0]
                w.counts[message] = seen + 1
                if seen < burst { return (true, report, false) }
                let flushDue = w.suppressed.isEmpty
                w.suppressed[message, default: 0] += 1
                return (false, report, flushDue)
            }
        }

        /// What the window suppressed so far, once (its burst counts go on).
        func takeSuppressed() -> [(String, Int)] {
            window.withLock { w in
                defer { w.suppressed = [:] }
                return w.suppressed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            }
        }
    }

    private var base: any LogHandler
    private let state: State
    private let flood: LogFlood?

    /// `flood`, when given, is shared by every handler the logging system makes (one per
    /// logger): its `flush()` says what they suppressed with no later line to carry it.
    public init(wrapping base: any LogHandler, burst: Int = 20, windowNanos: UInt64 = 1_000_000_000,
                flood: LogFlood? = nil, clock: @escaping @Sendable () -> UInt64 = { MonotonicClock.nanos() }) {
        self.base = base
        self.flood = flood
        flood?.remember(base)
        state = flood?.state(burst: burst, windowNanos: windowNanos, clock: clock) ?? State(burst: burst, windowNanos: windowNanos, clock: clock)
    }

    public var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    public var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level < .error else { return base.log(event: event) }
        let text = event.message.description
        let (admitted, report, flushDue) = state.admit(text)
        Self.summarize(report, burst: state.burst, like: event, to: base)
        if admitted {
            base.log(event: event)
        } else if flushDue, let flood {
            flood.flush(afterNanos: state.windowNanos)
        }
    }

    static func summarize(_ report: [(String, Int)], burst: Int, like event: LogEvent, to base: any LogHandler) {
        for (message, count) in report {
            var summary = event
            summary.level = .warning
            summary.message = "suppressed \(count) more line\(count == 1 ? "" : "s") of one message (the log keeps \(burst) of each a second)"
            summary.metadata = ["message": "\(message)"]
            base.log(event: summary)
        }
    }
}

/// The count of lines a `RateLimitedLogHandler` suppressed, shared by every handler the
/// logging system makes, so it can be said with no later line to carry it (`flush()`).
public final class LogFlood: Sendable {
    private let shared = Mutex<(state: RateLimitedLogHandler.State?, base: (any LogHandler)?)>((nil, nil))

    public init() {}

    /// The one window every handler counts in (the first handler's settings make it).
    func state(burst: Int, windowNanos: UInt64, clock: @escaping @Sendable () -> UInt64) -> RateLimitedLogHandler.State {
        shared.withLock { s in
            if let state = s.state { return state }
            let state = RateLimitedLogHandler.State(burst: burst, windowNanos: windowNanos, clock: clock)
            s.state = state
            return state
        }
    }

    /// The handler a flush writes through: the last one made (a logger's, with no metadata).
    func remember(_ base: any LogHandler) {
        shared.withLock { $0.base = base }
    }

    /// Flushes after `nanos`, on a short-lived thread of its own: a flood that stops with
    /// nothing logged after it is still counted within about a window. Scheduled when a line
    /// is suppressed with none pending, so at most one such thread a window. (Not a Dispatch
    /// timer: libdispatch keeps three descriptors open for good once it is used.)
    func flush(afterNanos nanos: UInt64) {
        _ = NativeThread.trySpawn(name: "log-flush") { [self] in
            MonotonicClock.sleep(nanos: nanos)
            flush()
        }
    }

    /// Writes one line for each message suppressed since the last report, if any.
    public func flush() {
        let (state, base) = shared.withLock { ($0.state, $0.base) }
        guard let state, let base else { return }
        let report = state.takeSuppressed()
        guard !report.isEmpty else { return }
        let event = LogEvent(level: .warning, message: "", metadata: nil, source: "vsockbench", file: #fileID, function: #function, line: #line)
        RateLimitedLogHandler.summarize(report, burst: state.burst, like: event, to: base)
    }
}
