import Testing

@testable import VsockBenchStats

@Suite("HodgesLehmann: the shift between two samples")
struct HodgesLehmannTests {
    @Test("the median of pairwise differences matches NumPy")
    func againstNumPy() {
        // np.median([a - b for a in x for b in y]) = -0.2999999999999998 (NumPy 2).
        let shift = HodgesLehmann.shift([3.2, 1.1, 8.4, 2.2, 9.9], [4.0, 2.0, 6.5, 5.1])
        #expect(Fixtures.close(shift, -0.3, 1e-12))
    }

    @Test("a sample moved by 5 is 5 away, in the direction of the first argument")
    func pureShift() {
        let base = [1.0, 4, 2, 8, 5, 7]
        #expect(HodgesLehmann.shift(base.map { $0 + 5 }, base) == 5)
        #expect(HodgesLehmann.shift(base, base.map { $0 + 5 }) == -5)
        #expect(HodgesLehmann.shift(base, base) == 0)
    }

    @Test("an outlier does not carry the shift away")
    func robustness() {
        let before = [100.0, 102, 98, 101, 99]
        let after = [90.0, 92, 88, 91, 5]
        #expect(HodgesLehmann.shift(after, before) == -10)
    }

    @Test("empty or NaN input gives nil")
    func edgeCases() {
        #expect(HodgesLehmann.shift([], [1]) == nil)
        #expect(HodgesLehmann.shift([1], [.nan]) == nil)
    }
}
