import VsockBenchSupport

/// A scenario file: named cases run one after another against one target.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var cases: [CaseSpec]
    /// Where it was read from (for messages and reports).
    public var path: String

    public init(name: String, description: String? = nil, cases: [CaseSpec], path: String) {
        self.name = name
        self.description = description
        self.cases = cases
        self.path = path
    }

    /// The cases named in `names` (all when empty), in file order; unknown names are an error.
    public func selecting(_ names: [String]) throws(ScenarioError) -> Scenario {
        guard !names.isEmpty else { return self }
        let known = Set(cases.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw ScenarioError([ScenarioDiagnostic(file: path, line: nil,
                message: "no case named \(unknown.map { "'\(Terminal.safe($0, limit: 64))'" }.joined(separator: ", ")); cases: \(cases.map(\.name).joined(separator: ", "))")])
        }
        var copy = self
        copy.cases = cases.filter { names.contains($0.name) }
        return copy
    }
}

/// One problem in a scenario file, located.
public struct ScenarioDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, safe for a terminal (control characters escaped, as the loader
    /// does for each message: a path or message with an escape sequence would reach the
    /// terminal raw).
    public var description: String {
        if let line { return "\(Terminal.safe(file)):\(line): \(Terminal.safe(message))" }
        return "\(Terminal.safe(file)): \(Terminal.safe(message))"
    }
}

/// Every problem found in a scenario file; nothing runs while there is one.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ScenarioDiagnostic]
    public init(_ diagnostics: [ScenarioDiagnostic]) { self.diagnostics = diagnostics }
    /// At most `shown` problems, then how many more: a generated file with one bad key
    /// repeated 20,000 times printed 20,000 lines.
    public var description: String {
        var lines = diagnostics.prefix(Self.shown).map(\.description)
        if diagnostics.count > Self.shown {
            lines.append("... and \(diagnostics.count - Self.shown) more problem\(diagnostics.count - Self.shown == 1 ? "" : "s") (the first \(Self.shown) are above)")
        }
        return lines.joined(separator: "\n")
    }

    public static let shown = 50
}
