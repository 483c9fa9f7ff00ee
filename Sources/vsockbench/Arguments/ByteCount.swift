import ArgumentParser
import VsockBenchSupport

/// A size on the command line: plain bytes (`4096`) or with a unit (`512B`, `8KiB`, `4MiB`).
struct ByteCount: ExpressibleByArgument, Sendable, Equatable {
    let bytes: Int
    /// As the user typed it (`4KiB`), for messages that echo the option; nil for a size the
    /// tool made. Not part of equality: 4KiB and 4096 are the same size.
    var text: String? = nil

    init(bytes: Int, text: String? = nil) {
        self.bytes = bytes
        self.text = text
    }

    static func == (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes == rhs.bytes }

    /// What the user typed, or the size in the tool's words.
    var typed: String { text ?? Quantities.formatSize(bytes) }

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    /// The parser the options use (`transform:`), so a bad size is named with what is expected.
    @Sendable static func parse(_ text: String) throws -> ByteCount {
        try OptionValue.requireValue(text)
        if OptionValue.isNegative(text) { throw ArgumentError("'\(text)' is negative; give a size such as 8KiB or 4096") }
        switch Quantities.parseSize(text) {
        case let .success(bytes): return ByteCount(bytes: bytes, text: text)
        case let .failure(error): throw ArgumentError(error.description)
        }
    }

    /// A size that must be positive.
    @Sendable static func parsePositive(_ text: String) throws -> ByteCount {
        let size = try parse(text)
        guard size.bytes > 0 else { throw ArgumentError("'\(text)' must be larger than zero") }
        return size
    }

    var defaultValueDescription: String { Quantities.formatSize(bytes) }
}

/// Why an option's value is not accepted: shown after ArgumentParser's "The value 'x' is
/// invalid for '--flag <name>'", and the command exits 2.
struct ArgumentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
