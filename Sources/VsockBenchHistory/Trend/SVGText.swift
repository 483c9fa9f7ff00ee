import VsockBenchReport
import VsockBenchSupport

/// The few SVG and HTML elements the trend page draws, as text. Every piece of text from the
/// history (scenario and case names, commits, labels) goes through `Markup.escape`.
enum SVGText {
    /// A coordinate with one decimal, so the page is the same byte for byte for the same history.
    static func n(_ value: Double) -> String {
        let fixed = Format.fixed(value, 1)
        return fixed.hasSuffix(".0") ? String(fixed.dropLast(2)) : fixed
    }

    static func element(_ name: String, _ attributes: [(String, String)], _ content: String = "") -> String {
        let attributeText = attributes.map { " \($0.0)=\"\(Markup.escape($0.1))\"" }.joined()
        return "<\(name)\(attributeText)>\(content)</\(name)>"
    }

    static func title(_ tooltip: String?) -> String { tooltip.map { element("title", [], Markup.escape($0)) } ?? "" }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ cssClass: String) -> String {
        element("line", [("x1", n(x1)), ("y1", n(y1)), ("x2", n(x2)), ("y2", n(y2)), ("class", cssClass)])
    }

    static func circle(_ x: Double, _ y: Double, _ r: Double, _ cssClass: String, tooltip: String?) -> String {
        element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(r)), ("class", cssClass)], title(tooltip))
    }

    static func text(_ x: Double, _ y: Double, _ value: String, _ cssClass: String, anchor: String = "start") -> String {
        element("text", [("x", n(x)), ("y", n(y)), ("class", cssClass), ("text-anchor", anchor)], Markup.escape(value))
    }

    static func polyline(_ points: [(Double, Double)], _ cssClass: String) -> String {
        element("polyline", [("points", points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")), ("class", cssClass)])
    }

    /// A step of 1, 2, 2.5 or 5 times a power of ten, at or above `value`.
    static func niceStep(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value { power /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * power >= value * 0.9999 { return m * power }
        return 10 * power
    }

    /// `1.2k`, `25k`, `3.5M` for axis labels.
    static func axisLabel(_ value: Double) -> String {
        let magnitude = abs(value)
        func trim(_ v: Double) -> String {
            var text = Format.compact(v)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text
        }
        if magnitude >= 1e6 { return trim(value / 1e6) + "M" }
        if magnitude >= 1e4 { return trim(value / 1e3) + "k" }
        return trim(value)
    }
}
