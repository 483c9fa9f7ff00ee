/// Input `check` cannot use (exit 2): the text names the file or option and what to do.
public enum CheckInputError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(path: String, reason: String)
    case wrongSchema(path: String, found: String?)
    case malformed(path: String, reason: String)
    case duplicateCase(path: String, name: String)
    case mismatchedCases(missingInResults: [String], missingInBaseline: [String])
    /// `--cases-in-common` with no case on both sides: nothing would be compared.
    case noCasesInCommon(results: [String], baseline: [String])
    case badTolerance(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .notJSON(path, reason):
            return "\(path) is not JSON (\(reason)); give a file written by `vsockbench run --json`"
        case let .wrongSchema(path, found):
            guard let found else {
                return "\(path) has no \"schema\" key; give a file written by `vsockbench run --json` (schema \(RunDocument.schemaName))"
            }
            return "\(path) has schema \"\(found)\", this vsockbench reads \(RunDocument.schemaName); re-run the baseline with this version"
        case let .malformed(path, reason):
            return "\(path) is not a complete \(RunDocument.schemaName) document: \(reason)"
        case let .duplicateCase(path, name):
            return "\(path) has two cases named '\(name)'; cases are matched by name"
        case let .mismatchedCases(missingInResults, missingInBaseline):
            var parts: [String] = []
            if !missingInResults.isEmpty { parts.append("in the baseline but not the results: \(missingInResults.joined(separator: ", "))") }
            if !missingInBaseline.isEmpty { parts.append("in the results but not the baseline: \(missingInBaseline.joined(separator: ", "))") }
            return "the results and the baseline have different cases (\(parts.joined(separator: "; "))); run the same scenario and cases, or refresh the baseline"
        case let .noCasesInCommon(results, baseline):
            return "--cases-in-common: the results and the baseline have no case in common (results: \(results.joined(separator: ", ")); baseline: \(baseline.joined(separator: ", "))), so nothing would be compared; run the same scenario, or refresh the baseline"
        case let .badTolerance(text):
            return text
        }
    }
}
