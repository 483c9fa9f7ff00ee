import Testing

@testable import VsockObserve

/// What a connection's statistics hold: every exchange's times whatever their size.
@Suite struct ExchangeStatisticsTests {
    static func exchange(at nanos: UInt64, turnaround: UInt64, think: UInt64?, bytes: UInt64 = 8224) -> Exchange {
        var exchange = Exchange.empty
        exchange.requestStartNanos = nanos
        exchange.requestEndNanos = nanos
        exchange.responseStartNanos = nanos + turnaround
        exchange.responseEndNanos = nanos + turnaround
        exchange.requestBytes = bytes
        exchange.responseBytes = bytes
        exchange.thinkNanos = think
        return exchange
    }

    @Test("a think time of hours (a connection used now and then, followed until its process exits) is recorded, not dropped")
    func thinkTimeOfHours() throws {
        var statistics = ExchangeStatistics()
        let twoHours: UInt64 = 7_200_000_000_000
        statistics.record(Self.exchange(at: 1_000_000_000, turnaround: 1_000_000, think: nil))
        statistics.record(Self.exchange(at: 1_000_000_000 + twoHours, turnaround: 1_000_000, think: twoHours))
        #expect(statistics.exchanges == 2)
        #expect(statistics.think.totalCount == 1)
        let think = try #require(Distribution(statistics.think, divisor: 1000).max)
        #expect(abs(think - 7_200_000_000) <= 7_200_000_000 * 0.001, "\(think) us")
    }

    @Test("the slowest exchange is its exact time, and no percentile reads above it")
    func maxIsExactAndBoundsThePercentiles() throws {
        var statistics = ExchangeStatistics()
        // 1,234,567 ns is neither the middle (1,234,432) nor the top (1,234,943) of its bucket.
        for index in 0..<100 {
            statistics.record(Self.exchange(at: UInt64(index) * 10_000_000, turnaround: 1_234_567, think: nil))
        }
        let turnaround = Distribution(statistics.turnaround, divisor: 1000)
        #expect(turnaround.max == 1234.567)
        for percentile in [turnaround.p50, turnaround.p90, turnaround.p99] {
            #expect(percentile == 1234.567, "every exchange took 1234.567 us: \(String(describing: percentile))")
        }
    }

    @Test("the merged total takes in every connection's values, large or small")
    func mergedTotalTakesEveryValue() {
        var statistics = ExchangeStatistics()
        statistics.record(Self.exchange(at: 1_000_000_000, turnaround: 1_000_000, think: nil))
        // The merged total still takes in every connection's values, large or small.
        var total = ExchangeStatistics()
        total.add(statistics)
        var long = ExchangeStatistics()
        long.record(Self.exchange(at: 1_000_000_000, turnaround: 30_000_000_000, think: 5_000_000_000, bytes: 1 << 30))
        total.add(long)
        #expect(total.exchanges == 2 && total.turnaround.totalCount == 2 && total.think.totalCount == 1)
        #expect(total.requestBytes.distribution.max == Double(1 << 30))
    }
}
