import Logging
import Synchronization
import Testing
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
}
