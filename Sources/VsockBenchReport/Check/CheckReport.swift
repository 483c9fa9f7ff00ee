import VsockBenchSupport

/// The outcome of comparing a results document against a baseline: one row per case and
/// metric, the cases that did not run clean, and notes about comparability.
public struct CheckReport: Sendable, Equatable {
    /// How one metric of one case fared.
    public enum Verdict: String, Sendable, Equatable {
        /// Moved the wrong way by more than the tolerance.
        case regressed
        /// Within the tolerance either way.
        case held
        /// Moved the good way by more than the tolerance.
        case improved
        /// Not measured on both sides (p99 of a stream case, exits without the probe).
        case notCompared
    }

    /// One case x metric comparison.
    public struct Row: Sendable, Equatable {
        public var caseName: String
        public var metric: CheckMetric
        public var baseline: Double?
        public var now: Double?
        /// (now - baseline) / baseline; nil when not compared or the baseline is zero.
        public var change: Double?
        /// The tolerance that applied, as a fraction.
        public var tolerance: Double
        public var verdict: Verdict
        /// Why it was not compared, or nil.
        public var note: String?

        /// `bulk: Mbps 33367 -> 29000 (-13.1%, limit -10%)`.
        public var sentence: String {
            let sign = metric.higherIsBetter ? "-" : "+"
            return "\(caseName): \(metric.label) \(Format.compact(baseline)) -> \(Format.compact(now)) (\(CheckReport.changeText(change, baseline: baseline, now: now)), limit \(sign)\(CheckTolerances.percentText(tolerance)))"
        }
    }

    /// A case of the results that did not run clean: it fails the check whatever its figures.
    public struct Unverified: Sendable, Equatable {
        public var caseName: String
        public var errors: [String]
    }

    public var resultsPath: String
    public var baselinePath: String
    public var tolerances: CheckTolerances
    /// Case order of the results; metrics in ``CheckMetric/allCases`` order within a case.
    public var rows: [Row]
    public var unverified: [Unverified]
    /// Comparability notes (different kernels, sizes or transports; an unverified baseline case).
    public var warnings: [String]

    public var regressions: [Row] { rows.filter { $0.verdict == .regressed } }
    /// True when no metric regressed and every case of the results was verified.
    public var passed: Bool { regressions.isEmpty && unverified.isEmpty }
    /// The case names, in order.
    public var caseNames: [String] {
        var names: [String] = []
        for row in rows where names.last != row.caseName { names.append(row.caseName) }
        return names
    }

    /// `-13.1%`, `+0.0%`, `new` when the baseline was zero.
    public static func changeText(_ change: Double?, baseline: Double?, now: Double?) -> String {
        if let change { return (change >= 0 ? "+" : "") + Format.fixed(change * 100, 1) + "%" }
        if baseline == 0, let now, now > 0 { return "from 0" }
        return "-"
    }

    /// `PASS: 8 figures of 2 cases hold` or `FAIL: 2 regressions, 1 unverified case`.
    public var headline: String {
        if passed {
            let compared = rows.filter { $0.verdict != .notCompared }.count
            return "PASS: \(compared) figures of \(caseNames.count) case\(caseNames.count == 1 ? "" : "s") within tolerance"
        }
        var parts: [String] = []
        if !regressions.isEmpty { parts.append("\(regressions.count) regression\(regressions.count == 1 ? "" : "s")") }
        if !unverified.isEmpty { parts.append("\(unverified.count) unverified case\(unverified.count == 1 ? "" : "s")") }
        return "FAIL: " + parts.joined(separator: ", ")
    }

    /// The table for a terminal, then the failures one per line, then the headline.
    public func renderText() -> String {
        var out = "check \(resultsPath) against baseline \(baselinePath) (tolerance \(tolerances.summary))\n\n"
        var table = TextTable(columns: ["case", "metric", "baseline", "now", "change", "limit", "verdict"], rightAligned: [2, 3, 4, 5])
        for row in rows where row.verdict != .notCompared || row.note != nil {
            let limit = (row.metric.higherIsBetter ? "-" : "+") + CheckTolerances.percentText(row.tolerance)
            table.add([
                row.caseName, row.metric.label, Format.compact(row.baseline), Format.compact(row.now),
                Self.changeText(row.change, baseline: row.baseline, now: row.now), limit, Self.verdictText(row),
            ])
        }
        out += table.render()
        for warning in warnings { out += "note: \(warning)\n" }
        if !regressions.isEmpty {
            out += "\nregressions:\n" + regressions.map { "  \($0.sentence)" }.joined(separator: "\n") + "\n"
        }
        if !unverified.isEmpty {
            out += "\nnot verified in the results:\n"
            for u in unverified {
                out += "  \(u.caseName): " + (u.errors.isEmpty ? "not verified" : u.errors.joined(separator: "; ")) + "\n"
            }
        }
        return out + "\n" + headline + "\n"
    }

    static func verdictText(_ row: Row) -> String {
        switch row.verdict {
        case .regressed: return "REGRESSED"
        case .held: return "ok"
        case .improved: return "improved"
        case .notCompared: return "n/a: " + (row.note ?? "")
        }
    }
}
