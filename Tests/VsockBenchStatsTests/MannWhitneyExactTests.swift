import Testing

@testable import VsockBenchStats

@Suite("MannWhitneyExact: the exact null distribution of U")
struct MannWhitneyExactTests {
    @Test("the counts of small cases are the known ones and add up to C(n1 + n2, n1)")
    func counts() {
        // n1 = n2 = 2: U = 0, 1, 2, 3, 4 in 1, 1, 2, 1, 1 of the 6 arrangements.
        #expect(MannWhitneyExact.counts(2, 2) == [1, 1, 2, 1, 1])
        // n1 = 1, n2 = 3: each U from 0 to 3 once.
        #expect(MannWhitneyExact.counts(1, 3) == [1, 1, 1, 1])
        #expect(MannWhitneyExact.counts(3, 1) == [1, 1, 1, 1])
        #expect(MannWhitneyExact.counts(20, 20).reduce(0, +) == 137_846_528_820)  // C(40, 20)
        #expect(MannWhitneyExact.counts(0, 4) == [1])
    }

    @Test(
        "critical values of the published tables (two-sided alpha 0.05) sit exactly at the edge",
        arguments: [
            // (n1, n2, critical U): the largest U significant at two-sided 0.05, as the standard
            // tables of critical values of U list them (n1 = n2 = 5: 2; 10: 23; 20: 127; 8 and
            // 12: 22; 3 and 9: 2). The p-values are SciPy 1.17's mannwhitneyu(method="exact")
            // for samples built to have U and U + 1.
            (5, 5, 2, 0.031746031746031744, 0.05555555555555555),
            (10, 10, 23, 0.04325705254497823, 0.0524259022711035),
            (20, 20, 127, 0.04909032518937244, 0.05239952187284972),
            (8, 12, 22, 0.04734460585853775, 0.05737874097007224),
            (3, 9, 2, 0.03636363636363636, 0.06363636363636363),
        ])
    func criticalValues(n1: Int, n2: Int, critical: Int, pAt: Double, pAfter: Double) {
        let atCritical = MannWhitneyExact.twoSidedPValue(u: Double(critical), n1, n2)
        let beyond = MannWhitneyExact.twoSidedPValue(u: Double(critical + 1), n1, n2)
        #expect(Fixtures.relativelyClose(atCritical, pAt, 1e-12))
        #expect(Fixtures.relativelyClose(beyond, pAfter, 1e-12))
        #expect(atCritical <= 0.05 && beyond > 0.05)
        // Symmetric: U and n1 n2 - U are equally extreme.
        #expect(MannWhitneyExact.twoSidedPValue(u: Double(n1 * n2 - critical), n1, n2) == atCritical)
    }
}
