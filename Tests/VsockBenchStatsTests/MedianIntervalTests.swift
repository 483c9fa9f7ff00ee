import Testing

@testable import VsockBenchStats

@Suite("MedianInterval: the order-statistic interval of the median")
struct MedianIntervalTests {
    @Test(
        "the ranks and coverage for 95% match the Binomial(n, 1/2) values",
        arguments: [
            // (n, j, k, coverage): j the largest rank with 1 - 2 binom.cdf(j - 1, n, 0.5) >= 0.95,
            // k = n + 1 - j; computed with scipy.stats.binom (SciPy 1.17) on this machine. They
            // agree with the published tables (e.g. Conover, Practical Nonparametric Statistics:
            // n = 20 gives x(6)..x(15)).
            (6, 1, 6, 0.96875), (10, 2, 9, 0.978515625), (20, 6, 15, 0.9586105346679688),
            (50, 18, 33, 0.9671608624357315), (100, 40, 61, 0.9647997997822951),
        ])
    func ranks95(n: Int, j: Int, k: Int, coverage: Double) throws {
        let ranks = try #require(try OrderStatisticRanks(sampleSize: n))
        #expect(ranks.lower == j && ranks.upper == k)
        #expect(Fixtures.close(ranks.coverage, coverage, 1e-12))
        #expect(ranks.reachesConfidence)
    }

    @Test(
        "the ranks for 99%, where 6 and 7 samples are not enough",
        arguments: [
            // Same computation with 0.99.
            (6, 1, 6, 0.96875, false), (7, 1, 7, 0.984375, false), (8, 1, 8, 0.9921875, true),
            (10, 1, 10, 0.998046875, true), (20, 4, 17, 0.9974231719970703, true), (50, 16, 35, 0.9933995520331891, true),
        ])
    func ranks99(n: Int, j: Int, k: Int, coverage: Double, reaches: Bool) throws {
        let ranks = try #require(try OrderStatisticRanks(sampleSize: n, confidence: 0.99))
        #expect(ranks.lower == j && ranks.upper == k)
        #expect(Fixtures.close(ranks.coverage, coverage, 1e-12))
        #expect(ranks.reachesConfidence == reaches)
    }

    @Test("fewer than 6 samples give the whole range, its real coverage and reachesConfidence false")
    func tooFewSamples() throws {
        let five = try #require(try MedianInterval.orderStatistics([5, 1, 4, 2, 3]))
        #expect(five.low == 1 && five.high == 5 && five.point == 3)
        #expect(five.coverage == 0.9375)  // 1 - 2/32
        #expect(!five.reachesConfidence)
        #expect(five.method == .orderStatistics && five.method.rawValue == "order statistics")

        let two = try #require(try MedianInterval.orderStatistics([7, 3]))
        #expect(two.bounds == [3, 7] && two.coverage == 0.5 && !two.reachesConfidence)

        let one = try #require(try MedianInterval.orderStatistics([4.2]))
        #expect(one.bounds == [4.2, 4.2] && one.coverage == 0 && !one.reachesConfidence && one.n == 1)
    }

    @Test("ten samples give x(2)..x(9) around the median, whatever their order")
    func tenSamples() throws {
        let samples = [9.0, 2, 7, 10, 1, 5, 3, 8, 6, 4]
        let estimate = try #require(try MedianInterval.orderStatistics(samples))
        #expect(estimate.bounds == [2, 9])
        #expect(estimate.point == 5.5 && estimate.n == 10 && estimate.confidence == 0.95)
        #expect(estimate.reachesConfidence)
    }

    @Test("empty input or a NaN gives nil; a confidence outside (0, 1) throws")
    func edgeCases() throws {
        #expect(try MedianInterval.orderStatistics([]) == nil)
        #expect(try MedianInterval.orderStatistics([1, 2, .nan, 4, 5, 6]) == nil)
        #expect(try OrderStatisticRanks(sampleSize: 0) == nil)
        #expect(throws: StatisticsError.self) { try MedianInterval.orderStatistics([1, 2, 3], confidence: 95) }
        #expect(throws: StatisticsError.self) { try OrderStatisticRanks(sampleSize: 10, confidence: 1) }
    }

    @Test("coverage on skewed data: 2000 seeded samples of 10 exponentials, the true median log 2")
    func coverageOnSkewedData() throws {
        // The interval x(2)..x(9) covers the median with probability 0.9785 for any continuous
        // distribution. Over 2000 samples the share has a standard deviation of 0.0032, so
        // [0.965, 0.99] is four sigma either side: a too narrow interval (x(3)..x(8): 0.89) fails
        // the lower bound, a too wide one (the whole range: 0.998) fails the upper.
        var generator = SeededGenerator(seed: 2024)
        let trueMedian = 0.693_147_180_559_945_3
        var covered = 0
        let draws = 2000
        for _ in 0..<draws {
            let samples = Fixtures.exponential(10, using: &generator)
            let estimate = try #require(try MedianInterval.orderStatistics(samples))
            if estimate.contains(trueMedian) { covered += 1 }
        }
        let share = Double(covered) / Double(draws)
        #expect(share >= 0.965 && share <= 0.99, "observed coverage \(share)")
    }
}
