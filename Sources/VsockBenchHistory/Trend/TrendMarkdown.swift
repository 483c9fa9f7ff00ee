import VsockBenchReport
import VsockBenchSupport

/// The trend as GitHub-flavoured markdown, for a CI job summary: per series a sparkline of
/// every run, the changes, and a table of the most recent runs. (A job summary shows no SVG;
/// the chart itself is the HTML, kept as an artifact.)
public enum TrendMarkdown {
    /// Rows of the table per series: the most recent runs.
    public static let tableRows = 10

    /// Every scenario's trend, one after the other, and how changes were found.
    public static func render(_ reports: [TrendReport]) -> String {
        var out = reports.map { scenario($0) }.joined()
        out += "_" + Markup.markdownCell(TrendText.method(reports.first?.options ?? .standard)) + "_\n"
        return out
    }

    public static func render(_ report: TrendReport) -> String { render([report]) }

    static func scenario(_ report: TrendReport) -> String {
        var out = "## History: \(Markup.markdownCell(report.scenario))\n\n"
        for note in report.notes { out += "> **Note:** \(Markup.markdownCell(note))\n\n" }
        // Every series' runs, in the tables' order (by start time, then number): run numbers
        // follow the order the files were added, so they are no range.
        var runs: [Int64: SeriesPoint] = [:]
        for point in report.series.flatMap(\.points) { runs[point.run] = point }
        let ordered = runs.values.sorted { ($0.startedAt, $0.run) < ($1.startedAt, $1.run) }
        if let first = ordered.first, let last = ordered.last {
            out += "\(ordered.count) run\(ordered.count == 1 ? "" : "s"), oldest first: from run \(first.run) (\(Markup.markdownCell(first.startedAt))) "
                + "to run \(last.run) (\(Markup.markdownCell(last.startedAt)))"
            if !report.labels.isEmpty { out += ", labelled " + report.labels.map { "`\(Markup.markdownCell($0.text))`" }.joined(separator: ", ") }
            out += ". Each value is a run's median over its trials, with its interval (order statistics: 95% from 6 trials, [min, max] below, its coverage in brackets); a run of one trial is a single sample.\n\n"
        }
        for series in report.series { out += section(series) }
        return out
    }

    static func section(_ series: FigureSeries) -> String {
        var out = "### \(Markup.markdownCell(series.caseName)): \(Markup.markdownCell(series.label))\n\n"
        if let line = summaryLine(series) { out += line + "\n\n" }
        if series.changes.isEmpty {
            let line = TrendText.changeLines(series, indent: "").split(separator: "\n").first.map(String.init) ?? "no change"
            out += Markup.markdownCell(line).capitalizedFirst + ".\n\n"
        } else {
            for change in series.changes {
                out += "- **\(change.better ? "Better" : "Worse")**: " + Markup.markdownCell(TrendText.sentence(change, label: series.label)) + "\n"
            }
            out += "\n"
        }
        out += "| run | started | commit | trials | \(Markup.markdownCell(series.label)) | interval (coverage) |\n|---:|---|---|---:|---:|---|\n"
        let changed = Set(series.changes.map(\.run))
        for point in series.points.suffix(tableRows) {
            var mark = changed.contains(point.run) ? " ⇐ moved" : (point.verified ? "" : point.cutShort ? " (cut short)" : " (not verified)")
            if point.verified, point.fellBehind { mark += " (did not keep up: latency understated)" }
            out += "| \(point.run) | \(Markup.markdownCell(point.startedAt)) | \(Markup.markdownCell(point.gitCommit.map { String($0.prefix(12)) } ?? "-")) "
                + "| \(point.trials) | \(TrendText.valueText(point, figure: series.figure))\(mark) | \(TrendText.intervalText(point, figure: series.figure)) |\n"
        }
        return out + "\n"
    }

    /// The mark of an unverified run in the sparkline: its value is none to draw (a failed
    /// run's figures are 0, which read as a crash to 0 in a job summary: review).
    public static let unverifiedMark: Character = "×"

    /// The sparkline, the latest run and the range. Only verified runs are scaled, ranged and
    /// drawn as blocks; an unverified one is ``unverifiedMark``, and a latest run that is not
    /// verified is said to be so, with the latest verified value beside it.
    static func summaryLine(_ series: FigureSeries) -> String? {
        guard let last = series.points.last else { return nil }
        let verified = series.points.filter(\.verified)
        let values = verified.map(\.value)
        let blocks = sparkline(values)
        var index = blocks.startIndex
        let line = String(series.points.map { point -> Character in
            guard point.verified else { return unverifiedMark }
            defer { index = blocks.index(after: index) }
            return blocks[index]
        })
        var out = "`\(line)` "
        if last.verified {
            out += "latest \(Format.compact(last.value)) (run \(last.run))"
        } else {
            out += "latest: run \(last.run) \(last.cutShort ? "cut short" : "not verified")"
            if let good = verified.last { out += " (the latest verified: \(Format.compact(good.value)), run \(good.run))" }
        }
        let all = series.points.count
        if let low = values.min(), let high = values.max() {
            let over = verified.count == all ? "\(all) run\(all == 1 ? "" : "s")" : "the \(verified.count) verified of \(all) runs"
            out += "; range \(Format.compact(low)) to \(Format.compact(high)) over \(over)"
        } else {
            out += "; no verified run of \(all)"
        }
        if verified.count < all { out += "; \(unverifiedMark) not verified or cut short (its value left out)" }
        return out
    }

    /// One block character per value, scaled from the lowest to the highest.
    public static func sparkline(_ values: [Double]) -> String {
        let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = high - low
        return String(values.map { value -> Character in
            guard span > 0, span.isFinite, value.isFinite else { return blocks[3] }
            let index = Int(((value - low) / span * Double(blocks.count - 1)).rounded())
            return blocks[min(max(index, 0), blocks.count - 1)]
        })
    }
}

extension String {
    /// The first letter in capitals: a sentence from a phrase.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
