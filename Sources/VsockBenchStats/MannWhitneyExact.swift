/// The exact null distribution of the Mann-Whitney U statistic without ties.
///
/// Under the null hypothesis every arrangement of the n1 + n2 ranks is equally likely, and the
/// number of arrangements with a given U follows the recursion (Mann and Whitney 1947)
/// f(a, b; u) = f(a - 1, b; u - b) + f(a, b - 1; u): the largest value either belongs to the first
/// sample (and is above all b values of the second) or to the second. The counts are whole
/// numbers held in Doubles: exact while C(n1 + n2, n1) stays below 2^53 (it is 1.4e11 for 20 and
/// 20), and beyond that (10 against 1000: 2.9e23) still within a few ulps relative, since the
/// recursion only adds positive terms.
enum MannWhitneyExact {
    /// How many arrangements give each U = 0 ... n1 n2.
    static func counts(_ n1: Int, _ n2: Int) -> [Double] {
        let small = Swift.min(n1, n2)
        let large = Swift.max(n1, n2)
        // rows[a] holds f(a, b; ·) for the current b; f(a, 0; ·) and f(0, b; ·) are [1].
        var rows = [[Double]](repeating: [1], count: small + 1)
        if small == 0 { return [1] }
        for b in 1...large {
            for a in 1...small {
                var next = rows[a] + [Double](repeating: 0, count: a * b + 1 - rows[a].count)
                for (u, count) in rows[a - 1].enumerated() { next[u + b] += count }
                rows[a] = next
            }
        }
        return rows[small]
    }

    /// The two-sided p-value of a U: twice the smaller tail, at most 1. The distribution is
    /// symmetric, so that is 2 P(U >= max(u, n1 n2 - u)).
    static func twoSidedPValue(u: Double, _ n1: Int, _ n2: Int) -> Double {
        let counts = counts(n1, n2)
        let total = counts.reduce(0, +)
        let upper = Swift.max(u, Double(n1 * n2) - u)
        let start = Int(upper.rounded(.up))
        guard start < counts.count else { return 0 }
        let tail = counts[start...].reduce(0, +)
        return Swift.min(1, 2 * tail / total)
    }

    /// The two-sided p-value of a sample with ties, over every arrangement of the pooled
    /// sample's midranks (the permutation test SciPy's exact method is not: it ignores ties):
    /// the share of the C(N, k) ways to choose the `k` values of one sample whose rank sum lies
    /// at least as far from its mean as the observed one. `doubledRanks` are the pooled
    /// sample's midranks times 2 (whole numbers), `observed` the doubled rank sum of `k` of
    /// them. Counted by subset size and sum: O(N k S) for a largest sum S, within
    /// `tiedWorkLimit` (nil beyond it).
    ///
    /// With ties the distribution is not symmetric, so "as far from the mean" is measured both
    /// ways rather than as twice one tail. Four against four with [10.5, 11, 11, 11] and
    /// [10, 10, 10, 10.5]: 4/70 = 0.057, where the normal approximation said 0.033 (review).
    static func twoSidedPValue(doubledRanks: [Int], k: Int, observed: Int) -> Double? {
        let n = doubledRanks.count
        guard k > 0, k < n else { return 1 }
        let largest = doubledRanks.sorted(by: >).prefix(k).reduce(0, +)
        guard n * k * (largest + 1) <= tiedWorkLimit else { return nil }
        // ways[j][s]: subsets of size j of the items seen so far with doubled rank sum s.
        var ways = [[Double]](repeating: [Double](repeating: 0, count: largest + 1), count: k + 1)
        ways[0][0] = 1
        for (index, rank) in doubledRanks.enumerated() {
            for j in stride(from: Swift.min(k, index + 1), through: 1, by: -1) {
                let from = ways[j - 1]
                for s in stride(from: largest, through: rank, by: -1) where from[s - rank] != 0 {
                    ways[j][s] += from[s - rank]
                }
            }
        }
        // The doubled rank sum's mean is k (N + 1): whole, as the sums are.
        let mean = k * (n + 1)
        let distance = abs(observed - mean)
        var total = 0.0, tail = 0.0
        for (s, count) in ways[k].enumerated() where count != 0 {
            total += count
            if abs(s - mean) >= distance { tail += count }
        }
        return Swift.min(1, tail / total)
    }

    /// The most work (items x sample size x sums) the tied count may take: a few milliseconds
    /// in a release build. 10 against 100 is 2.4 million; 10 against 1000 (20 million and
    /// more) falls back to the normal approximation.
    static let tiedWorkLimit = 20_000_000
}

