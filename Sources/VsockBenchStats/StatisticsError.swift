/// An argument outside what a statistic is defined for: a confidence of 1.5, a quantile of -0.1,
/// zero bootstrap resamples, or a series longer than a change-point search will take.
///
/// Arguments are the caller's choice (often a command-line flag), so they are reported as an
/// error that names the argument, the value and what is accepted, rather than trapping. Data
/// that is too short or holds a NaN is not an error: the functions return nil (or no change
/// points) for it, and the caller says "not enough trials" in its own words.
public struct StatisticsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The argument's name as the function spells it, e.g. `confidence`.
    public let argument: String
    /// The value that was passed.
    public let value: Double
    /// What is accepted, e.g. `a number between 0 and 1 (both excluded), such as 0.95`.
    public let expected: String

    /// An error for `argument` given as `value`, where `expected` is accepted.
    public init(argument: String, value: Double, expected: String) {
        self.argument = argument
        self.value = value
        self.expected = expected
    }

    /// One line for the user, e.g. `confidence 95 is not accepted: pass a number between 0 and 1
    /// (both excluded), such as 0.95`.
    public var description: String {
        "\(argument) \(Self.format(value)) is not accepted: pass \(expected)"
    }

    /// Integers without a trailing `.0`, so that `resamples 0` reads as the caller wrote it.
    private static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int(value))
        }
        return String(value)
    }
}

extension StatisticsError {
    /// Checks that `value` is in the open interval (0, 1): a confidence level or a significance level.
    static func requireProbability(_ value: Double, named argument: String) throws(StatisticsError) {
        guard value > 0, value < 1 else {
            throw StatisticsError(
                argument: argument, value: value,
                expected: "a number between 0 and 1 (both excluded), such as \(argument == "confidence" ? "0.95" : "0.05")")
        }
    }

    /// Checks that `value` is at least `minimum` (and at most `maximum` when given).
    static func requireCount(_ value: Int, named argument: String, atLeast minimum: Int, atMost maximum: Int? = nil) throws(StatisticsError) {
        if value < minimum || (maximum.map { value > $0 } ?? false) {
            let range = maximum.map { "an integer from \(minimum) to \($0)" } ?? "an integer of at least \(minimum)"
            throw StatisticsError(argument: argument, value: Double(value), expected: range)
        }
    }

    /// Checks that a series is short enough for the work to stay bounded.
    static func requireLength(_ count: Int, atMost maximum: Int) throws(StatisticsError) {
        guard count <= maximum else {
            throw StatisticsError(
                argument: "series length", value: Double(count),
                expected: "at most \(maximum) points, such as the most recent \(maximum) runs")
        }
    }
}
