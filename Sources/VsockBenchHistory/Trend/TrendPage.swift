import VsockBenchReport
import VsockBenchSupport

/// `history trend --html`: one self-contained page (inline CSS and SVG, no script, no network)
/// with a chart per series, its changes in words, and how they were found.
public enum TrendPage {
    public static func render(_ report: TrendReport) -> String { render([report]) }

    /// Every scenario's series on one page (`history trend` without a scenario).
    public static func render(_ reports: [TrendReport]) -> String {
        var sections = ""
        let several = reports.count > 1
        for report in reports {
            for series in report.series { sections += section(series, scenario: several ? report.scenario : nil) }
        }
        var subtitle = reports.first?.database ?? ""
        let points = reports.flatMap { $0.series.flatMap(\.points) }
        if let first = points.min(by: { $0.startedAt < $1.startedAt }), let last = points.max(by: { $0.startedAt < $1.startedAt }) {
            // "1 runs" on a one-run history: the count and its noun agree.
            let runs = Set(points.map(\.run)).count
            subtitle += ": \(runs) run\(runs == 1 ? "" : "s"), \(first.startedAt) to \(last.startedAt)"
        }
        if let labels = reports.first?.labels, !labels.isEmpty { subtitle += "; labelled " + labels.map(\.text).joined(separator: ", ") }
        let title = "vsockbench history" + (several ? "" : reports.first.map { ": \($0.scenario)" } ?? "")
        // What the text and the markdown say of these runs (set up otherwise, several
        // transports) is said here too: a change in the chart may be the setup's.
        let notes = reports.flatMap { report in report.notes.map { (several ? "\(report.scenario): " : "") + $0 } }
        let noted = notes.map { SVGText.element("p", [("class", "note")], Markup.escape("Note: " + $0)) }.joined()
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + SVGText.element("title", [], Markup.escape(title)) + "<style>\(css)</style></head><body><main>"
            + SVGText.element("header", [], SVGText.element("h1", [], Markup.escape(title)) + SVGText.element("p", [], Markup.escape(subtitle))
                + SVGText.element("p", [], Markup.escape("Mbps: application payload per second, in megabits, per direction (each way, or the one direction a stream moves).")))
            + noted
            + sections
            + SVGText.element("footer", [], Markup.escape(TrendText.method(reports.first?.options ?? .standard) + ". Made by \(HostFacts.toolVersion)."))
            + "</main></body></html>\n"
    }

    static func section(_ series: FigureSeries, scenario: String?) -> String {
        let changes: String
        if series.changes.isEmpty {
            changes = SVGText.element("p", [("class", "quiet")], Markup.escape(TrendText.changeLines(series, indent: "")))
        } else {
            let items = series.changes.map { change in
                SVGText.element("li", [("class", change.better ? "better" : "worse")], Markup.escape(TrendText.sentence(change, label: series.label)))
            }
            changes = SVGText.element("ul", [], items.joined())
        }
        let coverages = Set(series.points.compactMap { $0.coverage.map { Format.fixed($0 * 100, 0) + "%" } }).sorted()
        // Where no run has an interval, no whisker is drawn: the caption says the points are
        // single samples rather than describe a whisker that is not there (review).
        let base = coverages.isEmpty
            ? "Each point is a run's single sample (one trial, so no interval: --repeat 5 gives medians with their intervals); "
                + "dashed lines are the level between changes, hover a point for its run."
            : "Each point is a run's median over its trials, the whisker its interval (order statistics: "
                + "95% from 6 trials, [min, max] below; here \(coverages.joined(separator: ", ")) coverage; a run of one trial is a single sample, with no whisker); "
                + "dashed lines are the level between changes, hover a point for its run."
        let caption = series.points.allSatisfy(\.verified) ? base
            : base + " A run not verified or cut short is a cross above the plot: its value is left out of the line and the scale."
        let heading = (scenario.map { "\($0) · " } ?? "") + "\(series.caseName): \(series.label)"
        return SVGText.element("section", [], SVGText.element("h2", [], Markup.escape(heading))
            + SVGText.element("p", [("class", "caption")], Markup.escape(caption)) + TrendChart.render(series) + changes)
    }

    static let css = """
    body { margin: 0; background: #f4f5f7; color: #1d2330; font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; }
    main { max-width: 820px; margin: 0 auto; padding: 24px 28px 40px; }
    h1 { font-size: 24px; margin: 0 0 4px; } header p { margin: 0; color: #4a5263; }
    p.note { background: #fff6e0; border: 1px solid #e8d49a; border-radius: 6px; padding: 8px 12px; margin: 12px 0 0; }
    section { background: #fff; border: 1px solid #dde1e8; border-radius: 8px; padding: 14px 18px; margin-top: 16px; }
    h2 { font-size: 17px; margin: 0 0 2px; } p.caption { margin: 0 0 6px; color: #4a5263; font-size: 13px; }
    svg.chart { display: block; max-width: 100%; height: auto; }
    svg text { font-family: system-ui, "DejaVu Sans", sans-serif; fill: #1d2330; }
    .tick { font-size: 11px; fill: #4a5263; } .axis-title { font-size: 12px; fill: #4a5263; }
    .axis { stroke: #6b7385; stroke-width: 1; } .grid { stroke: #e6e9ef; stroke-width: 1; }
    .series { fill: none; stroke: #9dbbe3; stroke-width: 1.5; } .whisker { stroke: #3b6fb6; stroke-width: 1.2; }
    .point { fill: #3b6fb6; stroke: #fff; stroke-width: 1.2; } .point.bad { fill: #fff; stroke: #c0392b; stroke-width: 2; } text.bad { fill: #a12a1d; }
    .level { stroke: #e8a33d; stroke-width: 2; stroke-dasharray: 6 4; }
    .change { stroke-width: 1.5; stroke-dasharray: 3 3; } .change.worse { stroke: #c0392b; } .change.better { stroke: #2a8a6e; }
    .change-label { font-size: 12px; font-weight: 600; } text.worse, li.worse { fill: #a12a1d; color: #a12a1d; }
    text.better, li.better { fill: #1f6f58; color: #1f6f58; }
    ul { margin: 8px 0 0 18px; padding: 0; } .quiet { color: #6b7385; margin: 8px 0 0; }
    footer { margin-top: 16px; color: #6b7385; font-size: 12px; }
    """
}
