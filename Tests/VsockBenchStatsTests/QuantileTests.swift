import Testing

@testable import VsockBenchStats

@Suite("Descriptive: median and type-7 quantiles")
struct QuantileTests {
    @Test(
        "type-7 quantiles match NumPy's np.quantile(method='linear')",
        arguments: [
            // np.quantile([7, 1, 3, 10, 4, 2.5], p, method="linear") with NumPy 2 on this machine.
            (0.0, 1.0), (0.1, 1.75), (0.25, 2.625), (0.5, 3.5), (0.9, 8.5), (0.99, 9.850000000000001), (1.0, 10.0),
        ])
    func againstNumPy(p: Double, expected: Double) throws {
        #expect(Fixtures.close(try Descriptive.quantile([7, 1, 3, 10, 4, 2.5], p), expected, 1e-12))
    }

    @Test("the median of an odd count is the middle value, of an even count the mean of the middle two")
    func median() {
        #expect(Descriptive.median([5, 1, 3]) == 3)
        #expect(Descriptive.median([4, 1, 3, 2]) == 2.5)
    }

    @Test("the median does not follow an outlier; the mean does")
    func robustness() {
        let calm = [100.0, 101, 99, 102, 98]
        let disturbed = [100.0, 101, 99, 102, 9.8]
        #expect(Descriptive.median(calm) == 100)
        #expect(Descriptive.median(disturbed) == 100)  // 9.8 takes the lowest rank, 100 stays in the middle
        #expect((Descriptive.mean(disturbed) ?? 0) < 85)
    }

    @Test("empty input gives nil, one element is every quantile, a NaN gives nil")
    func edgeCases() throws {
        #expect(Descriptive.median([]) == nil)
        #expect(try Descriptive.quantile([], 0.5) == nil)
        #expect(Descriptive.median([42]) == 42)
        for p in [0.0, 0.3, 0.99, 1.0] { #expect(try Descriptive.quantile([42], p) == 42) }
        #expect(Descriptive.median([1, .nan, 3]) == nil)
    }

    @Test("equal infinities are their own median, not NaN")
    func infinities() {
        #expect(Descriptive.median([1, .infinity, .infinity, .infinity]) == .infinity)
    }

    @Test("p outside 0...1 throws an error that names p and the accepted range")
    func invalidP() {
        #expect(throws: StatisticsError.self) { try Descriptive.quantile([1, 2], 99) }
        #expect(throws: StatisticsError.self) { try Descriptive.quantile([1, 2], -0.1) }
        #expect(throws: StatisticsError.self) { try Descriptive.quantile([1, 2], .nan) }
        do {
            _ = try Descriptive.quantile([1, 2], 99)
        } catch {
            #expect(error.description == "p 99 is not accepted: pass a probability from 0 to 1, such as 0.99 for the 99th percentile")
        }
    }
}
