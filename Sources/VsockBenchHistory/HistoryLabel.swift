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
    public init(parsing text: String, flag: String = "--label") throws(HistoryError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .badLabel("\(flag) \(text): expected KEY=VALUE, such as instance_type=m6i.xlarge or branch=main")
        }
        key = String(text[..<equals])
        value = String(text[text.index(after: equals)...])
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
        guard value.first != " ", value.last != " " else {
            throw .badLabel("\(flag) \(key)=\"\(value)\": the value starts or ends with a space; give it without")
        }
    }

    /// Labels from the command line, each key at most once.
    /// `flag` names the option in errors (`check --history-label`).
    public static func parseAll(_ texts: [String], flag: String = "--label") throws(HistoryError) -> [HistoryLabel] {
        var labels: [HistoryLabel] = []
        for text in texts {
            let label = try HistoryLabel(parsing: text, flag: flag)
            if labels.contains(where: { $0.key == label.key }) {
                throw .badLabel("\(flag) \(label.key) is given twice; give each key once")
            }
            labels.append(label)
        }
        return labels
    }

    public var text: String { Self.text(key: key, value: value) }

    /// `key=value`, the value quoted where it holds a space or a quote, so that one label
    /// `owner="a b=c"` reads apart from two, `owner=a b=c` (review).
    public static func text(key: String, value: String) -> String {
        guard value.contains(" ") || value.contains("\"") else { return key + "=" + value }
        return key + "=\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
