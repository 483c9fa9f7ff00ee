import Testing

@testable import VsockBenchStats

@Suite("Descriptive: median absolute deviation")
struct MedianAbsoluteDeviationTests {
    @Test("raw and normal-scaled MAD match SciPy's median_abs_deviation")
    func againstSciPy() {
        // scipy.stats.median_abs_deviation([7, 1, 3, 10, 4, 2.5]) and (..., scale="normal"), SciPy 1.17.
        let sample = [7.0, 1.0, 3.0, 10.0, 4.0, 2.5]
        #expect(Fixtures.close(Descriptive.medianAbsoluteDeviation(sample), 1.75))
        #expect(Fixtures.close(Descriptive.medianAbsoluteDeviation(sample, normalized: true), 2.5945538823848033, 1e-12))
    }

    @Test("one wild value does not move the MAD, where it moves the standard deviation")
    func robustness() {
        let calm = [10.0, 11, 9, 10, 12, 8]
        let wild = [10.0, 11, 9, 10, 12, 800]
        #expect(Descriptive.medianAbsoluteDeviation(calm) == Descriptive.medianAbsoluteDeviation(wild))
        #expect((Descriptive.standardDeviation(wild) ?? 0) > 100 * (Descriptive.standardDeviation(calm) ?? .infinity))
    }

    @Test("empty gives nil, one element gives 0, a NaN gives nil")
    func edgeCases() {
        #expect(Descriptive.medianAbsoluteDeviation([]) == nil)
        #expect(Descriptive.medianAbsoluteDeviation([3]) == 0)
        #expect(Descriptive.medianAbsoluteDeviation([3, .nan]) == nil)
    }
}
