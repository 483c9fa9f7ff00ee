/// Text from outside (case names from scenario files, a target's error strings and kernel
/// release, hello fields) made safe for a terminal or a log line: control characters are
/// shown escaped (`\n`, `\t`, `\x1b`, `\u{85}`) instead of moving the cursor, clearing the
/// screen or forging a line.
public enum Terminal {
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x100 ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
            }
        }
        return out
    }

    /// `text` made safe (as `safe(_:)`) and cut to at most `limit` bytes of it, the cut said
    /// with the whole length: for strings a peer sends that go into a log line.
    public static func safe(_ text: String, limit: Int) -> String {
        let shown = safe(text)
        guard shown.utf8.count > limit else { return shown }
        var cut = ""
        for scalar in shown.unicodeScalars {
            if cut.utf8.count + String(scalar).utf8.count > limit { break }
            cut.unicodeScalars.append(scalar)
        }
        return cut + "... (\(text.utf8.count) bytes)"
    }

    /// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the
    /// bidirectional controls (marks, embeddings, overrides, isolates), with which a line can
    /// be made to read in another order than it is written.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029
            || v == 0x061C || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }
}
