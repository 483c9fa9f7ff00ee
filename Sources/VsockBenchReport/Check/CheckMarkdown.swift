import VsockBenchSupport

/// A check as a GitHub-flavoured markdown summary (for `$GITHUB_STEP_SUMMARY` or a PR comment):
/// the headline, a table of every compared figure, then the failures and notes.
public enum CheckMarkdown {
    public static func render(_ report: CheckReport) -> String {
        var out = "### vsockbench check: \(report.passed ? "✅" : "❌") \(Markup.markdownCell(report.headline))\n\n"
        out += "Results `\(code(report.resultsPath))` against baseline `\(code(report.baselinePath))`, tolerance \(Markup.markdownCell(report.tolerances.summary)).\n\n"
        out += "| case | figure | baseline | now | change | limit | n | p | verdict |\n"
        out += "|:-----|:-------|-------:|----:|-------:|------:|--:|--:|:--------|\n"
        for row in report.rows where row.verdict != .notCompared || row.note != nil {
            let cells = [
                row.caseName, row.figure.label, Format.compact(row.baseline), Format.compact(row.now),
                CheckReport.changeText(row.change, baseline: row.baseline, now: row.now), CheckReport.limitText(row),
                "\(row.samplesNow)/\(row.samplesBaseline)", row.pValue.map { Format.compact($0) } ?? "-",
            ].map(Markup.markdownCell)
            out += "| " + cells.joined(separator: " | ") + " | " + verdict(row) + " |\n"
        }
        if !report.regressions.isEmpty {
            out += "\n**Regressions**\n\n" + report.regressions.map { "- " + Markup.markdownCell($0.sentence) + "\n" }.joined()
        }
        if let text = report.unprobedText {
            out += "\n**Not probed in the results**\n\n- " + Markup.markdownCell(text) + "\n"
        }
        if !report.unverified.isEmpty {
            out += "\n**Not verified in the results**\n\n"
            for u in report.unverified {
                out += "- " + Markup.markdownCell(u.caseName + ": " + (u.errors.isEmpty ? "not verified" : u.errors.joined(separator: "; "))) + "\n"
            }
        }
        if !report.warnings.isEmpty {
            out += "\n**Notes**\n\n" + report.warnings.map { "- " + Markup.markdownCell($0) + "\n" }.joined()
        }
        return out
    }

    private static func verdict(_ row: CheckReport.Row) -> String {
        switch row.verdict {
        case .regressed: return "❌ **regressed**"
        case .unconfirmed: return "❌ **regressed** (unconfirmed: too few trials for the test)"
        case .withinNoise: return "✅ within noise"
        case .notSignificant: return "✅ not significant"
        case .explained: return "✅ explained by throughput"
        case .held: return "✅ ok"
        case .improved: return "✅ improved"
        case .notCompared: return "➖ " + Markup.markdownCell(row.note ?? "n/a")
        }
    }

    /// Text inside a backtick span: backticks cannot be escaped there, so they become quotes.
    private static func code(_ text: String) -> String {
        String(text.map { $0 == "`" ? "'" : $0 })
    }
}
