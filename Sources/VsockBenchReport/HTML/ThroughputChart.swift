import VsockBenchSupport
import VsockBenchModel

/// Mbps per case as horizontal bars, with the ceiling (the best verified `stream` case) as a
/// dashed line and each bar's share of it, so the cliff is seen, not read.
enum ThroughputChart {
    static let width = 1000.0
    static let labelWidth = 200.0
    static let valueWidth = 190.0
    static let rowHeight = 30.0
    static let top = 34.0

    /// The best verified stream case, if any: what the channel can do with bulk writes.
    static func ceiling(_ cases: [CaseResult]) -> CaseResult? {
        cases.filter { $0.workload == .stream && $0.verified && RunTable.oneWay($0) > 0 }
            .max { RunTable.oneWay($0) < RunTable.oneWay($1) }
    }

    static func render(_ cases: [CaseResult]) -> HTMLNode {
        let ceiling = ceiling(cases)
        let maximum = max(cases.map(RunTable.oneWay).max() ?? 0, ceiling.map(RunTable.oneWay) ?? 0)
        let plotRight = width - valueWidth
        let scale = ChartScale.linear(upTo: maximum, range: (labelWidth, plotRight))
        let height = top + Double(cases.count) * rowHeight + 48
        let axisY = top + Double(cases.count) * rowHeight + 4
        var nodes: [HTMLNode] = SVG.xAxis(scale, y: axisY, ticks: scale.ticks(), label: ChartScale.label, gridTop: top - 6)
        nodes.append(SVG.text(plotRight, axisY + 36, "Mbps (application payload per direction; the busier one)", anchor: "end", cssClass: "axis-title"))
        for (index, c) in cases.enumerated() {
            let y = top + Double(index) * rowHeight
            let problem = !c.verified
            nodes.append(SVG.text(labelWidth - 10, y + 13, SVG.shortened(c.name), anchor: "end", cssClass: problem ? "label bad" : "label", tooltip: c.name))
            nodes.append(SVG.text(labelWidth - 10, y + 25, "\(c.workload) \(c.spec.describedSizes)", anchor: "end", cssClass: "sublabel"))
            let barEnd = scale.position(RunTable.oneWay(c))
            let tooltip = "\(c.name): \(Format.compact(RunTable.oneWay(c))) Mbps, \(Format.fixed(c.msgsPerSecond, 0)) msgs/s"
            nodes.append(SVG.rect(labelWidth, y + 4, barEnd - labelWidth, rowHeight - 10, cssClass: problem ? "bar bad" : (c.workload == .stream ? "bar stream" : "bar"), tooltip: tooltip))
            var value = RunTable.directionText(c)
            if let ceiling, RunTable.oneWay(ceiling) > 0, c.name != ceiling.name, c.verified {
                value += "  (" + Format.compact(RunTable.oneWay(c) / RunTable.oneWay(ceiling) * 100) + "% of ceiling)"
            }
            if problem { value = (c.messages == 0 ? "FAILED" : "NOT VERIFIED") + "  " + value }
            nodes.append(SVG.text(barEnd + 6, y + 19, value, cssClass: problem ? "value bad" : "value"))
        }
        if let ceiling {
            let x = scale.position(RunTable.oneWay(ceiling))
            nodes.append(SVG.line(x, top - 8, x, axisY, cssClass: "ceiling"))
            nodes.append(SVG.text(x, top - 14, "ceiling: \(ceiling.name) \(Format.compact(RunTable.oneWay(ceiling))) Mbps", anchor: x > width * 0.6 ? "end" : "start", cssClass: "ceiling-label"))
        }
        return SVG.canvas(width: width, height: height, title: "Throughput per case in Mbps", nodes)
    }

    /// One sentence under the chart: the ceiling and how far the slowest case is below it.
    static func caption(_ cases: [CaseResult]) -> String {
        guard let ceiling = ceiling(cases) else {
            return "No verified stream case in this run, so no ceiling is marked: add a bulk stream case to see what the channel itself can carry."
        }
        var text = "Ceiling: \(ceiling.name), bulk \(ceiling.spec.describedSizes) writes, \(Format.compact(RunTable.oneWay(ceiling))) Mbps."
        let others = cases.filter { $0.verified && $0.name != ceiling.name && RunTable.oneWay($0) > 0 }
        if let slowest = others.min(by: { RunTable.oneWay($0) < RunTable.oneWay($1) }) {
            text += " Slowest: \(slowest.name) at \(Format.compact(RunTable.oneWay(slowest))) Mbps, \(Format.compact(RunTable.oneWay(ceiling) / RunTable.oneWay(slowest)))x below it."
        }
        return text
    }
}
