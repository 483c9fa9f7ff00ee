import VsockBenchStats
import VsockBenchSupport

/// Whether a case's figure differs from the first case's by more than run-to-run noise, and
/// which rule decided.
///
/// The rules, in order: a single sample on either side cannot be told from noise. With trials
/// on both sides, 95% intervals of the medians that do not overlap mean a real difference
/// (only intervals that really reach 95%: with fewer than 6 trials an interval is the trials'
/// range and covers less). Otherwise a two-sided Mann-Whitney U test on the trials decides at
/// `alpha`. When the trial counts are too small for the test ever to reach `alpha` (3 against 3
/// gives at best p = 0.1), the verdict is "cannot tell", and says so.
public struct NoiseVerdict: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case baseline
        case beyond = "beyond noise"
        case within = "within noise"
        case cannotTell = "cannot tell"
        case notCompared = "not compared"
    }

    public enum Rule: String, Codable, Sendable {
        case baseline
        /// The 95% intervals do not overlap.
        case intervals
        /// The U test on the trials, at alpha.
        case mannWhitneyU = "mann_whitney_u"
        /// Trials on both sides, but too few for the test to reach alpha.
        case tooFewTrials = "too_few_trials"
        /// One trial on a side.
        case singleSample = "single_sample"
        /// No figure both cases measure.
        case notComparable = "not_comparable"
    }

    /// The figure's key (`msgs_per_s`, `latency_us.p99`, `mbps_tx`); null when not compared.
    public var figure: String?
    public var verdict: Outcome
    public var rule: Rule
    /// Whether this case's median is the better one (higher throughput, lower latency); null
    /// when the medians are equal or not compared.
    public var better: Bool?
    /// The U test's two-sided p-value, when the test decided.
    public var pValue: Double?
    /// `exact` or `normal approximation`, when the test decided.
    public var testMethod: String?
    /// Trials with the figure: the first case's, then this case's.
    public var trials: [Int]
    /// The intervals compared (the first case's, then this case's), when both sides have trials.
    public var baselineInterval: [Double]?
    public var interval: [Double]?
    /// One line: the verdict and its reason.
    public var text: String

    enum CodingKeys: String, CodingKey {
        case figure, verdict, rule, beyondNoise = "beyond_noise", better, pValue = "p_value", testMethod = "test_method", trials
        case baselineInterval = "baseline_ci", interval = "ci", text
    }

    /// True beyond the noise, false within it, nil when it cannot be told.
    public var beyondNoise: Bool? {
        switch verdict {
        case .beyond: return true
        case .within: return false
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        figure = try c.decodeIfPresent(String.self, forKey: .figure)
        verdict = try c.decode(Outcome.self, forKey: .verdict)
        rule = try c.decode(Rule.self, forKey: .rule)
        better = try c.decodeIfPresent(Bool.self, forKey: .better)
        pValue = try c.decodeIfPresent(Double.self, forKey: .pValue)
        testMethod = try c.decodeIfPresent(String.self, forKey: .testMethod)
        trials = try c.decode([Int].self, forKey: .trials)
        baselineInterval = try c.decodeIfPresent([Double].self, forKey: .baselineInterval)
        interval = try c.decodeIfPresent([Double].self, forKey: .interval)
        text = try c.decode(String.self, forKey: .text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(figure, forKey: .figure)
        try c.encode(verdict, forKey: .verdict)
        try c.encode(rule, forKey: .rule)
        try c.encode(beyondNoise, forKey: .beyondNoise)
        try c.encode(better, forKey: .better)
        try c.encode(pValue, forKey: .pValue)
        try c.encode(testMethod, forKey: .testMethod)
        try c.encode(trials, forKey: .trials)
        try c.encode(baselineInterval, forKey: .baselineInterval)
        try c.encode(interval, forKey: .interval)
        try c.encode(text, forKey: .text)
    }

    init(figure: Figure?, verdict: Outcome, rule: Rule, better: Bool? = nil, trials: [Int], text: String) {
        self.figure = figure?.rawValue
        self.verdict = verdict
        self.rule = rule
        self.better = better
        self.trials = trials
        self.text = text
    }

    /// The first case against itself.
    static func baseline(_ figure: Figure?, trials: Int) -> NoiseVerdict {
        NoiseVerdict(figure: figure, verdict: .baseline, rule: .baseline, trials: [trials, trials], text: "the baseline")
    }

    /// `figure` of `c` against the same figure of `baseline`, over their trials.
    static func decide(_ figure: Figure?, baseline: CaseResult, _ c: CaseResult, alpha: Double = 0.05) -> NoiseVerdict {
        guard let figure else {
            return NoiseVerdict(figure: nil, verdict: .notCompared, rule: .notComparable, trials: [0, 0],
                                text: "not compared: no throughput figure both cases measure")
        }
        let x = Throughput.trialValues(figure, baseline)
        let y = Throughput.trialValues(figure, c)
        guard !x.isEmpty, !y.isEmpty else {
            return NoiseVerdict(figure: figure, verdict: .notCompared, rule: .notComparable, trials: [x.count, y.count],
                                text: "not compared: \(figure.label) not measured on both sides")
        }
        var verdict = NoiseVerdict(figure: figure, verdict: .cannotTell, rule: .singleSample,
                                   better: better(figure, baseline, c), trials: [x.count, y.count], text: "")
        guard x.count >= 2, y.count >= 2 else {
            verdict.text = x.count == 1 && y.count == 1
                ? "single sample: cannot tell from noise"
                : "single sample (\(x.count) against \(y.count) trials): cannot tell from noise"
            return verdict
        }
        let a = interval(figure, baseline, x)
        let b = interval(figure, c, y)
        verdict.baselineInterval = a
        verdict.interval = b
        let apart = a[1] < b[0] || b[1] < a[0]
        if apart, reaches95(x.count), reaches95(y.count) {
            verdict.verdict = .beyond
            verdict.rule = .intervals
            verdict.text = "beyond noise\(verdict.direction): the 95% intervals do not overlap (\(range(a)) against \(range(b)))"
            return verdict
        }
        let canReach = (try? MannWhitneyU.canReachSignificance(n1: x.count, n2: y.count, alpha: alpha)) ?? false
        guard canReach, let test = MannWhitneyU(x, y) else {
            verdict.rule = .tooFewTrials
            let best = MannWhitneyU.smallestPValue(n1: x.count, n2: y.count)
            verdict.text = "cannot tell: \(x.count) against \(y.count) trials cannot reach p <= \(alphaText(alpha)) (at best p = \(Format.fixed(best, 3));"
                + " --repeat \(enoughTrials(alpha)) can); their ranges \(apart ? "do not overlap" : "overlap")"
            return verdict
        }
        verdict.rule = .mannWhitneyU
        verdict.pValue = test.pValue.rounded(toPlaces: 4)
        verdict.testMethod = test.method.rawValue
        let p = "Mann-Whitney U p = \(pText(test.pValue)) (\(x.count) against \(y.count) trials, \(test.method.rawValue))"
        if test.pValue <= alpha {
            verdict.verdict = .beyond
            verdict.text = "beyond noise\(verdict.direction): \(p) <= \(alphaText(alpha))"
        } else {
            verdict.verdict = .within
            verdict.text = "within noise: \(p) > \(alphaText(alpha)); intervals \(apart ? "apart" : "overlap")"
        }
        return verdict
    }

    /// ` (better)`, ` (worse)`, or nothing when the medians are equal.
    private var direction: String {
        better.map { $0 ? " (better)" : " (worse)" } ?? ""
    }

    /// The case's interval for the figure as the results file has it (`ci`), or made from the
    /// trials for a file without one.
    private static func interval(_ figure: Figure, _ c: CaseResult, _ values: [Double]) -> [Double] {
        if let bounds = c.ci?[figure.rawValue], bounds.count == 2 { return bounds }
        let estimate = try? MedianInterval.orderStatistics(values)
        return [estimate?.low ?? values.min() ?? 0, estimate?.high ?? values.max() ?? 0]
    }

    /// Whether the order-statistics interval of n trials really covers 95% (n >= 6).
    private static func reaches95(_ n: Int) -> Bool {
        (try? OrderStatisticRanks(sampleSize: n, confidence: 0.95))?.reachesConfidence ?? false
    }

    /// The smallest trial count per case with which the test can reach alpha.
    static func enoughTrials(_ alpha: Double) -> Int {
        (2...100).first { (try? MannWhitneyU.canReachSignificance(n1: $0, n2: $0, alpha: alpha)) == true } ?? 100
    }

    private static func better(_ figure: Figure, _ baseline: CaseResult, _ c: CaseResult) -> Bool? {
        guard let a = figure.value(in: baseline.figures), let b = figure.value(in: c.figures), a != b else { return nil }
        return figure.higherIsBetter ? b > a : b < a
    }

    /// `[980, 1030]`, `[1.25, 3.50]`: both ends with the places the larger one needs.
    private static func range(_ bounds: [Double]) -> String {
        let magnitude = max(abs(bounds[0]), abs(bounds[1]))
        let places = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3
        return "[\(Format.fixed(bounds[0], places)), \(Format.fixed(bounds[1], places))]"
    }

    private static func alphaText(_ alpha: Double) -> String { "\(alpha)" }

    private static func pText(_ p: Double) -> String { p < 0.001 ? "< 0.001" : Format.fixed(p, 3) }

    /// The text without what every too-few verdict repeats: `cannot tell (too few trials, 3
    /// against 3; ranges overlap)`.
    var brief: String {
        guard rule == .tooFewTrials, let a = baselineInterval, let b = interval, a.count == 2, b.count == 2 else { return text }
        let apart = a[1] < b[0] || b[1] < a[0]
        return "cannot tell (too few trials, \(trials.map(String.init).joined(separator: " against ")); ranges \(apart ? "apart" : "overlap"))"
    }

    /// The table's short form: `better (CI)`, `worse (U)`, `within (U)`, `too few trials`,
    /// `single sample`, `baseline`, `-`.
    var cell: String {
        switch verdict {
        case .baseline: return "baseline"
        case .notCompared: return "-"
        case .cannotTell: return rule == .singleSample ? "single sample" : "too few trials"
        case .within: return "within (U)"
        case .beyond:
            let tag = rule == .intervals ? "(CI)" : "(U)"
            switch better {
            case true?: return "better " + tag
            case false?: return "worse " + tag
            case nil: return "beyond " + tag
            }
        }
    }
}
