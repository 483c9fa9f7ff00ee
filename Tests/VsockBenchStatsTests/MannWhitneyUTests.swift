import Testing

@testable import VsockBenchStats

@Suite("MannWhitneyU: the two-sided rank-sum test")
struct MannWhitneyUTests {
    // Every reference below is SciPy 1.17 on this machine:
    // scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method=M), with M = "exact", or
    // M = "asymptotic" and use_continuity=True; U is SciPy's statistic (U of x).

    @Test("complete separation of 5 and 5: U = 0, exact p = 2/252")
    func completeSeparation() throws {
        let test = try #require(MannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]))
        #expect(test.u == 0 && test.uSecond == 25 && test.probabilityFirstGreater == 0)
        #expect(test.method == .exact && test.z == nil && !test.hasTies)
        #expect(Fixtures.relativelyClose(test.pValue, 0.007936507936507936, 1e-12))
    }

    @Test(
        "exact p-values without ties match SciPy's method='exact'",
        arguments: [
            // Unequal sizes, 7 and 12.
            (
                [10.2, 11.5, 9.8, 13.1, 12.4, 10.9, 14.0],
                [9.1, 8.7, 10.0, 9.5, 11.1, 8.2, 9.9, 10.5, 7.9, 9.3, 8.8, 10.4], 75.0, 0.0037310470747003253
            ),
            // Perfectly interleaved, 6 and 6: U = n1 n2 / 2, p = 1.
            ([1, 4, 5, 8, 9, 12], [2, 3, 6, 7, 10, 11], 18.0, 1.0),
            ([1, 2, 4, 6, 7.5], [3, 5, 8, 9, 10], 5.0, 0.15079365079365079),
            // 20 and 20 overlapping (n1 n2 = 400, the largest exact case): draws of N(0, 1) and N(0.7, 1).
            (
                [
                    0.0342, 1.3597, 1.2247, -0.5103, -0.298, -0.5274, 0.5697, -0.0561, 0.7469, -1.8473,
                    1.5665, -0.0964, 0.6804, -0.1366, -0.3791, 0.4631, 0.8245, -0.2025, -0.1528, 0.6857,
                ],
                [
                    -0.1703, -0.8144, 1.095, 0.0294, -1.2203, -0.1141, 0.2324, -0.4932, -0.7925, 0.7366,
                    1.5972, 0.4669, -0.0436, 1.085, 1.4172, 0.4, 1.2447, 1.7429, 0.493, -0.1135,
                ],
                180.0, 0.6016618856344154
            ),
        ])
    func exactAgainstSciPy(first: [Double], second: [Double], u: Double, p: Double) throws {
        let test = try #require(MannWhitneyU(first, second))
        #expect(test.method == .exact)
        #expect(test.u == u)
        #expect(Fixtures.relativelyClose(test.pValue, p, 1e-12))
    }

    // With ties, the references are the permutation test counted by brute force in exact
    // fractions (Python: every choice of the first sample's positions in the pooled midranks,
    // counting those whose rank sum lies at least as far from its mean): hits / arrangements.
    static let tiedCases: [(first: [Double], second: [Double], u: Double, p: Double)] = [
        // Ties across and within the samples, 8 and 9 (asymptotic: 0.0455).
        ([3, 5, 5, 7, 8, 8, 8, 10], [1, 2, 3, 3, 5, 5, 6, 7, 7], 57.0, 983.0 / 24310),
        ([1, 2, 2], [2, 3, 4, 4], 1.0, 4.0 / 35),
        // A tie inside the first sample only.
        ([0.5, 0.5], [1], 0.0, 1.0 / 3),
        // Four against four, the review's case: the approximation said 0.033 and failed the gate.
        ([10.5, 11, 11, 11], [10, 10, 10, 10.5], 15.5, 4.0 / 70),
        // Below the smallest p of 4 against 4 without ties (0.029) no arrangement can go;
        // the approximation said 0.013.
        ([1, 1, 1, 1], [2, 2, 2, 2], 0.0, 2.0 / 70),
        ([1, 1, 1, 1, 1, 1], [1, 1, 1, 2, 2, 2], 9.0, 168.0 / 924),
        // One trial above 39 equal ones: 1 in 40 (the approximation said 0.076).
        ([2], [Double](repeating: 1, count: 39), 39.0, 1.0 / 40),
        // Identical samples: no difference, p = 1.
        ([1, 2, 3], [1, 2, 3], 4.5, 1.0),
        // Every value the same: nothing can be told apart.
        ([4, 4, 4], [4, 4, 4, 4], 6.0, 1.0),
    ]

    @Test("with ties in small samples, p is exact over every arrangement of the midranks", arguments: tiedCases)
    func exactWithTies(first: [Double], second: [Double], u: Double, p: Double) throws {
        let test = try #require(MannWhitneyU(first, second))
        #expect(test.method == .exact && test.hasTies && test.z == nil)
        #expect(test.u == u)
        #expect(Fixtures.relativelyClose(test.pValue, p, 1e-12), "\(test.pValue) against \(p)")
    }

    @Test("with ties past the exact rules, p matches SciPy's method='asymptotic', use_continuity=True")
    func asymptoticWithTiesAgainstSciPy() throws {
        let first: [Double] = [-0.3, 0.5, -0.2, -0.3, -0.9, -0.2, 1.1, 0.4, 1.0, 0.2, 0.4, 0.2, -1.7, 0.9, 0.5, 0.5, -1.7, -1.7, -0.9, -0.5, 0.3, -0.0, 0.5, -0.6, 0.3]
        let second: [Double] = [0.9, -0.2, 2.2, 1.1, 1.7, -0.1, -0.2, 0.2, 0.4, 1.1, 0.7, 0.1, -0.5, -0.0, 1.7, -0.3, 0.7, 0.9, -1.0, 0.5, 1.8, -1.5, 0.2, 0.4, -0.3, 1.0, 0.4, -1.0, 1.3, 1.2]
        let test = try #require(MannWhitneyU(first, second))
        #expect(test.method == .normalApproximation && test.hasTies)
        #expect(test.u == 255.5)
        #expect(Fixtures.relativelyClose(test.pValue, 0.043931849645189924, 1e-9))
    }

    @Test("25 against 30 without ties is past the exact rules and uses the normal approximation")
    func largeSamples() throws {
        // Rounded draws of N(100, 10) and N(108, 10) (NumPy default_rng(7)). SciPy: asymptotic
        // p = 0.00014779670408754928; the exact p would be 8.23e-05.
        let first = [
            100.012, 102.987, 97.259, 91.094, 95.453, 90.084, 100.601, 113.402, 95.078, 93.795, 104.898, 103.569,
            101.054, 90.695, 99.707, 106.953, 86.558, 95.424, 80.988, 87.105, 81.583, 97.649, 87.326, 102.713, 101.568,
    ]
        let second = [
            106.131, 82.832, 102.613, 107.515, 109.133, 92.699, 103.222, 98.215, 99.912, 118.609, 99.925, 107.675,
            116.844, 102.164, 106.883, 109.105, 108.638, 95.749, 108.761, 121.588, 92.529, 116.594, 109.194, 101.585,
            128.004, 115.623, 96.007, 108.745, 113.767, 106.112,
    ]
        let test = try #require(MannWhitneyU(first, second))
        #expect(test.method == .normalApproximation && !test.hasTies)
        #expect(test.u == 150)
        #expect(Fixtures.relativelyClose(test.pValue, 0.00014779670408754928, 1e-9))
        #expect((test.z ?? 0) > 3.5)
    }

    @Test("5 against 100 without ties stays exact, for the smaller sample is small")
    func smallAgainstLarge() throws {
        // Rounded draws of N(1, 1) × 5 and N(0, 1) × 100 (NumPy default_rng(22)). SciPy: exact
        // p = 0.08508928161064706 (asymptotic 0.0849).
        let first = [0.998, 0.553, 1.059, 1.94, 0.321]
        let second = [
            -1.398, -1.204, -1.302, -0.623, 1.447, -1.601, 0.944, 1.262, -0.355, -0.701, 0.472, 1.215, 2.156, 0.892,
            1.594, -0.45, -0.874, -1.72, -1.154, -0.363, 0.193, -1.313, 0.816, -0.103, -0.642, -0.765, 2.021, 0.169,
            -0.898, -0.954, 1.838, -0.578, 1.189, 1.423, -2.324, 1.351, -0.208, -1.084, -0.544, 0.561, 0.374, 0.426,
            -0.725, 1.279, 1.502, 1.834, 1.0, 1.894, 2.094, 0.704, 0.881, 0.582, 0.551, 0.863, -1.709, -0.324, 0.488,
            -2.107, -1.442, 1.584, -1.059, -0.464, 0.375, -0.476, -0.861, -0.516, -0.428, -0.58, 0.182, 1.61, 0.356,
            1.625, 0.74, 0.836, 0.587, -0.299, 0.422, 0.303, -1.112, 0.748, 0.578, 0.368, -0.558, -2.633, 1.467, -0.07,
            -2.177, 0.65, -0.699, 0.687, -0.102, 1.134, 0.233, 0.28, 0.15, 1.231, -1.296, 1.177, 0.689, -0.554,
    ]
        let test = try #require(MannWhitneyU(first, second))
        #expect(test.method == .exact && test.u == 365)
        #expect(Fixtures.relativelyClose(test.pValue, 0.08508928161064706, 1e-12))
    }

    @Test("swapping the samples mirrors U and keeps p")
    func symmetry() throws {
        let a = [3.0, 5, 5, 7, 8, 8, 8, 10]
        let b = [1.0, 2, 3, 3, 5, 5, 6, 7, 7]
        let forward = try #require(MannWhitneyU(a, b))
        let backward = try #require(MannWhitneyU(b, a))
        #expect(backward.u == forward.uSecond)
        #expect(Fixtures.close(backward.pValue, forward.pValue, 1e-15))
    }

    @Test("an empty sample or a NaN gives nil")
    func edgeCases() {
        #expect(MannWhitneyU([], [1, 2]) == nil)
        #expect(MannWhitneyU([1, 2], []) == nil)
        #expect(MannWhitneyU([1, .nan], [1, 2]) == nil)
    }

    @Test(
        "the smallest p for the sizes: 2 / C(n1 + n2, n1) while exact, the approximation beyond",
        arguments: [
            (1, 1, 1.0), (3, 3, 0.1), (4, 4, 0.02857142857142857), (5, 5, 0.007936507936507936),
            (3, 4, 0.05714285714285714), (2, 8, 0.044444444444444446), (1, 19, 0.1), (2, 5, 0.09523809523809523),
            (2, 40, 2.0 / 861), (0, 5, 1.0),
            // A small sample against a large one stays exact: 1 against 401 (SciPy's asymptotic
            // p would be 0.085), 10 against 41.
            (1, 401, 2.0 / 402), (10, 41, 1.565225464737295e-10),
            // Past both exact rules: SciPy asymptotic for range(n1) against 1000 + range(n2).
            (21, 25, 7.567873572148911e-09), (11, 40, 4.98565610289315e-07),
        ])
    func smallestPValue(n1: Int, n2: Int, p: Double) {
        #expect(Fixtures.relativelyClose(MannWhitneyU.smallestPValue(n1: n1, n2: n2), p, 1e-9))
    }

    @Test("whether significance at 0.05 is reachable: not for 1 vs 1, 3 vs 3 or 3 vs 4; yes for 4 vs 4, 5 vs 5")
    func reachability() throws {
        #expect(try !MannWhitneyU.canReachSignificance(n1: 1, n2: 1))
        #expect(try !MannWhitneyU.canReachSignificance(n1: 3, n2: 3))
        #expect(try !MannWhitneyU.canReachSignificance(n1: 3, n2: 4))
        #expect(try MannWhitneyU.canReachSignificance(n1: 4, n2: 4))
        #expect(try MannWhitneyU.canReachSignificance(n1: 5, n2: 5))
        #expect(try !MannWhitneyU.canReachSignificance(n1: 5, n2: 5, alpha: 0.005))
        #expect(try !MannWhitneyU.canReachSignificance(n1: 0, n2: 9))
        #expect(throws: StatisticsError.self) { try MannWhitneyU.canReachSignificance(n1: 5, n2: 5, alpha: 5) }
    }

    @Test("the test's smallest p is what complete separation gives")
    func smallestIsReached() throws {
        let test = try #require(MannWhitneyU([10, 11, 12, 13], [1, 2, 3, 4]))
        #expect(test.u == 16 && test.pValue == MannWhitneyU.smallestPValue(n1: 4, n2: 4))
    }
}
