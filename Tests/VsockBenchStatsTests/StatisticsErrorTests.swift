import Testing

@testable import VsockBenchStats

@Suite("StatisticsError: says which argument, what value, what to pass")
struct StatisticsErrorTests {
    @Test("a confidence given as a percentage is refused with an example of the right form")
    func confidence() {
        #expect(throws: StatisticsError(argument: "confidence", value: 95, expected: "a number between 0 and 1 (both excluded), such as 0.95")) {
            try MedianInterval.orderStatistics([1, 2, 3], confidence: 95)
        }
    }

    @Test("alpha and significance get 0.05 as their example; counts name their range")
    func messages() {
        #expect(
            StatisticsError(argument: "alpha", value: 5, expected: "x").description == "alpha 5 is not accepted: pass x")
        do {
            _ = try MannWhitneyU.canReachSignificance(n1: 3, n2: 3, alpha: 1.5)
            Issue.record("alpha 1.5 was accepted")
        } catch {
            #expect(error.description == "alpha 1.5 is not accepted: pass a number between 0 and 1 (both excluded), such as 0.05")
        }
        do {
            _ = try EDivisive.changePoints(in: [Double](repeating: 0, count: 1001))
            Issue.record("1001 points were accepted")
        } catch {
            #expect(error.description == "series length 1001 is not accepted: pass at most 1000 points, such as the most recent 1000 runs")
        }
    }
}
