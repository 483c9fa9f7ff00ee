import VsockBenchSupport

/// Latency percentiles per request/response case on a log axis: bands p50-p90, p90-p99,
/// p99-p99.9 and a whisker to max, so the typical case and the tail read at a glance.
enum LatencyChart {
    static let width = 1000.0
    static let labelWidth = 200.0
    static let valueWidth = 250.0
    static let rowHeight = 34.0
    static let top = 40.0

    static func render(_ cases: [CaseResult]) -> HTMLNode? {
        let rows = cases.compactMap { c in c.latencyMicros.map { (c, $0) } }
        guard !rows.isEmpty else { return nil }
        let low = rows.map { $0.1.p50 }.filter { $0 > 0 }.min() ?? 1
        let high = rows.map { $0.1.max }.max() ?? 10
        let plotRight = width - valueWidth
        let scale = ChartScale.log(from: low, to: high, range: (labelWidth, plotRight))
        let axisY = top + Double(rows.count) * rowHeight + 2
        var nodes: [HTMLNode] = SVG.xAxis(scale, y: axisY, ticks: scale.ticks(), label: ChartScale.label, gridTop: top - 6)
        // Open loop, a latency starts at the request's intended send time, not when it was ready.
        let from = rows.contains { $0.0.openLoop != nil } ? "ready-to-send (open loop: intended send time)" : "ready-to-send"
        nodes.append(SVG.text(plotRight, axisY + 30, "microseconds per message, \(from) to verified response (log scale)", anchor: "end", cssClass: "axis-title"))
        nodes += legend()
        for (index, (c, l)) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            let mid = y + rowHeight / 2
            nodes.append(SVG.text(labelWidth - 10, mid + 4, SVG.shortened(c.name), anchor: "end", cssClass: c.ranUnverified ? "label bad" : "label", tooltip: c.name))
            let x50 = scale.position(l.p50), x90 = scale.position(l.p90), x99 = scale.position(l.p99)
            let x999 = scale.position(l.p999), xMax = scale.position(l.max)
            nodes.append(SVG.line(x999, mid, xMax, mid, cssClass: "whisker"))
            nodes.append(SVG.line(xMax, mid - 6, xMax, mid + 6, cssClass: "whisker"))
            nodes.append(SVG.rect(x99, mid - 6, x999 - x99, 12, cssClass: "band p999", tooltip: "\(c.name): p99 \(Format.compact(l.p99)) to p99.9 \(Format.compact(l.p999)) us"))
            nodes.append(SVG.rect(x90, mid - 8, x99 - x90, 16, cssClass: "band p99", tooltip: "\(c.name): p90 \(Format.compact(l.p90)) to p99 \(Format.compact(l.p99)) us"))
            nodes.append(SVG.rect(x50, mid - 10, max(x90 - x50, 2), 20, cssClass: "band p90", tooltip: "\(c.name): p50 \(Format.compact(l.p50)) to p90 \(Format.compact(l.p90)) us"))
            nodes.append(SVG.line(x50, mid - 12, x50, mid + 12, cssClass: "median"))
            let summary = "p50 \(Format.compact(l.p50))  p99 \(Format.compact(l.p99))  max \(Format.compact(l.max)) us"
            nodes.append(SVG.text(plotRight + 12, mid + 4, summary, cssClass: "value small"))
        }
        return SVG.canvas(width: width, height: axisY + 40, title: "Latency percentiles per case", nodes)
    }

    private static func legend() -> [HTMLNode] {
        var nodes: [HTMLNode] = []
        var x = labelWidth
        for (name, cssClass) in [("p50-p90", "band p90"), ("p90-p99", "band p99"), ("p99-p99.9", "band p999")] {
            nodes.append(SVG.rect(x, 8, 18, 12, cssClass: cssClass))
            nodes.append(SVG.text(x + 24, 18, name, cssClass: "tick"))
            x += 120
        }
        nodes.append(SVG.line(x, 14, x + 18, 14, cssClass: "whisker"))
        nodes.append(SVG.text(x + 24, 18, "p99.9-max", cssClass: "tick"))
        nodes.append(SVG.line(x + 110, 6, x + 110, 22, cssClass: "median"))
        nodes.append(SVG.text(x + 118, 18, "median (p50)", cssClass: "tick"))
        return nodes
    }
}
