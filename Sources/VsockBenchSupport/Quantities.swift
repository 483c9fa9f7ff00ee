/// Parses the size and duration notations used in scenario files and on the command line.
///
/// Sizes: a plain integer (bytes) or a number with `B`, `KiB`, `MiB`, `GiB` (powers of 1024).
/// Durations: a number with `ns`, `us` (or `µs`), `ms`, `s`, `m`; fractions allowed (`1.5s`).
public enum Quantities {
    /// Bytes for a size such as `8KiB`, `64 KiB`, `512B`, `1.5MiB` or `4096`.
    public static func parseSize(_ text: String) -> Result<Int, QuantityError> {
        let trimmed = text.trimmingSpaces
        let (number, unit) = split(trimmed)
        guard !number.isEmpty, let value = Double(number), value.isFinite else {
            return .failure(QuantityError("'\(text)' is not a size; write bytes as 4096, or with a unit: 512B, 8KiB, 1MiB"))
        }
        guard value >= 0 else { return .failure(QuantityError("'\(text)' is negative; a size is 0 or more: 512B, 8KiB, 1MiB")) }
        let multiplier: Double
        switch unit {
        case "", "B": multiplier = 1
        case "KiB": multiplier = 1024
        case "MiB": multiplier = 1024 * 1024
        case "GiB": multiplier = 1024 * 1024 * 1024
        case "KB", "kB", "K", "k", "MB", "M", "GB", "G":
            return .failure(QuantityError("'\(text)': ambiguous unit '\(unit)'; use KiB, MiB or GiB (powers of 1024) or plain bytes"))
        default:
            return .failure(QuantityError("'\(text)': unknown size unit '\(unit)'; use B, KiB, MiB or GiB"))
        }
        let bytes = value * multiplier
        guard bytes <= Double(1 << 50) else { return .failure(QuantityError("'\(text)' is too large", tooLarge: true)) }
        guard bytes == bytes.rounded() else { return .failure(QuantityError("'\(text)' is not a whole number of bytes")) }
        return .success(Int(bytes))
    }

    /// Nanoseconds for a duration such as `5s`, `200ms`, `150us`, `1.5s`. A bare number is
    /// refused, and the error suggests it with `exampleUnit`.
    public static func parseDuration(_ text: String, exampleUnit: String = "s") -> Result<UInt64, QuantityError> {
        let trimmed = text.trimmingSpaces
        let (number, unit) = split(trimmed)
        guard !number.isEmpty, let value = Double(number), value.isFinite else {
            return .failure(QuantityError("'\(text)' is not a duration; write a number with a unit: 500ms, 5s, 150us"))
        }
        guard value >= 0 else { return .failure(QuantityError("'\(text)' is negative; a duration is 0 or more: 500ms, 5s, 150us")) }
        let multiplier: Double
        switch unit {
        case "ns": multiplier = 1
        case "us", "µs": multiplier = 1_000
        case "ms": multiplier = 1_000_000
        case "s": multiplier = 1_000_000_000
        case "m", "min": multiplier = 60_000_000_000
        case "":
            return .failure(QuantityError("'\(text)' needs a unit: ns, us, ms, s or m (for example \(number)\(exampleUnit))"))
        default:
            return .failure(QuantityError("'\(text)': unknown duration unit '\(unit)'; use ns, us, ms, s or m"))
        }
        let nanos = value * multiplier
        guard nanos <= 86_400e9 * 7 else { return .failure(QuantityError("'\(text)' is longer than a week")) }
        return .success(UInt64(nanos.rounded()))
    }

    private static func split(_ text: String) -> (String, String) {
        var number = ""
        var rest = Substring(text)
        while let c = rest.first, c.isNumber || c == "." || c == "+" || c == "-" || c == "e" && !number.isEmpty && rest.dropFirst().first?.isNumber == true
            || c == "_" && number.last?.isNumber == true && rest.dropFirst().first?.isNumber == true {
            // Digits grouped with `_` (1_000), as the counts take them: a size of 1_000 was
            // "unknown size unit '_000'" beside `messages: 1_000` (review).
            if c != "_" { number.append(c) }
            rest = rest.dropFirst()
        }
        return (number, String(rest).trimmingSpaces)
    }

    /// `8KiB`, `64KiB`, `1.5MiB`, `300B`: the shortest exact or one-decimal spelling.
    public static func formatSize(_ bytes: Int) -> String {
        let units: [(Int, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (scale, name) in units where bytes >= scale {
            if bytes % scale == 0 { return "\(bytes / scale)\(name)" }
            // Whole units and the remainder apart: `bytes * 10` would overflow near Int.max.
            let tenths = (bytes / scale) * 10 + ((bytes % scale) * 10 + scale / 2) / scale
            return "\(tenths / 10).\(tenths % 10)\(name)"
        }
        return "\(bytes)B"
    }

    /// `5s`, `200ms`, `150us`, `1.5s`.
    public static func formatDuration(_ nanos: UInt64) -> String {
        if nanos == 0 { return "0s" }
        let units: [(UInt64, String)] = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")]
        for (scale, name) in units where nanos >= scale {
            if nanos % scale == 0 { return "\(nanos / scale)\(name)" }
            // Whole units and the remainder apart, as `formatSize`: `nanos * 10` trapped above
            // 1.8e18 ns, and a hostile hello's target_cost reached it (the target crashed).
            let tenths = (nanos / scale) * 10 + ((nanos % scale) * 10 + scale / 2) / scale
            return "\(tenths / 10).\(tenths % 10)\(name)"
        }
        return "\(nanos)ns"
    }
}

/// A size or duration that could not be parsed; the text says what is expected.
public struct QuantityError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    /// A well-formed size past what any key takes (above 1 PiB): the caller names its own range.
    public let tooLarge: Bool
    public init(_ description: String, tooLarge: Bool = false) {
        self.description = description
        self.tooLarge = tooLarge
    }
}

extension String {
    package var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
