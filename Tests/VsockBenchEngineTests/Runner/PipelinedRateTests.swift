import Testing
import VsockBenchModel
@testable import VsockBenchEngine

/// A pipelined case against a target that takes a fixed time per request: its msgs/s is the
/// rate the target answers at, the same as stop-and-wait's (the target serves a connection's
/// requests one at a time), not lower by the window's round trip at the interval's start
/// (review: a service answering 49.4 msgs/s one at a time read 40.1 with `window: 8` over
/// 1 s, since the span began at the first measured request's send and the answers to warmup
/// requests that came in the next round trip were inside it but not counted).
@Suite struct PipelinedRateTests {
    /// 5 ms a request: at most 200 answers a second, and a window of 16 is an 80 ms round
    /// trip, a quarter of a 300 ms interval or of 48 answers (the old span read about 75% of the rate, less on
    /// a loaded machine, where the round trip is longer).
    static let cost: UInt64 = 5_000_000
    static let window = 16

    static func spec(_ exchange: Exchange, stop: StopCondition) -> CaseSpec {
        var spec = Specs.rr(request: 64, response: 64, exchange: exchange, stop: stop)
        // Long enough for the window to fill: the interval opens on a full pipeline.
        spec.warmupNanos = 120_000_000
        return spec
    }

    static func msgsPerSecond(_ m: CaseMeasurement) -> Double {
        let reading = m.workers.reduce(IntervalReading()) { $0 + $1.reading }
        return reading.seconds > 0 ? Double(reading.tally.messages) / reading.seconds : 0
    }

    @Test(arguments: [StopCondition.duration(nanos: 300_000_000), .messages(48)])
    func aWindowAgainstASlowTargetReadsTheRateItAnswers(stop: StopCondition) throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let exchange = Exchange(inflight: Self.window, strategy: .window(Self.window), targetCostNanos: Self.cost)
        let m = try CaseRunner.run(Self.spec(exchange, stop: stop), options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        let rate = Self.msgsPerSecond(m)
        // The window is full the whole interval: by Little's law the target answers the window
        // once a mean round trip, whatever the load on the machine does to the 5 ms.
        let mean = (m.workers[0].latency?.mean ?? 0) / 1e9
        let answered = mean > 0 ? Double(Self.window) / mean : 0
        #expect(answered > 0)
        #expect(rate >= answered * 0.85 && rate <= answered * 1.15, "\(rate) msgs/s read; the target answered \(answered) a second")
        // And no more than a target busy the whole time answers.
        #expect(rate <= 1e9 / Double(Self.cost) * 1.03, "\(rate) msgs/s")
        if case let .messages(count) = stop { BothSides.expectExactAgreement(m, messages: count) }
    }
}
