import Logging
import Synchronization
import VsockBenchSupport

/// The target's log under a flood: a hostile parent opening thousands of bad connections a
/// second made a line each (about 220 bytes), without bound. Each message text may be logged
/// `burst` times a window; more of it in the window are counted, not written, and the count is
/// said in one line once a later window logs anything. Errors and worse always go through.
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

        /// Whether `message` may be written now, and what the last window suppressed (once).
        func admit(_ message: String) -> (Bool, [(String, Int)]) {
            let now = clock()
            return window.withLock { w in
                var report: [(String, Int)] = []
                if now &- w.start >= windowNanos {
                    report = w.suppressed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                    w = Window(start: now)
                }
                let seen = w.counts[message, default: 0]
                w.counts[message] = seen + 1
                if seen < burst { return (true, report) }
                w.suppressed[message, default: 0] += 1
                return (false, report)
            }
        }
    }

    private var base: any LogHandler
    private let state: State

    public init(wrapping base: any LogHandler, burst: Int = 20, windowNanos: UInt64 = 1_000_000_000,
                clock: @escaping @Sendable () -> UInt64 = { MonotonicClock.nanos() }) {
        self.base = base
        state = State(burst: burst, windowNanos: windowNanos, clock: clock)
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
        let (admitted, report) = state.admit(text)
        for (message, count) in report {
            var summary = event
            summary.level = .warning
            summary.message = "suppressed \(count) more line\(count == 1 ? "" : "s") of one message (the log keeps \(state.burst) of each a second)"
            summary.metadata = ["message": "\(message)"]
            base.log(event: summary)
        }
        if admitted { base.log(event: event) }
    }
}
