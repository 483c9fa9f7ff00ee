import FoundationEssentials

/// What `compare --json` writes: the run document (every key of `run --json`) plus `comparison`.
public struct CompareDocument: Codable, Sendable, Equatable {
    public var run: RunDocument
    public var comparison: Comparison

    public init(run: RunDocument, comparison: Comparison) {
        self.run = run
        self.comparison = comparison
    }

    public init(run: RunDocument) {
        self.init(run: run, comparison: Comparison(run))
    }

    private enum SectionKey: String, CodingKey { case comparison }

    public init(from decoder: any Decoder) throws {
        run = try RunDocument(from: decoder)
        comparison = try decoder.container(keyedBy: SectionKey.self).decode(Comparison.self, forKey: .comparison)
    }

    public func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var c = encoder.container(keyedBy: SectionKey.self)
        try c.encode(comparison, forKey: .comparison)
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [10]
    }
}
