/// Small constructors for the SVG shapes the charts draw; styling is by class (see `ReportStyle`).
enum SVG {
    typealias Node = HTMLNode

    static func n(_ value: Double) -> String { SVGNumber.text(value) }

    /// The outer `<svg>` with a viewBox, an accessible title and the chart inside.
    static func canvas(width: Double, height: Double, title: String, cssClass: String = "chart", _ children: [Node]) -> Node {
        .el("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("class", cssClass), ("role", "img"),
            ("viewBox", "0 0 \(n(width)) \(n(height))"), ("width", n(width)), ("height", n(height)),
        ], [.el("title", text: title)] + children)
    }

    static func text(
        _ x: Double, _ y: Double, _ value: String, anchor: String = "start", cssClass: String? = nil, tooltip: String? = nil
    ) -> Node {
        var children: [Node] = [.text(value)]
        if let tooltip { children.append(.el("title", text: tooltip)) }
        return .el("text", [("x", n(x)), ("y", n(y)), ("text-anchor", anchor == "start" ? nil : anchor), ("class", cssClass)], children)
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, cssClass: String) -> Node {
        .el("line", [("x1", n(x1)), ("y1", n(y1)), ("x2", n(x2)), ("y2", n(y2)), ("class", cssClass)])
    }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, cssClass: String, tooltip: String? = nil) -> Node {
        .el("rect", [("x", n(x)), ("y", n(y)), ("width", n(max(width, 0))), ("height", n(max(height, 0))), ("class", cssClass)],
            tooltip.map { [.el("title", text: $0)] } ?? [])
    }

    static func circle(_ cx: Double, _ cy: Double, radius: Double, cssClass: String, tooltip: String? = nil) -> Node {
        .el("circle", [("cx", n(cx)), ("cy", n(cy)), ("r", n(radius)), ("class", cssClass)],
            tooltip.map { [.el("title", text: $0)] } ?? [])
    }

    static func polyline(_ points: [(Double, Double)], cssClass: String) -> Node {
        .el("polyline", [("points", points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")), ("class", cssClass)])
    }

    /// Horizontal axis at `y`: ticks and their labels from `scale`.
    static func xAxis(_ scale: ChartScale, y: Double, ticks: [Double], label: (Double) -> String, gridTop: Double? = nil) -> [Node] {
        var nodes: [Node] = [line(scale.range.low, y, scale.range.high, y, cssClass: "axis")]
        for tick in ticks {
            let x = scale.position(tick)
            if let gridTop { nodes.append(line(x, gridTop, x, y, cssClass: "grid")) }
            nodes.append(line(x, y, x, y + 4, cssClass: "axis"))
            nodes.append(text(x, y + 16, label(tick), anchor: "middle", cssClass: "tick"))
        }
        return nodes
    }

    /// Vertical axis at `x`: ticks, labels and optional grid lines to `gridRight`.
    static func yAxis(_ scale: ChartScale, x: Double, ticks: [Double], label: (Double) -> String, gridRight: Double? = nil) -> [Node] {
        var nodes: [Node] = [line(x, scale.range.low, x, scale.range.high, cssClass: "axis")]
        for tick in ticks {
            let y = scale.position(tick)
            if let gridRight { nodes.append(line(x, y, gridRight, y, cssClass: "grid")) }
            nodes.append(line(x - 4, y, x, y, cssClass: "axis"))
            nodes.append(text(x - 7, y + 4, label(tick), anchor: "end", cssClass: "tick"))
        }
        return nodes
    }

    /// A case name cut to `limit` characters for a label column (the full name in the tooltip).
    static func shortened(_ name: String, limit: Int = 22) -> String {
        name.count <= limit ? name : String(name.prefix(limit - 1)) + "…"
    }
}
