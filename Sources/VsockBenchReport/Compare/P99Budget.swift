import VsockBenchStats
import VsockBenchSupport

/// `compare --p99-budget DURATION`: the fastest case whose p99 latency stays under a budget.
///
/// One choice per exchange workload (rr, masked; a stream has no per-message latency), among
/// the cases that ran and verified every message: the most messages per second whose p99
/// stays strictly under the budget. With trials the p99 checked is the upper end of the
/// case's interval of p99 (a case whose p99 only sometimes fits does not count as fitting);
/// with one trial it is the single sample, and the choice says so.
public struct P99Budget: Codable, Sendable, Equatable {
    public struct Pick: Codable, Sendable, Equatable {
        public var workload: String
        /// The chosen case; nil when no case of the workload fits.
        public var name: String?
        public var msgsPerSecond: Double?
        /// The chosen case's p99 (with trials, the median of the trials' p99s).
        public var p99Micros: Double?
        /// The p99 held against the budget, and what it is.
        public var checkedMicros: Double?
        public var checked: String?
        /// When none fits: the case that came closest, and its checked p99.
        public var closest: String?
        public var closestCheckedMicros: Double?
        public var text: String

        enum CodingKeys: String, CodingKey {
            case workload, name = "case", msgsPerSecond = "msgs_per_s", p99Micros = "p99_us", checkedMicros = "checked_p99_us", checked
            case closest, closestCheckedMicros = "closest_checked_p99_us", text
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(workload, forKey: .workload)
            try c.encode(name, forKey: .name)
            try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
            try c.encode(p99Micros, forKey: .p99Micros)
            try c.encode(checkedMicros, forKey: .checkedMicros)
            try c.encode(checked, forKey: .checked)
            try c.encode(closest, forKey: .closest)
            try c.encode(closestCheckedMicros, forKey: .closestCheckedMicros)
            try c.encode(text, forKey: .text)
        }
    }

    public static let rule = "per exchange workload (rr, masked), the case with the most msgs/s whose p99 stays under the budget; "
        + "with trials the p99 checked is the upper end of its interval, with one trial the single sample; streams have no p99"

    public var budgetMicros: Double
    public var rule: String = P99Budget.rule
    /// One per exchange workload among the cases, in the order the workloads first appear.
    public var picks: [Pick]

    enum CodingKeys: String, CodingKey { case budgetMicros = "budget_us", rule, picks }

    public init(budgetNanos: UInt64, cases: [CaseResult]) {
        let budget = Double(budgetNanos) / 1000
        budgetMicros = budget
        var kinds: [String] = []
        for c in cases where c.workload != .stream && !kinds.contains(c.workload.rawValue) { kinds.append(c.workload.rawValue) }
        let budgetText = Quantities.formatDuration(budgetNanos)
        picks = kinds.map { kind in
            let candidates = cases.filter { $0.workload.rawValue == kind && Throughput.isCandidate($0) }.compactMap(Checked.init)
            var pick = Pick(workload: kind, text: "")
            let fits = candidates.filter { $0.micros < budget }
            // The most msgs/s; among equals the lower checked p99; then the scenario's order.
            let best = fits.enumerated().min { a, b in
                let (x, y) = (a.element, b.element)
                if x.msgsPerSecond != y.msgsPerSecond { return x.msgsPerSecond > y.msgsPerSecond }
                if x.micros != y.micros { return x.micros < y.micros }
                return a.offset < b.offset
            }?.element
            if let best {
                pick.name = best.name
                pick.msgsPerSecond = best.msgsPerSecond
                pick.p99Micros = best.p99
                pick.checkedMicros = best.micros
                pick.checked = best.how
                pick.text = "\(kind): \(Terminal.safe(best.name)), \(Format.fixed(best.msgsPerSecond, 0)) msgs/s, p99 \(Format.compact(best.p99)) us"
                    + " (checked: \(best.how), \(Format.compact(best.micros)) us < \(budgetText))"
            } else if let closest = candidates.min(by: { $0.micros < $1.micros }) {
                pick.closest = closest.name
                pick.closestCheckedMicros = closest.micros
                pick.text = "\(kind): no case keeps p99 under \(budgetText) (closest: \(Terminal.safe(closest.name)),"
                    + " \(Format.compact(closest.micros)) us, \(closest.how))"
            } else {
                pick.text = "\(kind): no case keeps p99 under \(budgetText) (no verified \(kind) case measured a p99)"
            }
            return pick
        }
    }

    /// One line per workload, or the reason there is none.
    public var lines: [String] {
        picks.isEmpty ? ["no rr or masked case: a stream has no per-message latency to hold under a budget"] : picks.map(\.text)
    }

    /// A case's p99 as held against the budget.
    struct Checked {
        var name: String
        var msgsPerSecond: Double
        var p99: Double
        var micros: Double
        var how: String

        init?(_ c: CaseResult) {
            guard let p99 = c.latencyMicros?.p99, p99.isFinite else { return nil }
            name = c.name
            msgsPerSecond = c.msgsPerSecond
            self.p99 = p99
            let values = Throughput.trialValues(.latencyP99, c)
            guard values.count >= 2 else {
                micros = p99
                how = "single sample"
                return
            }
            let fromFile = c.ci?[Figure.latencyP99.rawValue].flatMap { $0.count == 2 ? $0[1] : nil }
            let upper = fromFile ?? (try? MedianInterval.orderStatistics(values))?.high ?? values.max() ?? p99
            // The merged p99 lies within the trials' p99s; the larger keeps the check honest either way.
            micros = max(upper, p99)
            let ranks = try? OrderStatisticRanks(sampleSize: values.count)
            if let ranks, ranks.reachesConfidence {
                how = "upper end of its 95% interval, \(values.count) trials"
            } else {
                let coverage = Format.fixed((ranks?.coverage ?? 0) * 100, 0)
                how = "upper end of its trials' range, \(values.count) trials (\(coverage)% coverage)"
            }
        }
    }
}
