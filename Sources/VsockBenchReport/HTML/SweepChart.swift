#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport

/// The sweep as two panels over message size (log axis): time per message with the fitted
/// line t(n) = alpha + n/beta, and throughput with the model's curve, beta and n_half marked.
enum SweepChart {
    static let panelWidth = 470.0
    static let panelHeight = 300.0
    static let margin = (left: 62.0, right: 16.0, top: 34.0, bottom: 48.0)

    static func render(_ sweep: SweepReport) -> [HTMLNode] {
        let measured = sweep.points.filter { $0.tMicros != nil }
        guard let smallest = sweep.points.map(\.size).min(), let largest = sweep.points.map(\.size).max() else { return [] }
        let low = Double(smallest) / 1.6
        let high = Double(largest) * 1.6
        let xRange = (margin.left, panelWidth - margin.right)
        let x = ChartScale(kind: .log, domain: (low, high), range: xRange)
        let model = sweep.fit?.model
        let samples = (0...80).map { i in low * pow(high / low, Double(i) / 80) }

        // Log-log: the flat floor is alpha, the rising part the bandwidth term.
        let times = measured.compactMap(\.tMicros) + (model.map { [$0.seconds(bytes: low) * 1e6, $0.seconds(bytes: high) * 1e6] } ?? [])
        let timeY = ChartScale.log(from: times.filter { $0 > 0 }.min() ?? 1, to: times.max() ?? 10, range: (panelHeight - margin.bottom, margin.top))
        var time = frame(x, timeY, sweep, yTitle: "us per message (log scale)")
        if let model {
            let curve = samples.map { (x.position($0), timeY.position(model.seconds(bytes: $0) * 1e6)) }
            time.append(SVG.polyline(curve, cssClass: "model"))
            time.append(SVG.text(margin.left + 8, margin.top + 12, "alpha = \(Format.compact(model.alphaMicros)) us", cssClass: "note"))
        }
        for p in measured {
            guard let t = p.tMicros else { continue }
            time.append(SVG.circle(x.position(Double(p.size)), timeY.position(t), radius: 4.5, cssClass: "point",
                                   tooltip: "\(Quantities.formatSize(p.size)): \(Format.compact(t)) us, " + (p.residualMicros.map { "residual \(Format.fixed($0, 2)) us" } ?? "not in the fit")))
        }

        // Mbps as the points count them, in the text's words (a masked sweep's are the
        // requests' payload, driver to target: not "each way").
        let ceiling = model.map(\.betaMbps) ?? 0
        let mbpsMax = max(measured.compactMap(\.mbps).max() ?? 1, ceiling)
        let rateY = ChartScale.linear(upTo: mbpsMax * 1.05, range: (panelHeight - margin.bottom, margin.top))
        var rate = frame(x, rateY, sweep, yTitle: "Mbps: \(sweep.mbpsBasis)")
        if let model {
            rate.append(SVG.line(xRange.0, rateY.position(ceiling), xRange.1, rateY.position(ceiling), cssClass: "ceiling"))
            rate.append(SVG.text(xRange.1 - 4, rateY.position(ceiling) - 6, "beta: \(Format.compact(ceiling)) Mbps", anchor: "end", cssClass: "ceiling-label"))
            let curve = samples.map { (x.position($0), rateY.position(model.mbps(bytes: $0))) }
            rate.append(SVG.polyline(curve, cssClass: "model"))
            if model.nHalfBytes > low, model.nHalfBytes < high {
                let nx = x.position(model.nHalfBytes)
                rate.append(SVG.line(nx, margin.top, nx, panelHeight - margin.bottom, cssClass: "marker"))
                let leftOfLine = nx > panelWidth / 2
                rate.append(SVG.text(leftOfLine ? nx - 4 : nx + 4, rateY.position(ceiling / 2) - 6, "n_half \(SweepTable.sizeText(model.nHalfBytes))",
                                     anchor: leftOfLine ? "end" : "start", cssClass: "note"))
            }
        }
        for p in measured {
            guard let mbps = p.mbps else { continue }
            rate.append(SVG.circle(x.position(Double(p.size)), rateY.position(mbps), radius: 4.5, cssClass: "point",
                                   tooltip: "\(Quantities.formatSize(p.size)): \(Format.compact(mbps)) Mbps"))
        }
        return [
            SVG.canvas(width: panelWidth, height: panelHeight, title: "Time per message against size, with the fitted model", cssClass: "chart panel", time),
            SVG.canvas(width: panelWidth, height: panelHeight, title: "Throughput against size, with the model's curve", cssClass: "chart panel", rate),
        ]
    }

    /// Axes with the swept sizes as x ticks, and the legend.
    private static func frame(_ x: ChartScale, _ y: ChartScale, _ sweep: SweepReport, yTitle: String) -> [HTMLNode] {
        let bottom = panelHeight - margin.bottom
        var nodes = SVG.xAxis(x, y: bottom, ticks: sweep.points.map { Double($0.size) }, label: { Quantities.formatSize(Int($0)) })
        nodes += SVG.yAxis(y, x: margin.left, ticks: y.ticks(), label: ChartScale.label, gridRight: panelWidth - margin.right)
        nodes.append(SVG.text(margin.left, 18, yTitle, cssClass: "axis-title"))
        nodes.append(SVG.text(panelWidth - margin.right, panelHeight - 10, "message size (log scale)", anchor: "end", cssClass: "axis-title"))
        let legendX = panelWidth - margin.right - 190
        nodes.append(SVG.circle(legendX, 14, radius: 4.5, cssClass: "point"))
        nodes.append(SVG.text(legendX + 9, 18, "measured", cssClass: "tick"))
        nodes.append(SVG.line(legendX + 80, 14, legendX + 104, 14, cssClass: "model"))
        nodes.append(SVG.text(legendX + 109, 18, "fitted model", cssClass: "tick"))
        return nodes
    }
}
