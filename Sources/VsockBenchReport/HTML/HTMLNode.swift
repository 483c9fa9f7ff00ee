import VsockBenchSupport

/// A piece of an HTML page (SVG included): an element, text, or raw markup.
///
/// Text and attribute values are escaped when rendered, so anything from a result file (case
/// names, errors, evidence) is safe by construction. Raw markup is for our own constant CSS only.
struct HTMLNode: Sendable {
    enum Kind: Sendable {
        case element(name: String, attributes: [(String, String)], children: [HTMLNode])
        case text(String)
        case raw(String)
    }

    let kind: Kind

    /// HTML elements that have no end tag.
    static let voidElements: Set<String> = ["meta", "link", "br", "hr", "img", "input", "col"]

    /// `name` with `attributes` (in order; a nil value leaves the attribute out) and `children`.
    static func el(_ name: String, _ attributes: [(String, String?)] = [], _ children: [HTMLNode] = []) -> HTMLNode {
        HTMLNode(kind: .element(name: name, attributes: attributes.compactMap { key, value in value.map { (key, $0) } }, children: children))
    }

    /// An element holding only `text`.
    static func el(_ name: String, _ attributes: [(String, String?)] = [], text: String) -> HTMLNode {
        el(name, attributes, [.text(text)])
    }

    static func text(_ value: String) -> HTMLNode { HTMLNode(kind: .text(value)) }

    /// Trusted markup, written as is: only for constants of this module.
    static func raw(_ value: String) -> HTMLNode { HTMLNode(kind: .raw(value)) }

    /// Children side by side with no wrapper element.
    static func group(_ children: [HTMLNode]) -> HTMLNode { el("", [], children) }

    func render(into out: inout String) {
        switch kind {
        case let .text(value):
            out += Markup.escape(value)
        case let .raw(value):
            out += value
        case let .element(name, attributes, children):
            if name.isEmpty {
                for child in children { child.render(into: &out) }
                return
            }
            out += "<" + name
            for (key, value) in attributes { out += " " + key + "=\"" + Markup.escape(value) + "\"" }
            out += ">"
            if Self.voidElements.contains(name) { return }
            for child in children { child.render(into: &out) }
            out += "</" + name + ">"
        }
    }

    var rendered: String {
        var out = ""
        render(into: &out)
        return out
    }
}

/// SVG coordinates and lengths, written with one decimal so the output is deterministic.
enum SVGNumber {
    static func text(_ value: Double) -> String {
        let fixed = Format.fixed(value, 1)
        return fixed.hasSuffix(".0") ? String(fixed.dropLast(2)) : fixed
    }
}
