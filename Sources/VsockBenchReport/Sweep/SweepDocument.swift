import FoundationEssentials

/// What `sweep --json` writes: the run document (every key of `run --json`, so `check` and
/// `diagnose --from` read it as one) plus a `sweep` section.
public struct SweepDocument: Codable, Sendable, Equatable {
    public var run: RunDocument
    public var sweep: SweepReport

    public init(run: RunDocument, sweep: SweepReport) {
        self.run = run
        self.sweep = sweep
    }

    private enum SectionKey: String, CodingKey { case sweep }

    public init(from decoder: any Decoder) throws {
        run = try RunDocument(from: decoder)
        sweep = try decoder.container(keyedBy: SectionKey.self).decode(SweepReport.self, forKey: .sweep)
    }

    public func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: SectionKey.self)
        try c.encode(sweep, forKey: .sweep)
    }

    /// Pretty, key-sorted JSON, like ``RunDocument/encoded()``.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }

    public static func decode(_ bytes: [UInt8]) throws -> SweepDocument {
        try JSONDecoder().decode(SweepDocument.self, from: Data(bytes))
    }
}
