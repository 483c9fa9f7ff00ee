/// Escaping for the markup the reports write (HTML, SVG, JUnit XML, GitHub markdown): every
/// piece of text that came from a result file (case names, errors, evidence) goes through here.
public enum Markup {
    /// Text for an HTML/XML element body or a double- or single-quoted attribute value:
    /// `& < > " '` become entities, and control characters that XML 1.0 forbids are dropped.
    public static func escape(_ text: String) -> String { escape(text, quotes: true) }

    /// `quotes: false`: text outside any attribute (a markdown cell), where a quote is only a
    /// quote and an entity would show as such in the file.
    static func escape(_ text: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for one cell of a GitHub-flavoured markdown table: `& < >` escaped as HTML (GitHub
    /// renders inline HTML; quotes stay quotes), pipes and backslashes escaped, markdown emphasis characters neutralised,
    /// line breaks as `<br>`.
    public static func markdownCell(_ text: String) -> String {
        var out = ""
        for character in escape(text, quotes: false) {
            switch character {
            case "|": out += "\\|"
            case "\\", "*", "_", "`", "[", "]": out += "\\" + String(character)
            case "\n", "\r\n": out += "<br>"
            case "\r": continue
            default: out.append(character)
            }
        }
        return out
    }
}
