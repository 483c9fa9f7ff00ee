import Foundation

/// A `KEY=VALUE` label on a run (instance type, kernel, branch, runner): set by `history add
/// --label`, and a filter everywhere else (`--label branch=main` keeps the runs that have it).
public struct HistoryLabel: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public static let maximumKeyLength = 64
    public static let maximumValueLength = 256

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// `KEY=VALUE`: the key letters, digits, `_ . -` (at most 64), the value any printable
    /// text (at most 256 bytes; it may hold `=`).
    /// A value in quotes, as the listings show one with a space (`owner="a b=c"`), is taken
    /// without them, so a label can be typed back as it is shown. `adding`: the label is set
    /// on a run (`history add`), where a value with a space at either end is refused; a filter
    /// takes it, so that runs labelled so before that rule stay reachable.
    public init(parsing text: String, flag: String = "--label", adding: Bool = false) throws(HistoryError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .badLabel("\(flag) \(text): expected KEY=VALUE, such as instance_type=m6i.xlarge or branch=main")
        }
        key = String(text[..<equals])
        value = Self.unquoted(String(text[text.index(after: equals)...]))
        let keyOK = !key.isEmpty && key.utf8.count <= Self.maximumKeyLength
            && key.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || "_.-".unicodeScalars.contains($0) }
        guard keyOK else {
            throw .badLabel("\(flag) \(text): the key must be 1 to \(Self.maximumKeyLength) letters, digits, '_', '.' or '-'")
        }
        guard !value.isEmpty, value.utf8.count <= Self.maximumValueLength,
              !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .badLabel("\(flag) \(key)=...: the value must be 1 to \(Self.maximumValueLength) bytes of printable text")
        }
        // A space at either end is invisible in every listing, and `--label sp=main` would
        // not find `sp= main ` (review).
        guard !adding || (value.first != " " && value.last != " ") else {
            throw .badLabel("\(flag) \(key)=\"\(value)\": the value starts or ends with a space; give it without")
        }
    }

    /// Labels from the command line, each key at most once.
    /// `flag` names the option in errors (`check --history-label`).
    public static func parseAll(_ texts: [String], flag: String = "--label", adding: Bool = false) throws(HistoryError) -> [HistoryLabel] {
        var labels: [HistoryLabel] = []
        for text in texts {
            let label = try HistoryLabel(parsing: text, flag: flag, adding: adding)
            if labels.contains(where: { $0.key == label.key }) {
                throw .badLabel("\(flag) \(label.key) is given twice; give each key once")
            }
            labels.append(label)
        }
        return labels
    }

    public var text: String { Self.text(key: key, value: value) }

    /// `"a b=c"` -> `a b=c`, `\"` and `\\` unescaped; anything else as it is.
    static func unquoted(_ value: String) -> String {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return value }
        var out = "", escaped = false
        for character in value.dropFirst().dropLast() {
            if escaped || character != "\\" {
                out.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return out
    }

    /// `key=value`, the value quoted where it holds a space or a quote, so that one label
    /// `owner="a b=c"` reads apart from two, `owner=a b=c` (review).
    public static func text(key: String, value: String) -> String {
        guard value.contains(" ") || value.contains("\"") else { return key + "=" + value }
        return key + "=\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
