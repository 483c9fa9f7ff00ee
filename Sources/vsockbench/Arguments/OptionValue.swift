import ArgumentParser
import VsockBenchSupport

/// Values of the options that take a number (a duration, a count, a percentage).
///
/// Those options are declared `parsing: .unconditional`: otherwise ArgumentParser takes a
/// value such as `-1s` or `-5%` for a flag and says "Missing value for '--duration'", which
/// hides what is wrong. With it the value reaches its parser, which says so ("'-1s' is
/// negative"); a value that is itself an option (`--duration --json`) is still named as a
/// missing value here.
enum OptionValue {
    /// Throws when `text` is an option's name rather than a value: `--json`, `-h` (but not
    /// `-1s`, `-5%` or `-.5`, which are negative values).
    static func requireValue(_ text: String) throws {
        guard text.hasPrefix("-"), let next = text.dropFirst().first, next.isLetter || next == "-" else { return }
        throw ArgumentError("'\(text)' is the next option, not a value: the value is missing")
    }

    /// Whether `text` is a negative number (with or without a unit): `-1s`, `-5%`, `-.5`.
    static func isNegative(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces
        guard trimmed.hasPrefix("-"), let next = trimmed.dropFirst().first else { return false }
        return next.isNumber || next == "."
    }

    /// Text whose meaning is checked later (a percentage): only not an option's name.
    @Sendable static func text(_ text: String) throws -> String {
        try requireValue(text)
        return text
    }

    /// A whole number; its range is the command's to check.
    @Sendable static func integer(_ text: String) throws -> Int {
        try requireValue(text)
        let trimmed = text.trimmingSpaces
        guard let value = Int(trimmed) else {
            // Digits alone that do not fit are a number out of range, not "not a number".
            let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : trimmed[...]
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw ArgumentError("'\(Terminal.safe(text, limit: 64))' is out of range (at most \(Int.max))")
            }
            throw ArgumentError("'\(Terminal.safe(text, limit: 64))' is not a whole number")
        }
        return value
    }

    /// A whole number of 1 or more (a count of messages).
    @Sendable static func count(_ text: String) throws -> Int {
        let value = try integer(text)
        if value < 0 { throw ArgumentError("'\(text)' is negative; give a whole number, 1 or more") }
        if value == 0 { throw ArgumentError("'\(text)' is zero; give a whole number, 1 or more") }
        return value
    }

    /// A whole number that cannot be negative (a port, a CID, a seed), of the option's type.
    @Sendable static func nonNegative<T: FixedWidthInteger & Sendable>(_ text: String) throws -> T {
        try requireValue(text)
        if isNegative(text) { throw ArgumentError("'\(text)' is negative; give a whole number, 0 or more") }
        guard let value = T(text.trimmingSpaces) else { throw ArgumentError("'\(text)' is not a whole number from 0 to \(T.max)") }
        return value
    }

    /// A vsock service port: 1 to 4294967294 (0 and VMADDR_PORT_ANY name no service), every
    /// wrong value told the same range.
    @Sendable static func servicePort(_ text: String) throws -> UInt32 {
        try requireValue(text)
        guard !isNegative(text), let value = UInt32(text.trimmingSpaces), value != 0, value != UInt32.max else {
            throw ArgumentError("'\(text)' is not a service port (a whole number from 1 to \(UInt32.max - 1))")
        }
        return value
    }

    /// Repeated --pid values, each once, in the order given (the same pid twice is one process).
    static func distinct(_ pids: [Int32]) -> [Int32] {
        pids.reduce(into: [Int32]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// A process ID: a whole number, 1 or more.
    @Sendable static func pid(_ text: String) throws -> Int32 {
        try requireValue(text)
        if isNegative(text) { throw ArgumentError("'\(text)' is negative; a process ID is 1 or more") }
        guard let value = Int32(text.trimmingSpaces), value > 0 else { throw ArgumentError("'\(text)' is not a process ID (a whole number, 1 or more)") }
        return value
    }

    /// A number; its range is the command's to check.
    @Sendable static func number(_ text: String) throws -> Double {
        try requireValue(text)
        guard let value = Double(text.trimmingSpaces) else { throw ArgumentError("'\(text)' is not a number") }
        return value
    }
}
