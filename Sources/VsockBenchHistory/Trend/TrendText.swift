import VsockBenchReport
import VsockBenchSupport

/// The trend and the changes for a terminal: per series a table of runs (value, interval,
/// trials, commit), the changes marked on their runs, then one line per change.
public enum TrendText {
    /// Every scenario's trend, one after the other.
    public static func render(_ reports: [TrendReport]) -> String {
        reports.map { render($0) }.joined(separator: "\n")
    }

    public static func render(_ report: TrendReport) -> String {
        var out = "history \(Terminal.safe(report.database)): scenario \(Terminal.safe(report.scenario))"
        if !report.labels.isEmpty { out += ", runs labelled " + report.labels.map { Terminal.safe($0.text) }.joined(separator: ", ") }
        out += "\n"
        for note in report.notes { out += "note: \(Terminal.safe(note))\n" }
        for series in report.series {
            out += "\n" + table(series)
            out += changeLines(series, indent: "")
        }
        out += "\n" + method(report.options) + "\n"
        return out
    }

    /// One series: a header line, then a row per run.
    static func table(_ series: FigureSeries) -> String {
        let out = "\(Terminal.safe(series.caseName)): \(series.label) (each run's median over its trials, with its interval and the interval's coverage; a run of one trial: its single sample)\n"
        var table = TextTable(columns: ["run", "started", "commit", "trials", series.label, "interval (coverage)", "note"], rightAligned: [0, 3, 4])
        let starts = Dictionary(series.changes.map { ($0.run, $0) }, uniquingKeysWith: { first, _ in first })
        let unsearched = series.unsearchedRuns
        for point in series.points {
            // Every note that holds, the change first: the open-loop warning was overwritten by
            // the others, on the run of a change most of all (review).
            var notes: [String] = []
            if let change = starts[point.run] { notes.append("<- \(shortChange(change))") }
            if !point.verified { notes.append(point.cutShort ? "cut short (interrupted): left out of the changes" : "not verified: left out of the changes") }
            if point.verified, unsearched.contains(point.run) { notes.append("before the \(series.searchedRuns) runs searched for changes") }
            if point.verified, point.fellBehind { notes.append("did NOT keep up its open-loop rate: latency understates the wait") }
            let note = notes.joined(separator: "; ")
            table.add([
                String(point.run), Terminal.safe(point.startedAt), Terminal.safe(point.gitCommit.map { String($0.prefix(12)) } ?? "-"),
                String(point.trials), valueText(point, figure: series.figure), intervalText(point, figure: series.figure), note,
            ])
        }
        return out + table.render()
    }

    /// `changed at run 12: ...` lines, or `no change` when there is none.
    static func changeLines(_ series: FigureSeries, indent: String) -> String {
        let clean = series.searchedRuns
        guard !series.changes.isEmpty else {
            return series.searchable
                ? "\(indent)no change over \(series.searchedText)\(clean < series.verifiedRuns ? " (the search takes at most \(clean))" : "")\n"
                : "\(indent)too few runs for a change to reach p <= \(Format.compact(series.options.significance)) (\(clean); \(needed(series)))\n"
        }
        return series.changes.map { "\(indent)\(sentence($0, label: series.label))\n" }.joined()
    }

    /// `at least 8`, or why no number of runs is enough.
    static func needed(_ series: FigureSeries) -> String {
        series.runsNeeded.map { "at least \($0)" } ?? "no series can: raise --significance or --permutations"
    }

    /// `moved at run 12 (2026-01-12T03:00:00Z, commit 1a2b3c4d5e6f): 21500 -> 17200 msgs/s
    /// (-20.0%, worse; p = 0.005); the last run before it: 11 (commit 0f9e8d7c6b5a)`.
    public static func sentence(_ change: SeriesChange, label: String) -> String {
        let commit = change.gitCommit.map { ", commit \(String($0.prefix(12)))" } ?? ""
        let previousCommit = change.previousGitCommit.map { " (commit \(String($0.prefix(12))))" } ?? ""
        let p = change.pValue.map { "; p = \(Format.compact($0))" } ?? ""
        return "moved at run \(change.run) (\(Terminal.safe(change.startedAt))\(Terminal.safe(commit))): "
            + "\(Format.compact(change.before)) -> \(Format.compact(change.after)) \(label) "
            + "(\(percent(change.change)), \(change.better ? "better" : "worse")\(p)); the last run before it: \(change.previousRun)\(Terminal.safe(previousCommit))"
    }

    static func shortChange(_ change: SeriesChange) -> String {
        "moved \(percent(change.change)) (\(change.better ? "better" : "worse"))"
    }

    static func percent(_ change: Double?) -> String {
        guard let change else { return "from 0" }
        return (change >= 0 ? "+" : "") + Format.fixed(change * 100, 1) + "%"
    }

    /// `5%`, `2.5%`: a fraction as a percentage without needless decimals.
    static func percentOf(_ fraction: Double) -> String {
        let percent = fraction * 100
        return (percent == percent.rounded() ? Format.fixed(percent, 0) : Format.compact(percent)) + "%"
    }

    /// `28182 - 39603 (75%)`: the run's interval and its coverage; `single sample` for a single trial.
    static func intervalText(_ point: SeriesPoint, figure: Figure? = nil) -> String {
        guard let interval = point.interval, interval.count == 2 else { return point.trials == 1 ? "single sample" : "-" }
        let coverage = point.coverage.map { " (\(Format.fixed($0 * 100, 0))%)" } ?? ""
        return number(interval[0], figure) + " - " + number(interval[1], figure) + coverage
    }

    /// A run's value as `run` prints the figure: a share as a percentage (`0.7%`, not
    /// `0.007`), and `-` for a run that measured nothing (a failed run's zero is no figure).
    static func valueText(_ point: SeriesPoint, figure: Figure) -> String {
        !point.verified && point.value == 0 ? "-" : number(point.value, figure)
    }

    static func number(_ value: Double, _ figure: Figure?) -> String {
        figure == .targetProcessingShare ? Format.fixed(value * 100, 1) + "%" : Format.compact(value)
    }

    static func method(_ options: ChangeOptions) -> String {
        "changes: e-divisive means over the per-run medians of verified runs, each kept when a permutation test gives "
            + "p <= \(Format.compact(options.significance)) (\(options.permutations) shuffles, seed \(options.seed), at least \(options.minimumSegment) runs per level) "
            + "and a move of at least \(percentOf(options.minimumChange)) (counts \(percentOf(min(options.minimumChange, 0.02))))"
    }
}

/// `history changes` for a terminal: the changes of every series searched, one per line.
public enum ChangesText {
    public static func render(_ report: ChangesReport) -> String {
        var out = ""
        for series in report.withChanges {
            out += "\(Terminal.safe(series.scenario)) \(Terminal.safe(series.caseName)) \(series.label):\n"
            out += TrendText.changeLines(series, indent: "  ")
        }
        let count = report.withChanges.reduce(0) { $0 + $1.changes.count }
        let quiet = report.series.filter { $0.changes.isEmpty }
        for (searched, heading) in [(true, "no change: "), (false, "too few runs for a change to be significant: ")] {
            let names = quiet.filter { $0.searchable == searched }.map { series in
                "\(series.scenario) \(series.caseName) \(series.label) (\(series.searchedText)"
                    + (searched ? ")" : "; \(TrendText.needed(series)))")
            }
            if !names.isEmpty { out += heading + names.map(Terminal.safe).joined(separator: ", ") + "\n" }
        }
        for note in report.notes { out += "note: \(Terminal.safe(note))\n" }
        // The series too short to search are counted apart: "0 changes in 15 series searched"
        // of 15 that none could be read as 15 searched and found flat (review).
        let short = report.tooFewRuns == 0 ? "" : "; \(report.tooFewRuns) had too few runs"
        out += "\(count) change\(count == 1 ? "" : "s") in \(report.searched) series searched\(short)\n"
        out += TrendText.method(report.options) + "\n"
        // Each series is tested on its own at the level: over many, chance alone finds some
        // (22 series at p <= 0.05, review). Said with what to make of a lone change.
        let tested = report.series.filter(\.searchable).count
        if tested > 1 {
            let expected = Double(tested) * report.options.significance
            out += "\(tested) series tested at p <= \(Format.fixed(report.options.significance, 3)) each: with no real change, about \(Format.fixed(expected, 1)) of them could show one by chance (fewer with the minimum move); a change seen in one series alone is weak evidence: look for it in several, or confirm it with check --history\n"
        }
        return out
    }
}
