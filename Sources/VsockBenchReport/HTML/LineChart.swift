import VsockBenchSupport

/// A panel of lines over one x axis: the rate sweep's latency against offered load, a case's
/// throughput and latency over time. Series are drawn in order with classes `series s0`,
/// `s1`, ...; a point without a value breaks its line.
struct LineChart {
    struct Series {
        var name: String
        var values: [Double?]
        /// A reference line (the rate offered), drawn dashed in grey.
        var reference = false
    }

    var title: String
    var xValues: [Double]
    var xLog = false
    var xTitle: String
    var xLabel: (Double) -> String = ChartScale.label
    /// A linear x axis over this span with round ticks (a time axis), instead of ticks at the points.
    var xSpan: (Double, Double)?
    var yLog = false
    var yTitle: String
    var series: [Series]
    /// Vertical markers at x values, with their labels.
    var markers: [(x: Double, label: String)] = []
    /// Points to ring (a stall, a point not kept up), with their tooltips.
    var flagged: [(x: Double, y: Double, tooltip: String)] = []
    var width = 470.0
    var height = 300.0

    static let margin = (left: 62.0, right: 16.0, top: 44.0, bottom: 48.0)
    /// The most points a series is drawn with a dot each: about one per 3 pixels of the axis.
    static let dotLimit = 120

    /// About six round ticks over a linear domain.
    static func roundTicks(_ x: ChartScale) -> [Double] {
        let step = ChartScale.niceCeiling((x.domain.high - x.domain.low) / 6)
        guard step > 0 else { return [x.domain.low] }
        var ticks: [Double] = []
        var v = (x.domain.low / step).rounded(.up) * step
        while v <= x.domain.high * 1.0001 {
            ticks.append(v)
            v += step
        }
        return ticks
    }

    func render() -> HTMLNode? {
        let ys = series.flatMap { $0.values.compactMap { $0 } }.filter { $0.isFinite && (!yLog || $0 > 0) }
        guard let xLow = xValues.min(), let xHigh = xValues.max(), !ys.isEmpty else { return nil }
        let m = Self.margin
        let xRange = (m.left, width - m.right)
        let x: ChartScale
        if xLog {
            x = ChartScale(kind: .log, domain: (xLow / 1.3, xHigh * 1.3), range: xRange)
        } else if let xSpan {
            x = ChartScale(kind: .linear, domain: (xSpan.0, xSpan.1 > xSpan.0 ? xSpan.1 : xSpan.0 + 1), range: xRange)
        } else {
            x = ChartScale(kind: .linear, domain: (xLow, xHigh > xLow ? xHigh : xLow + 1), range: xRange)
        }
        let yRange = (height - m.bottom, m.top)
        let y = yLog ? ChartScale.log(from: ys.min() ?? 1, to: ys.max() ?? 10, range: yRange) : ChartScale.linear(upTo: (ys.max() ?? 1) * 1.05, range: yRange)
        let xTicks = xSpan == nil && xValues.count <= 12 ? xValues : Self.roundTicks(x)
        var nodes = SVG.xAxis(x, y: height - m.bottom, ticks: xTicks, label: xLabel)
        nodes += SVG.yAxis(y, x: m.left, ticks: y.ticks(), label: ChartScale.label, gridRight: width - m.right)
        nodes.append(SVG.text(m.left - 40, 14, yTitle, cssClass: "axis-title"))
        nodes.append(SVG.text(width - m.right, height - 10, xTitle, anchor: "end", cssClass: "axis-title"))
        for marker in markers {
            let mx = x.position(marker.x)
            nodes.append(SVG.line(mx, m.top, mx, height - m.bottom, cssClass: "marker"))
            let left = mx > width / 2
            nodes.append(SVG.text(left ? mx - 4 : mx + 4, m.top + 12, marker.label, anchor: left ? "end" : "start", cssClass: "note"))
        }
        // A dot (with its tooltip) per point only where dots can be told apart: a case of 60 s
        // in slices of 10 ms drew 6000 of them, about 370 bytes each (review); the line alone
        // then, stalls still ringed.
        let dots = xValues.count <= Self.dotLimit
        for (index, s) in series.enumerated() {
            var run: [(Double, Double)] = []
            func flush() {
                if run.count > 1 { nodes.append(SVG.polyline(run, cssClass: s.reference ? "series ref" : "series s\(index)")) }
                run = []
            }
            for (xv, value) in zip(xValues, s.values) {
                guard let value, value.isFinite, !yLog || value > 0 else { flush(); continue }
                let point = (x.position(xv), y.position(value))
                run.append(point)
                if s.reference || !dots { continue }
                nodes.append(SVG.circle(point.0, point.1, radius: 3, cssClass: "dot s\(index)", tooltip: "\(s.name) at \(xLabel(xv)): \(Format.compact(value))"))
            }
            flush()
        }
        for f in flagged {
            nodes.append(SVG.circle(x.position(f.x), y.position(f.y), radius: 7, cssClass: "flag", tooltip: f.tooltip))
        }
        // Legend, top right.
        var legendX = width - m.right
        for (index, s) in series.enumerated().reversed() {
            let textWidth = Double(s.name.count) * 6.5 + 30
            legendX -= textWidth
            nodes.append(SVG.line(legendX, 28, legendX + 18, 28, cssClass: s.reference ? "series ref" : "series s\(index)"))
            nodes.append(SVG.text(legendX + 22, 32, s.name, cssClass: "tick"))
        }
        return SVG.canvas(width: width, height: height, title: title, cssClass: "chart panel", nodes)
    }
}
