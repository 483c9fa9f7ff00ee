/// `compare`: every case of a run side by side against the first one that measured (the
/// baseline; a skipped or failed case measured nothing to compare against): ratios,
/// whether each difference is beyond the noise, the knobs each case changes, the Pareto front
/// of throughput against p99, and with a budget the fastest case whose p99 stays under it.
public struct Comparison: Codable, Sendable, Equatable {
    /// The name of the first case that measured (the first case when none did): every ratio,
    /// noise verdict and knob diff is against it.
    public var baseline: String
    /// The significance level of the noise verdicts' U test.
    public var alpha: Double
    /// How the columns and verdicts are made, in words (the same as `compare --help`).
    public var rules: Rules
    public var rows: [Row]
    /// `--p99-budget`: null without it.
    public var p99Budget: P99Budget?
    /// The cases whose trials ran beside a busy machine (`CaseResult.machineNote`), for the
    /// text below the tables: a case measured while other programs took the CPUs is no fair
    /// side of a comparison. Not in the JSON: each case's `cpu` figures are.
    public var machineNotes: [MachineNote] = []

    public struct MachineNote: Sendable, Equatable {
        public var name: String
        public var text: String
    }

    public struct Rules: Codable, Sendable, Equatable {
        public var ratios = "each figure over the baseline's (the first case that measured and was verified: a skipped or failed case is not the baseline unless no case passed); Mbps per direction (tx/rx; mbps_ratio: of mbps, the one direction each case follows, only where both follow the same); msgs/s, latency and cpu per message only between like workloads (a stream's message is one write, not an exchange)"
        public var noise = "with trials on both sides: 95% intervals of the medians that do not overlap (CI, from 6 trials on each side), else a two-sided Mann-Whitney U test on the trials at alpha (U); too few trials for the test to reach alpha: cannot tell; one trial on a side: single sample, cannot tell from noise"
        public var front = "per workload kind (rr, masked, stream: only like cases compare), on the medians: a verified case is on the front unless another of its kind has at least its throughput (msgs/s; stream: Mbps in its busier direction) and at most its p99, and is better on one; streams have no p99, so the fastest stream is its front; equal cases all stay"
        public var knobs = "every key of the case's config (config in the case's JSON, name excepted) whose value differs from the baseline's; a key a case lacks counts as null; note: why it set nothing where both ran (TCP only: not applied over unix)"
        public init() {}
    }

    enum CodingKeys: String, CodingKey { case baseline, alpha, rules, rows, p99Budget = "p99_budget" }

    /// The comparison of a run's cases against its first that measured; `p99BudgetNanos` for
    /// `--p99-budget`.
    public init(_ document: RunDocument, p99BudgetNanos: UInt64? = nil, alpha: Double = 0.05) {
        self.alpha = alpha
        rules = Rules()
        let cases = document.cases
        // A skipped first case (a stream against --target null) measured nothing: every ratio
        // against it was null and every verdict "not compared".
        let base = Self.baselineIndex(cases)
        baseline = cases.indices.contains(base) ? cases[base].name : ""
        let front = ParetoFront.members(cases)
        rows = cases.enumerated().map { i, c in
            Row(c, against: cases[base], isBaseline: i == base, pareto: front[i], alpha: alpha)
        }
        p99Budget = p99BudgetNanos.map { P99Budget(budgetNanos: $0, cases: cases) }
        machineNotes = cases.compactMap { c in c.machineNote.map { MachineNote(name: c.name, text: $0) } }
    }

    /// The index of the first case that measured and was verified (not skipped, with
    /// messages, no failure: a case that failed partway keeps the messages it moved, but its
    /// figures are cut short); else the first that measured at all; 0 when none did.
    static func baselineIndex(_ cases: [CaseResult]) -> Int {
        cases.firstIndex { $0.skipped == nil && $0.figures.messages > 0 && $0.verified }
            ?? cases.firstIndex { $0.skipped == nil && $0.figures.messages > 0 } ?? 0
    }

    /// The baseline's row (the first when the rows name no baseline).
    var baselineRow: Row? { rows.first { $0.name == baseline } ?? rows.first }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(rules, forKey: .rules)
        try c.encode(rows, forKey: .rows)
        try c.encode(p99Budget, forKey: .p99Budget)
    }
}
