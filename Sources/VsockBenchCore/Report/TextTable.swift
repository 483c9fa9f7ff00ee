/// A fixed-width text table: a header row, a rule, then rows; numeric columns right-aligned.
public struct TextTable: Sendable {
    public var columns: [String]
    public var rightAligned: Set<Int>
    public var rows: [[String]] = []

    public init(columns: [String], rightAligned: Set<Int>) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let padding = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return rightAligned.contains(i) ? padding + cell : cell + padding
            }.joined(separator: "  ")
        }
        var out = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }.joined(separator: "\n") + "\n"
    }
}

/// Number formatting for tables (never on the data path).
public enum Format {
    public static func fixed(_ value: Double?, _ places: Int) -> String {
        guard let value, value.isFinite else { return "-" }
        let negative = value < 0
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
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
