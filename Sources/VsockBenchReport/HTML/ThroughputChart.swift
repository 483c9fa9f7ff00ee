import VsockBenchSupport
import VsockBenchModel

/// Mbps per case as horizontal bars in one direction, with the ceiling (the best verified
/// `stream` case in it) as a dashed line and each bar's share of it, so the cliff is seen, not
/// read. One direction for all bars, the one the most cases move (driver to target on a tie,
/// as the run's closing line picks it): each case's busier direction would put one case's
/// driver to target beside another's target to driver. A case that moves only the other
/// direction gets no bar, and its row says so.
enum ThroughputChart {
    static let width = 1000.0
    static let labelWidth = 200.0
    static let valueWidth = 190.0
    static let rowHeight = 30.0
    static let top = 34.0

    /// The direction the bars compare.
    static func direction(_ cases: [CaseResult]) -> PayloadDirection {
        PayloadDirection.mostMoved(by: cases)?.direction ?? .driverToTarget
    }

    /// The best verified stream case in `direction`, if any: what the channel can do with bulk writes.
    static func ceiling(_ cases: [CaseResult], _ direction: PayloadDirection) -> CaseResult? {
        cases.filter { $0.workload == .stream && $0.verified && direction.mbps($0) > 0 }
            .max { direction.mbps($0) < direction.mbps($1) }
    }

    /// Cases that move payload, but none in `direction`.
    static func otherWayOnly(_ cases: [CaseResult], _ direction: PayloadDirection) -> [CaseResult] {
        cases.filter { direction.mbps($0) == 0 && direction.opposite.mbps($0) > 0 }
    }

    /// The interval of a case's Mbps in `direction`, where it is a median of trials (nil for a
    /// single sample).
    static func interval(_ c: CaseResult, _ direction: PayloadDirection) -> (low: Double, high: Double)? {
        guard c.trials.filter({ $0.messages > 0 }).count > 1,
              let bounds = c.ci?[(direction == .driverToTarget ? Figure.mbpsTx : Figure.mbpsRx).rawValue], bounds.count == 2 else { return nil }
        return (bounds[0], bounds[1])
    }

    static func render(_ cases: [CaseResult]) -> HTMLNode {
        let direction = direction(cases)
        let ceiling = ceiling(cases, direction)
        let maximum = cases.map { max(direction.mbps($0), interval($0, direction)?.high ?? 0) }.max() ?? 0
        let plotRight = width - valueWidth
        let scale = ChartScale.linear(upTo: maximum, range: (labelWidth, plotRight))
        let height = top + Double(cases.count) * rowHeight + 48
        let axisY = top + Double(cases.count) * rowHeight + 4
        var nodes: [HTMLNode] = SVG.xAxis(scale, y: axisY, ticks: scale.ticks(), label: ChartScale.label, gridTop: top - 6)
        nodes.append(SVG.text(plotRight, axisY + 36, "Mbps \(direction.text) (application payload)", anchor: "end", cssClass: "axis-title"))
        let otherWay = Set(otherWayOnly(cases, direction).map(\.name))
        for (index, c) in cases.enumerated() {
            let y = top + Double(index) * rowHeight
            let problem = c.ranUnverified
            nodes.append(SVG.text(labelWidth - 10, y + 13, SVG.shortened(c.name), anchor: "end", cssClass: problem ? "label bad" : "label", tooltip: c.name))
            nodes.append(SVG.text(labelWidth - 10, y + 25, "\(c.workload) \(c.spec.describedSizes)", anchor: "end", cssClass: "sublabel"))
            let barEnd = scale.position(direction.mbps(c))
            let tooltip = "\(c.name): \(direction.mbpsText(c)), \(Format.fixed(c.msgsPerSecond, 0)) msgs/s"
            if c.skipped == nil { nodes.append(SVG.rect(labelWidth, y + 4, barEnd - labelWidth, rowHeight - 10, cssClass: problem ? "bar bad" : (c.workload == .stream ? "bar stream" : "bar"), tooltip: tooltip)) }
            var valueEnd = barEnd
            if let (low, high) = interval(c, direction) {
                // The median's interval across the bar's end, capped at both ends.
                let (x1, x2, mid) = (scale.position(low), scale.position(high), y + 4 + (rowHeight - 10) / 2)
                nodes.append(SVG.line(x1, mid, x2, mid, cssClass: "whisker"))
                nodes.append(SVG.line(x1, mid - 6, x1, mid + 6, cssClass: "whisker"))
                nodes.append(SVG.line(x2, mid - 6, x2, mid + 6, cssClass: "whisker"))
                valueEnd = max(barEnd, x2)
            }
            var value = direction.mbpsText(c)
            if otherWay.contains(c.name) {
                value = "no payload \(direction.text): it moves only \(direction.opposite.text)"
            } else if let ceiling, direction.mbps(ceiling) > 0, c.name != ceiling.name, c.verified {
                value += "  (" + Format.compact(direction.mbps(c) / direction.mbps(ceiling) * 100) + "% of ceiling)"
            }
            if problem { value = (c.cutShort ? "CUT SHORT" : c.messages == 0 ? "FAILED" : "NOT VERIFIED") + "  " + value }
            // Skipped is not failed: no bar to read as 0 Mbps, its reason in the notes.
            if c.skipped != nil { value = "skipped (not run: see the notes)" }
            nodes.append(SVG.text(valueEnd + 6, y + 19, value, cssClass: problem ? "value bad" : c.skipped != nil ? "missing" : "value",
                                  tooltip: c.skipped.map { "\(c.name): skipped: \($0)" }))
        }
        if let ceiling {
            let x = scale.position(direction.mbps(ceiling))
            nodes.append(SVG.line(x, top - 8, x, axisY, cssClass: "ceiling"))
            nodes.append(SVG.text(x, top - 14, "ceiling: \(ceiling.name) \(Format.compact(direction.mbps(ceiling))) Mbps", anchor: x > width * 0.6 ? "end" : "start", cssClass: "ceiling-label"))
        }
        return SVG.canvas(width: width, height: height, title: "Throughput per case in Mbps \(direction.text)", nodes)
    }

    /// Under the chart: the direction the bars compare, the ceiling and how far the slowest
    /// case (by its busier direction) is below it.
    static func caption(_ cases: [CaseResult]) -> String {
        let direction = direction(cases)
        var text = "Bars: application payload Mbps \(direction.text)"
        let otherWay = otherWayOnly(cases, direction)
        if otherWay.isEmpty {
            text += ", one direction for every case."
        } else {
            let names = otherWay.map(\.name).joined(separator: ", ")
            text += ", the direction the most cases move: no one direction is moved by every case, and \(names) "
                + (otherWay.count == 1 ? "moves only \(direction.opposite.text), so it has no bar." : "move only \(direction.opposite.text), so they have no bar.")
        }
        // What a bar is: a median of trials with its interval, or a single sample.
        let withTrials = cases.filter { interval($0, direction) != nil }
        if withTrials.isEmpty {
            text += " Each bar is a single sample (one trial per case): run with --repeat N for medians with their intervals."
        } else {
            let fewest: Int = withTrials.map { CaseSummary.medianTrials($0.trials).count }.min() ?? 2
            text += " Each bar is the median of its case's trials, the line across its end the \(Comparison.intervalName(fewestTrials: fewest))"
            text += withTrials.count == cases.count ? "." : "; a bar without one is a single sample."
        }
        guard let ceiling = ceiling(cases, direction) else {
            return text + " No verified stream case moves \(direction.text) in this run, so no ceiling is marked: add a bulk stream case to see what the channel itself can carry."
        }
        text += " Ceiling: \(ceiling.name), bulk \(ceiling.spec.describedSizes) writes, \(Format.compact(direction.mbps(ceiling))) Mbps."
        // The slowest by each case's own Mbps, its busier direction (the `mbps` the tables and
        // compare follow): by the bars' direction alone, an rr case whose payload goes target to
        // driver (64B requests, 64KiB responses) was named slowest at its requests' Mbps (review).
        let own = { (c: CaseResult) -> (way: PayloadDirection, mbps: Double) in
            let figure = MbpsDirection(c.figures)
            return (figure.figure == .mbpsRx ? .targetToDriver : .driverToTarget, figure.mbps(in: c.figures))
        }
        let others = cases.filter { $0.verified && $0.name != ceiling.name && own($0).mbps > 0 }
        if let slowest = others.min(by: { own($0).mbps < own($1).mbps }) {
            let (way, mbps) = own(slowest)
            // A ratio to the ceiling only within its direction, as compare's mbps_ratio.
            text += way == direction
                ? " Slowest: \(slowest.name) at \(Format.compact(mbps)) Mbps, \(Format.compact(direction.mbps(ceiling) / mbps))x below it."
                : " Slowest: \(slowest.name) at \(way.mbpsText(slowest)), the direction it moves most (its bar is \(direction.text))."
        }
        return text
    }
}
