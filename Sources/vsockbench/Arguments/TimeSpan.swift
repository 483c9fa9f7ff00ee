import ArgumentParser
import VsockBenchModel
import VsockBenchSupport

/// A duration on the command line: `5s`, `200ms`, `150us`, `1.5s`. Flags that always took
/// seconds (`--io-timeout 10`) still take a bare number of seconds.
struct TimeSpan: ExpressibleByArgument, Sendable, Equatable {
    let nanos: UInt64

    init(nanos: UInt64) { self.nanos = nanos }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    var seconds: Double { Double(nanos) / 1e9 }

    /// A duration with its unit (`0s` allowed).
    @Sendable static func parse(_ text: String) throws -> TimeSpan {
        try parse(text, ifNegative: "give a duration of 0s or more, such as 200ms")
    }

    /// A duration longer than zero.
    @Sendable static func parsePositive(_ text: String) throws -> TimeSpan {
        let span = try parse(text, ifNegative: "give a positive duration, such as 2s")
        guard span.nanos > 0 else { throw ArgumentError("'\(text)' must be longer than zero") }
        return span
    }

    /// A duration with its unit; a negative one is named as such, with `advice`.
    private static func parse(_ text: String, ifNegative advice: String) throws -> TimeSpan {
        try OptionValue.requireValue(text)
        if OptionValue.isNegative(text) { throw ArgumentError("'\(text)' is negative; \(advice)") }
        switch Quantities.parseDuration(text) {
        case let .success(nanos): return TimeSpan(nanos: nanos)
        case let .failure(error): throw ArgumentError(error.description)
        }
    }

    /// A case's measured duration (`--duration`): 10ms or more, the shortest case a scenario
    /// may give (`--duration 1us` ran one message and reported it as a measurement).
    @Sendable static func parseCaseDuration(_ text: String) throws -> TimeSpan {
        let span = try parsePositive(text)
        guard span.nanos >= CaseSpec.minInterval else {
            throw ArgumentError("'\(text)' is shorter than \(Quantities.formatDuration(CaseSpec.minInterval)): too short to measure anything; give at least \(Quantities.formatDuration(CaseSpec.minInterval)), or --messages N")
        }
        return span
    }

    /// A timeout: a duration with a unit, or a bare number of seconds; finite, longer than
    /// zero and at most a week (`inf`, `nan`, `1e300` and `1e-300` are refused, not taken
    /// to mean "never" or "at once").
    @Sendable static func parseTimeout(_ text: String) throws -> TimeSpan {
        try parseSecondsOrSpan(text, noun: "timeout", example: "10 or 30s")
    }

    /// A length of time to watch or count for (probe's and observe's `--duration`, probe's
    /// `--interval`): as a timeout, a bare number of seconds or a duration with a unit, from
    /// 1ms to one week.
    @Sendable static func parseWatchSpan(_ text: String) throws -> TimeSpan {
        try parseSecondsOrSpan(text, noun: "duration", example: "10 or 500ms")
    }

    /// A duration longer than zero whose bare number is refused with an example in `unit`
    /// (a round trip of `80` is more likely 80us than 80s).
    @Sendable static func parseShortSpan(_ text: String) throws -> TimeSpan {
        try OptionValue.requireValue(text)
        if OptionValue.isNegative(text) { throw ArgumentError("'\(text)' is negative; give a positive duration, such as 80us") }
        switch Quantities.parseDuration(text, exampleUnit: "us") {
        case let .success(nanos):
            guard nanos > 0 else { throw ArgumentError("'\(text)' must be longer than zero") }
            return TimeSpan(nanos: nanos)
        case let .failure(error): throw ArgumentError(error.description)
        }
    }

    private static func parseSecondsOrSpan(_ text: String, noun: String, example: String) throws -> TimeSpan {
        let trimmed = text.trimmingSpaces
        try OptionValue.requireValue(trimmed)
        if OptionValue.isNegative(trimmed) {
            throw ArgumentError("'\(text)' is negative; give a \(noun) from 1ms to one week, such as \(example)")
        }
        if let seconds = Double(trimmed) {
            guard seconds.isFinite, seconds > 0, seconds <= 7 * 86_400 else {
                throw ArgumentError("a \(noun) must be a finite number of seconds from 1ms to one week (604800), such as \(example)")
            }
            let nanos = (seconds * 1e9).rounded()
            guard nanos >= 1_000_000 else { throw ArgumentError("a \(noun) shorter than 1ms means none at all; use at least 1ms") }
            return TimeSpan(nanos: UInt64(nanos))
        }
        let span = try parse(trimmed, ifNegative: "give a \(noun) from 1ms to one week, such as \(example)")
        guard span.nanos >= 1_000_000 else { throw ArgumentError("a \(noun) shorter than 1ms means none at all; use at least 1ms") }
        return span
    }

    var defaultValueDescription: String { Quantities.formatDuration(nanos) }
}
