import Testing

@testable import VsockBenchStats

@Suite("Descriptive: mean, standard deviation, coefficient of variation")
struct DescriptiveTests {
    // References: NumPy 2 on this machine, np.mean, np.std(ddof=1), np.std(ddof=1) / np.mean.
    let sample = [7.0, 1.0, 3.0, 10.0, 4.0, 2.5]

    @Test("mean, sample standard deviation and CV match NumPy")
    func againstNumPy() {
        #expect(Fixtures.close(Descriptive.mean(sample), 4.583333333333333))
        #expect(Fixtures.close(Descriptive.standardDeviation(sample), 3.3229003395628145))
        #expect(Fixtures.close(Descriptive.coefficientOfVariation(sample), 0.724996437722796))
    }

    @Test("the standard deviation divides by n - 1, not n")
    func besselCorrection() {
        // Deviations ±1: the squares sum to 2; divided by n - 1 = 1 that is 2, by n = 2 it is 1.
        #expect(Fixtures.close(Descriptive.standardDeviation([1, 3]), 2.0.squareRoot()))
    }

    @Test("large, close values keep their spread (two-pass variance)")
    func largeValues() {
        // A one-pass Σx² - n·mean² loses the spread entirely here: the squares are about 1e24,
        // whose spacing between Doubles is about 1e8.
        #expect(Fixtures.close(Descriptive.standardDeviation([1e12 + 1, 1e12 + 2, 1e12 + 3]), 1, 1e-9))
    }

    @Test("empty input gives nil; one element has a mean but no spread")
    func edgeCases() {
        #expect(Descriptive.mean([]) == nil)
        #expect(Descriptive.standardDeviation([]) == nil)
        #expect(Descriptive.coefficientOfVariation([]) == nil)
        #expect(Descriptive.mean([4.5]) == 4.5)
        #expect(Descriptive.standardDeviation([4.5]) == nil)
        #expect(Descriptive.coefficientOfVariation([4.5]) == nil)
    }

    @Test("a NaN makes every figure nil; a zero mean has no CV; equal values have zero spread")
    func degenerateInput() {
        #expect(Descriptive.mean([1, .nan]) == nil)
        #expect(Descriptive.standardDeviation([1, .nan, 3]) == nil)
        #expect(Descriptive.coefficientOfVariation([-1, 1]) == nil)
        #expect(Descriptive.standardDeviation([2, 2, 2]) == 0)
        #expect(Descriptive.coefficientOfVariation([2, 2, 2]) == 0)
    }

    @Test("the CV is relative to the absolute mean, so negative figures give a positive CV")
    func negativeMean() {
        #expect(Fixtures.close(Descriptive.coefficientOfVariation([-1, -3]), 2.0.squareRoot() / 2))
    }
}
