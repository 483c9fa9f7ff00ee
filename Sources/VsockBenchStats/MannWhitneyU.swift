/// The two-sided Mann-Whitney U test (Wilcoxon rank-sum): do two samples come from the same
/// distribution, or does one tend to be larger?
///
/// It is the gate's test for timing figures because it asks nothing of the noise's shape (trial
/// timings are skewed and have outliers) and because its p-value is exact for the small trial
/// counts a benchmark can afford, ties included (latencies are rounded to 0.01 us and counts
/// per message often repeat: the normal approximation a tie used to bring said 0.033 for an
/// exact 0.057 at four against four, and failed the gate, review).
public struct MannWhitneyU: Sendable, Hashable {
    /// How the p-value was computed; the raw value is the name reports print.
    public enum Method: String, Sendable, Hashable, Codable {
        /// From the exact distribution of U over all arrangements of the ranks.
        case exact = "exact"
        /// From the normal approximation, with the tie correction of the variance and a
        /// continuity correction of 1/2.
        case normalApproximation = "normal approximation"
    }

    /// The largest n1 n2 for which the exact distribution is used when there are no ties:
    /// 20 against 20, 10 against 40. Up to it the counts take microseconds; beyond it, with
    /// both samples above `exactSmallSampleLimit`, the normal approximation is close near 0.05.
    public static let exactLimit = 400

    /// The exact distribution is also used, without ties, when the smaller sample has at most
    /// this many values (and the larger at most `exactLargeSampleLimit`): the approximation is
    /// poor for a very small sample against a large one (the smallest p of 1 against 401 is
    /// 0.005 exactly, 0.085 approximated), and a new run is often checked against many.
    public static let exactSmallSampleLimit = 10

    /// The largest size of the larger sample for the rule of `exactSmallSampleLimit`, which
    /// bounds the exact computation (O(n1² n2²)) to a few milliseconds.
    public static let exactLargeSampleLimit = 1000

    /// U of the first sample: the number of pairs (x from the first, y from the second) with
    /// x > y, ties counting one half. It ranges from 0 to n1 n2; n1 n2 / 2 is no difference.
    public let u: Double
    /// The first sample's size.
    public let n1: Int
    /// The second sample's size.
    public let n2: Int
    /// The two-sided p-value: the probability, with no difference, of a U at least this far
    /// from n1 n2 / 2.
    public let pValue: Double
    /// How `pValue` was computed.
    public let method: Method
    /// For the normal approximation: how many standard deviations U lies from n1 n2 / 2, less
    /// the continuity correction (so never below -1/2 sigma); nil for the exact method.
    public let z: Double?
    /// Whether equal values occur in the pooled sample (the exact count then runs over their
    /// midranks: `MannWhitneyExact.twoSidedPValue(doubledRanks:k:observed:)`).
    public let hasTies: Bool

    /// Tests `first` against `second`; nil when either is empty or holds a NaN.
    ///
    /// The p-value is exact when either n1 n2 is at most `exactLimit` or the smaller sample is
    /// small (see `exactSmallSampleLimit`): without ties from U's distribution (SciPy's
    /// `method="exact"`), with ties from the distribution of the midranks' sum over every
    /// arrangement (a permutation test; within `MannWhitneyExact.tiedWorkLimit`). Otherwise it
    /// is the normal approximation with the tie correction (SciPy's
    /// `mannwhitneyu(method="asymptotic", use_continuity=True)`). When every value is the same,
    /// no test can tell them apart and the p-value is 1.
    public init?(_ first: [Double], _ second: [Double]) {
        guard Descriptive.usable(first), Descriptive.usable(second) else { return nil }
        let n1 = first.count
        let n2 = second.count
        let ranking = Ranking(first + second)
        let rankSum = ranking.midranks[0..<n1].reduce(0, +)
        let u = rankSum - Double(n1 * (n1 + 1)) / 2
        self.u = u
        self.n1 = n1
        self.n2 = n2
        self.hasTies = !ranking.tieGroups.isEmpty
        if !hasTies, MannWhitneyU.exactApplies(n1, n2) {
            self.pValue = MannWhitneyExact.twoSidedPValue(u: u, n1, n2)
            self.method = .exact
            self.z = nil
        } else if hasTies, MannWhitneyU.exactApplies(n1, n2),
                  let p = MannWhitneyExact.twoSidedPValue(
                      doubledRanks: ranking.midranks.map { Int(($0 * 2).rounded()) }, k: n1,
                      observed: Int((rankSum * 2).rounded())) {
            self.pValue = p
            self.method = .exact
            self.z = nil
        } else {
            let (p, z) = MannWhitneyU.normalApproximation(u: u, n1, n2, tieGroups: ranking.tieGroups)
            self.pValue = p
            self.method = .normalApproximation
            self.z = z
        }
    }

    /// U of the second sample, n1 n2 - u.
    public var uSecond: Double { Double(n1 * n2) - u }

    /// The probability that a value of the first sample exceeds one of the second (ties half):
    /// u / (n1 n2), the effect size that goes with U; 0.5 is no difference.
    public var probabilityFirstGreater: Double { u / Double(n1 * n2) }

    /// The smallest two-sided p-value the test can give for these sizes, reached when the
    /// samples do not overlap at all and have no ties: 2 / C(n1 + n2, n1) where the exact
    /// method applies. 1 when either size is 0.
    ///
    /// One trial against one can never be significant (p = 1), nor 3 against 3 (0.1);
    /// 4 against 4 can (0.029). The gate uses this to mark a verdict `unconfirmed` rather than
    /// pretend a test was possible.
    public static func smallestPValue(n1: Int, n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        let u = Double(n1 * n2)
        if exactApplies(n1, n2) { return MannWhitneyExact.twoSidedPValue(u: u, n1, n2) }
        return normalApproximation(u: u, n1, n2, tieGroups: []).pValue
    }

    /// Whether any difference between samples of these sizes can reach significance at `alpha`:
    /// `smallestPValue(n1:n2:) <= alpha`.
    ///
    /// - Throws: `StatisticsError` when `alpha` is not strictly between 0 and 1.
    public static func canReachSignificance(n1: Int, n2: Int, alpha: Double = 0.05) throws(StatisticsError) -> Bool {
        try StatisticsError.requireProbability(alpha, named: "alpha")
        return smallestPValue(n1: n1, n2: n2) <= alpha
    }

    private static func exactApplies(_ n1: Int, _ n2: Int) -> Bool {
        n1 * n2 <= exactLimit
            || (Swift.min(n1, n2) <= exactSmallSampleLimit && Swift.max(n1, n2) <= exactLargeSampleLimit)
    }

    /// p = 2 P(Z > (|U - n1 n2 / 2| - 1/2) / sigma), at most 1, with
    /// sigma² = n1 n2 / 12 ((N + 1) - Σ(t³ - t) / (N (N - 1))) over the tie groups t.
    private static func normalApproximation(u: Double, _ n1: Int, _ n2: Int, tieGroups: [Int]) -> (pValue: Double, z: Double) {
        let count = Double(n1 + n2)
        let ties = tieGroups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        let correction = count > 1 ? ties / (count * (count - 1)) : 0
        let variance = Double(n1 * n2) / 12 * ((count + 1) - correction)
        // All values equal: U is n1 n2 / 2 by construction and nothing can be told apart.
        guard variance > 0 else { return (1, 0) }
        let mean = Double(n1 * n2) / 2
        let z = (Swift.max(u, Double(n1 * n2) - u) - mean - 0.5) / variance.squareRoot()
        return (Swift.min(1, 2 * NormalDistribution.survival(z)), z)
    }
}
