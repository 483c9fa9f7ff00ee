import VsockBenchReport
import VsockBenchSupport

/// One series as an SVG chart: each run's median (a point) with its interval (a
/// whisker), the line through them, the level of each stretch between changes (dashed), and a
/// marker where a change starts, labelled with its run and size.
enum TrendChart {
    static let width = 760.0
    static let height = 300.0
    static let margin = (left: 70.0, right: 18.0, top: 34.0, bottom: 50.0)

    static func render(_ series: FigureSeries) -> String {
        let points = series.points
        guard !points.isEmpty else { return "" }
        let plotLeft = margin.left, plotRight = width - margin.right
        let plotTop = margin.top, plotBottom = height - margin.bottom
        let step = (plotRight - plotLeft) / Double(points.count)
        func x(_ index: Int) -> Double { plotLeft + (Double(index) + 0.5) * step }

        // Vertical scale: the verified values and their intervals, widened to round ticks. An
        // unverified run's figures (0 for a failed one) are no level: they would stretch the
        // scale to the floor and read as a crash to 0 (review).
        let all = points.filter(\.verified).flatMap { [$0.value] + ($0.interval ?? []) }.filter(\.isFinite)
        var low = all.min() ?? 0, high = all.max() ?? 1
        if high == low { (low, high) = (low - max(abs(low) * 0.05, 1), high + max(abs(high) * 0.05, 1)) }
        let tick = SVGText.niceStep((high - low) / 5)
        var bottom = (low / tick).rounded(.down) * tick
        if bottom < 0, low >= 0 { bottom = 0 }
        let top = max((high / tick).rounded(.up) * tick, bottom + tick)
        func y(_ value: Double) -> Double { plotBottom - (value - bottom) / (top - bottom) * (plotBottom - plotTop) }

        var body: [String] = []
        var value = bottom
        while value <= top + tick * 0.001 {
            body.append(SVGText.line(plotLeft, y(value), plotRight, y(value), "grid"))
            body.append(SVGText.text(plotLeft - 7, y(value) + 4, SVGText.axisLabel(value), "tick", anchor: "end"))
            value += tick
        }
        body.append(SVGText.line(plotLeft, plotBottom, plotRight, plotBottom, "axis"))
        body.append(SVGText.line(plotLeft, plotTop, plotLeft, plotBottom, "axis"))
        let every = max(1, Int((Double(points.count) / 14).rounded(.up)))
        for (index, point) in points.enumerated() where index % every == 0 || index == points.count - 1 {
            body.append(SVGText.line(x(index), plotBottom, x(index), plotBottom + 4, "axis"))
            body.append(SVGText.text(x(index), plotBottom + 17, String(point.run), "tick", anchor: "middle"))
        }
        body.append(SVGText.text(plotRight, height - 10, "run (oldest first)", "axis-title", anchor: "end"))
        body.append(SVGText.text(plotLeft, 18, "\(series.label): each run's median and interval", "axis-title"))

        body += levels(series, x: x, y: y, step: step)
        for (index, point) in points.enumerated() where point.verified {
            guard let interval = point.interval, interval.count == 2 else { continue }
            body.append(SVGText.line(x(index), y(interval[0]), x(index), y(interval[1]), "whisker"))
            body.append(SVGText.line(x(index) - 3, y(interval[0]), x(index) + 3, y(interval[0]), "whisker"))
            body.append(SVGText.line(x(index) - 3, y(interval[1]), x(index) + 3, y(interval[1]), "whisker"))
        }
        // The line joins verified runs only, broken where a run is not verified; such a run is
        // a cross above the plot, off the value axis, not a point at its value.
        for stretch in verifiedStretches(points) where stretch.count > 1 {
            body.append(SVGText.polyline(stretch.map { (x($0), y(points[$0].value)) }, "series"))
        }
        for (index, point) in points.enumerated() {
            let tip = tooltip(point, series.label, figure: series.figure)
            if point.verified {
                body.append(SVGText.circle(x(index), y(point.value), 4, "point", tooltip: tip))
            } else {
                let (cx, cy, r) = (x(index), plotTop - 8, 4.0)
                body.append(SVGText.element("g", [("class", "unverified")], SVGText.title(tip)
                    + SVGText.line(cx - r, cy - r, cx + r, cy + r, "point bad") + SVGText.line(cx - r, cy + r, cx + r, cy - r, "point bad")))
            }
        }
        if points.contains(where: { !$0.verified }) {
            body.append(SVGText.text(plotRight, 18, "× not verified or cut short (no value drawn)", "axis-title bad", anchor: "end"))
        }
        let title = "\(series.caseName): \(series.label) over \(points.count) run\(points.count == 1 ? "" : "s")"
        return SVGText.element("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", "chart"), ("role", "img"),
            ("viewBox", "0 0 \(SVGText.n(width)) \(SVGText.n(height))"), ("width", SVGText.n(width)), ("height", SVGText.n(height)),
        ], SVGText.title(title) + body.joined())
    }

    /// The indices of each run of consecutive verified points, in order.
    static func verifiedStretches(_ points: [SeriesPoint]) -> [[Int]] {
        var stretches: [[Int]] = [], current: [Int] = []
        for (index, point) in points.enumerated() {
            if point.verified { current.append(index) } else if !current.isEmpty { stretches.append(current); current = [] }
        }
        if !current.isEmpty { stretches.append(current) }
        return stretches
    }

    /// The level of each stretch between changes (its median, dashed) and a marker at each change.
    private static func levels(_ series: FigureSeries, x: (Int) -> Double, y: (Double) -> Double, step: Double) -> [String] {
        let points = series.points
        let starts = series.changes.compactMap { change in points.firstIndex { $0.run == change.run }.map { (index: $0, change: change) } }
        guard !starts.isEmpty else { return [] }
        var nodes: [String] = []
        let edges = [0] + starts.map(\.index) + [points.count]
        let medians = [starts[0].change.before] + starts.map(\.change.after)
        for (segment, median) in medians.enumerated() where edges[segment] < edges[segment + 1] {
            nodes.append(SVGText.line(x(edges[segment]) - step / 2, y(median), x(edges[segment + 1] - 1) + step / 2, y(median), "level"))
        }
        for start in starts {
            let boundary = x(start.index) - step / 2
            nodes.append(SVGText.line(boundary, margin.top, boundary, height - margin.bottom, start.change.better ? "change better" : "change worse"))
            let label = "run \(start.change.run): \(TrendText.percent(start.change.change))"
            let leftSide = boundary > width * 0.7
            nodes.append(SVGText.text(leftSide ? boundary - 5 : boundary + 5, margin.top + 12, label, start.change.better ? "change-label better" : "change-label worse",
                                      anchor: leftSide ? "end" : "start"))
        }
        return nodes
    }

    private static func tooltip(_ point: SeriesPoint, _ label: String, figure: Figure) -> String {
        var text = "run \(point.run), \(point.startedAt)"
        if let commit = point.gitCommit { text += ", commit \(commit.prefix(12))" }
        text += ": \(TrendText.valueText(point, figure: figure)) \(label)"
        if let interval = point.interval, interval.count == 2 {
            text += " [\(TrendText.number(interval[0], figure)), \(TrendText.number(interval[1], figure))]"
            if let coverage = point.coverage { text += " (\(Format.fixed(coverage * 100, 0))% coverage)" }
        }
        text += point.trials == 1 ? ", 1 trial: a single sample" : ", \(point.trials) trials"
        if !point.verified { text += point.cutShort ? ", cut short (interrupted)" : ", not verified" }
        if point.fellBehind { text += ", did not keep up its open-loop rate (latency understates the wait)" }
        return text
    }
}
