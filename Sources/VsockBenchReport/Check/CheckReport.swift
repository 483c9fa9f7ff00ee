import VsockBenchSupport

/// The outcome of checking results against a baseline: one row per case and gated figure,
/// the cases that did not run clean, and notes about comparability.
public struct CheckReport: Sendable, Equatable {
    /// How one figure of one case fared.
    public enum Verdict: String, Sendable, Equatable {
        /// Worse by more than the tolerance, beyond the baseline runs' spread, and the test says
        /// it is not noise (or a count beyond its bound).
        case regressed
        /// Worse by more than the tolerance with too few trials for the test to confirm it
        /// (a single run against a single run): gated by the tolerance alone.
        case unconfirmed
        /// Worse by more than the tolerance but within the spread the baseline's own runs show.
        case withinNoise = "within_noise"
        /// Worse by more than the tolerance but the test finds no significant difference.
        case notSignificant = "not_significant"
        /// Within the tolerance either way.
        case held
        /// Better by more than the tolerance.
        case improved
        /// A count that depends on timing, worse while the case's throughput improved by more
        /// than the tolerance: messages came sooner, so fewer share a read or a batched write.
        case explained
        /// Not measured on both sides (p99 of a stream case, exits without the probe).
        case notCompared = "not_compared"

        /// The verdicts that fail the check.
        public var fails: Bool { self == .regressed || self == .unconfirmed }
    }

    /// One case x figure comparison.
    public struct Row: Sendable, Equatable {
        public var caseName: String
        public var figure: Figure
        /// Counts are bounded tightly; timings need the minimum effect and to be beyond the noise.
        public var isCount: Bool
        public var baseline: Double?
        public var now: Double?
        /// (now - baseline) / baseline; nil when not compared or the baseline is zero.
        public var change: Double?
        /// The bound that applied: a fraction for timings, the allowance per message for counts.
        public var tolerance: Double
        public var verdict: Verdict
        /// The Mann-Whitney p-value, when the test ran.
        public var pValue: Double?
        /// Samples on each side (trials pooled over the files).
        public var samplesNow = 0
        public var samplesBaseline = 0
        /// The values are ratios to the reference case.
        public var normalized = false
        /// Why it was not compared, why it is within noise, why a count is judged as a timing.
        public var note: String?
        /// A count per message that depends on timing in this case, gated as a timing.
        public var dependsOnTiming = false

        /// `chatty-8k: msgs/s 21000 -> 15000 (-28.6%, limit -5%, p 0.008)`.
        public var sentence: String {
            let limit: String
            if isCount {
                limit = "limit ±\(Format.compact(tolerance))/msg"
            } else {
                limit = "limit \(figure.higherIsBetter ? "-" : "+")\(CheckTolerances.percentText(tolerance))"
            }
            var detail = [CheckReport.changeText(change, baseline: baseline, now: now), limit]
            if let pValue { detail.append("p \(Format.compact(pValue))") }
            if verdict == .unconfirmed { detail.append("unconfirmed (\(min(samplesNow, samplesBaseline)) trial\(min(samplesNow, samplesBaseline) == 1 ? "" : "s"))") }
            let unit = normalized ? " (ratio to the reference)" : ""
            return "\(Terminal.safe(caseName)): \(figure.label)\(unit) \(Format.compact(baseline)) -> \(Format.compact(now)) (\(detail.joined(separator: ", ")))"
        }
    }

    /// A case of the results that did not run clean: it fails the check whatever its figures.
    public struct Unverified: Sendable, Equatable {
        public var caseName: String
        public var errors: [String]
    }

    public var resultsPaths: [String]
    public var baselinePaths: [String]
    public var tolerances: CheckTolerances
    /// The reference case timings were taken as ratios to, if any.
    public var reference: String?
    /// Case order of the results; gated figures in order within a case.
    public var rows: [Row]
    public var unverified: [Unverified]
    /// Comparability notes (other kernels, knobs, transports; an unverified baseline case).
    public var warnings: [String]
    /// Cases whose baseline has the probe's counts and whose results have none: those counts
    /// went ungated. A CI job that lost the probe's privileges had passed with them "n/a"
    /// (`run --probe` goes on without the probe, review); it fails instead.
    public var unprobed: [String] = []

    public var regressions: [Row] { rows.filter { $0.verdict.fails } }
    /// True when nothing regressed, every case of the results was verified, and the results
    /// have every probe count the baseline has.
    public var passed: Bool { regressions.isEmpty && unverified.isEmpty && unprobed.isEmpty }

    /// The line that says why the unprobed cases fail.
    public var unprobedText: String? {
        unprobed.isEmpty ? nil
            : "\(unprobed.map(Terminal.safe).joined(separator: ", ")): the baseline has the probe's counts, the results none (run without --probe, or the probe could not start: privileges, see doctor), so they were not gated; run with --probe as the baseline was"
    }
    /// The case names, in order.
    public var caseNames: [String] {
        var names: [String] = []
        for row in rows where names.last != row.caseName { names.append(row.caseName) }
        return names
    }

    public var resultsPath: String { resultsPaths.joined(separator: " ") }
    public var baselinePath: String { baselinePaths.joined(separator: " ") }

    /// `-13.1%`, `+0.0%`, `from 0` when the baseline was zero.
    public static func changeText(_ change: Double?, baseline: Double?, now: Double?) -> String {
        if let change { return (change >= 0 ? "+" : "") + Format.fixed(change * 100, 1) + "%" }
        if baseline == 0, let now, now > 0 { return "from 0" }
        return "-"
    }

    /// `PASS: 12 figures held, 2 improved, 3 within noise` or `FAIL: 2 regressions (1 unconfirmed), 1 unverified case`.
    public var headline: String {
        func count(_ verdict: Verdict) -> Int { rows.filter { $0.verdict == verdict }.count }
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if passed {
            var parts = ["\(plural(count(.held), "figure")) held"]
            if count(.improved) > 0 { parts.append("\(count(.improved)) improved") }
            if count(.withinNoise) > 0 { parts.append("\(count(.withinNoise)) within noise") }
            if count(.notSignificant) > 0 { parts.append("\(count(.notSignificant)) not significant") }
            if count(.explained) > 0 { parts.append("\(count(.explained)) explained by throughput") }
            return "PASS: " + parts.joined(separator: ", ") + " (\(plural(caseNames.count, "case")))"
        }
        var parts: [String] = []
        if !regressions.isEmpty {
            let unconfirmed = count(.unconfirmed)
            parts.append(plural(regressions.count, "regression") + (unconfirmed > 0 ? " (\(unconfirmed) unconfirmed)" : ""))
        }
        if !unverified.isEmpty { parts.append(plural(unverified.count, "unverified case")) }
        if !unprobed.isEmpty { parts.append(plural(unprobed.count, "case") + " without the baseline's probe counts") }
        if count(.improved) > 0 { parts.append("\(count(.improved)) improved") }
        return "FAIL: " + parts.joined(separator: ", ")
    }

    /// The table for a terminal, then the failures one per line, then the headline.
    public func renderText() -> String {
        var out = "check \(resultsPath) against baseline \(baselinePath) (tolerance \(tolerances.summary))\n"
        if let reference { out += "timings as ratios to \(Terminal.safe(reference)), measured in the same rounds\n" }
        out += "\n"
        var table = TextTable(columns: ["case", "figure", "baseline", "now", "change", "limit", "n", "p", "verdict"], rightAligned: [2, 3, 4, 5, 6, 7])
        for row in rows where row.verdict != .notCompared || row.note != nil {
            table.add([
                Terminal.safe(row.caseName), row.figure.label, Format.compact(row.baseline), Format.compact(row.now),
                Self.changeText(row.change, baseline: row.baseline, now: row.now), Self.limitText(row),
                "\(row.samplesNow)/\(row.samplesBaseline)", row.pValue.map { Format.compact($0) } ?? "-", Self.verdictText(row),
            ])
        }
        out += table.render()
        for row in rows where row.note != nil && row.verdict != .notCompared {
            out += "note: \(Terminal.safe(row.caseName)) \(row.figure.label): \(row.note ?? "")\n"
        }
        for warning in warnings { out += "note: \(Terminal.safe(warning))\n" }
        if !regressions.isEmpty {
            out += "\nregressions:\n" + regressions.map { "  \($0.sentence)" }.joined(separator: "\n") + "\n"
        }
        if let unprobedText { out += "\nnot probed in the results:\n  \(unprobedText)\n" }
        if !unverified.isEmpty {
            out += "\nnot verified in the results:\n"
            for u in unverified {
                out += "  \(Terminal.safe(u.caseName)): " + (u.errors.isEmpty ? "not verified" : u.errors.map(Terminal.safe).joined(separator: "; ")) + "\n"
            }
        }
        return out + "\n" + headline + "\n"
    }

    /// The limit the row was judged by: the tolerance from the baseline's median, or, for a row
    /// within the noise, from its worst run (the column read `-5%` beside a change of -22.0%
    /// "within noise", the limit actually applied only in a note: review).
    static func limitText(_ row: Row) -> String {
        if row.isCount { return "±" + Format.compact(row.tolerance) }
        let limit = (row.figure.higherIsBetter ? "-" : "+") + CheckTolerances.percentText(row.tolerance)
        return row.verdict == .withinNoise ? limit + " of worst run" : limit
    }

    static func verdictText(_ row: Row) -> String {
        switch row.verdict {
        case .regressed: return "REGRESSED"
        case .unconfirmed: return "REGRESSED (unconfirmed)"
        case .withinNoise: return "within noise"
        case .explained: return "explained by throughput"
        case .notSignificant: return "not significant"
        case .held: return "ok"
        case .improved: return "improved"
        case .notCompared: return "n/a: " + (row.note ?? "")
        }
    }
}
