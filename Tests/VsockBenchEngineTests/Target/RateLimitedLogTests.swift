import Logging
import Synchronization
import Testing
import VsockBenchSupport
@testable import VsockBenchEngine

/// The target's log under a flood of bad connections: bounded lines a second, the rest
/// counted and said.
@Suite struct RateLimitedLogTests {
    final class FakeClock: Sendable {
        let now = Atomic<UInt64>(1_000)
        func advance(_ nanos: UInt64) { now.add(nanos, ordering: .relaxed) }
    }

    @Test func aFloodIsCutToTheBurstAndCounted() {
        let store = CollectingLogHandler.Store()
        let clock = FakeClock()
        let handler = RateLimitedLogHandler(wrapping: CollectingLogHandler(store: store), burst: 20, windowNanos: 1_000_000_000,
                                            clock: { clock.now.load(ordering: .relaxed) })
        var logger = Logger(label: "t") { _ in handler }
        logger.logLevel = .debug
        for i in 0..<1000 { logger.warning("bad hello", metadata: ["conn": "\(i)"]) }
        for _ in 0..<5 { logger.info("data connection") }
        logger.error("accept failed; stopping")
        #expect(store.entries("bad hello").count == 20)
        #expect(store.entries("data connection").count == 5, "another message has its own burst")
        #expect(store.entries("accept failed; stopping").count == 1, "errors always go through")
        clock.advance(1_000_000_000)
        logger.warning("bad hello")
        let summaries = store.all.filter { $0.message.hasPrefix("suppressed") }
        #expect(summaries.map(\.message) == ["suppressed 980 more lines of one message (the log keeps 20 of each a second)"])
        #expect(summaries.first?.metadata["message"] == "bad hello")
        #expect(store.entries("bad hello").count == 21, "a new window writes it again")
    }

    /// A flood that ends with nothing logged after it is still counted: a flush a window
    /// after the first line suppressed says it (there used to be none, and the count was lost).
    @Test func aFloodWithNothingAfterItIsStillCounted() {
        let store = CollectingLogHandler.Store()
        let flood = LogFlood()
        let handler = RateLimitedLogHandler(wrapping: CollectingLogHandler(store: store), burst: 3, windowNanos: 100_000_000, flood: flood)
        let logger = Logger(label: "t") { _ in handler }
        for i in 0..<50 { logger.warning("bad hello", metadata: ["conn": "\(i)"]) }
        #expect(store.entries("bad hello").count == 3)
        let deadline = MonotonicClock.nanos() + 3_000_000_000
        while store.all.count < 4, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 10_000_000) }
        let summaries = store.all.filter { $0.message.hasPrefix("suppressed") }
        #expect(summaries.map(\.message) == ["suppressed 47 more lines of one message (the log keeps 3 of each a second)"])
        #expect(summaries.first?.metadata["message"] == "bad hello")
        // Said once: neither the next window's line nor a flush at the end repeats it.
        MonotonicClock.sleep(nanos: 150_000_000)
        logger.warning("bad hello")
        flood.flush()
        #expect(store.all.filter { $0.message.hasPrefix("suppressed") }.count == 1, "\(store.all)")
    }

    /// `flush()` (the target calls it when it stops) says what is pending at once.
    @Test func aFlushSaysWhatIsPending() {
        let store = CollectingLogHandler.Store()
        let flood = LogFlood()
        let clock = FakeClock()
        let handler = RateLimitedLogHandler(wrapping: CollectingLogHandler(store: store), burst: 1, windowNanos: 60_000_000_000, flood: flood,
                                            clock: { clock.now.load(ordering: .relaxed) })
        let logger = Logger(label: "t") { _ in handler }
        for _ in 0..<4 { logger.info("data connection") }
        flood.flush()
        #expect(store.all.map(\.message) == ["data connection", "suppressed 3 more lines of one message (the log keeps 1 of each a second)"])
    }
}
