/// Number formatting for tables (never on the data path).
public enum Format {
    public static func fixed(_ value: Double?, _ places: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        let negative = value < 0
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        // Beyond what the digits below hold (a hand-edited file's 1e308): no trap, Swift's own spelling.
        guard scaled < 1e18 else { return "\(value)" }
        let whole = scaled / scale
        let integral = UInt64(whole.rounded(.down))
        var text = String(integral)
        if places > 0 {
            let fraction = UInt64((scaled - Double(integral) * scale).rounded())
            var digits = String(fraction)
            digits = String(repeating: "0", count: max(0, places - digits.count)) + digits
            text += "." + digits
        }
        return negative ? "-" + text : text
    }

    /// The decimal places that show `digits` significant figures of `value`, at least 0:
    /// 0.0012 and 0.0010 take 4 for 2 (below 0.01 a fixed 2 or 3 places shows one figure, or none).
    public static func places(significant digits: Int, of value: Double) -> Int {
        guard value.isFinite, value != 0 else { return 0 }
        var threshold = 1.0
        for _ in 1..<max(digits, 1) { threshold *= 10 }
        var scaled = abs(value)
        var places = 0
        // At most 17 places (a double's digits): scaling by 10^places past ~308 is infinite,
        // and a value rounded so read NaN, which JSON refuses (review: a hand-edited 1e-310).
        while scaled < threshold, places < 17 {
            scaled *= 10
            places += 1
        }
        return places
    }

    /// Three significant digits-ish: 12345 -> 12345, 123.4 -> 123.4, 1.234 -> 1.23.
    public static func compact(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return fixed(value, 0) }
        if magnitude >= 100 { return fixed(value, 1) }
        if magnitude >= 1 { return fixed(value, 2) }
        return fixed(value, 3)
    }
}

extension Format {
    /// A command line as a shell would take it back: each argument left as it is when it is
    /// made of plain characters, else in single quotes (`sh -c 'trap "" INT; sleep 12'`), so
    /// that a banner shows where one argument ends and the next begins.
    public static func shellWords(_ arguments: [String]) -> String {
        arguments.map { argument in
            let plain = !argument.isEmpty && argument.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_./:=@%+,-".unicodeScalars.contains($0)
            }
            return plain ? argument : "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }.joined(separator: " ")
    }
}
