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
}
