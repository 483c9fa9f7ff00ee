/// Input `check` cannot use (exit 2): the text names the file or option and what to do.
public enum CheckInputError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(path: String, reason: String)
    case wrongSchema(path: String, found: String?)
    case malformed(path: String, reason: String)
    case duplicateCase(path: String, name: String)
    /// `notRunInBaseline`: the cases of `missingInBaseline` a baseline run was interrupted before.
    case mismatchedCases(missingInResults: [String], missingInBaseline: [String], resultsPaths: [String] = [], baselinePaths: [String] = [], notRunInBaseline: [String] = [])
    /// `--cases-in-common` with no case on both sides: nothing would be compared.
    case noCasesInCommon(results: [String], baseline: [String])
    case badTolerance(String)
    /// A case of the baseline that ran (not skipped) but has no trial the gate can take: it
    /// would be compared with nothing and pass.
    case unusableBaselineCase(name: String, paths: [String])
    /// A case measured as another workload on each side (matched by name only).
    case differentWorkload(name: String, baseline: String, results: String)
    /// A case run in process (`--target null`: no socket) on one side and over a socket on the other.
    case inProcessAgainstSocket(name: String, baseline: String, results: String)
    /// Every baseline run is a run of the results (the same file, or a copy): nothing to gate against.
    case baselineIsTheResults(paths: [String])

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
            // Another of vsockbench's own documents is the wrong file, not an old one: "this
            // version" would send the user to run it again for nothing (review).
            let kinds = ["vsockbench-observe/": "observe --json", "vsockbench-probe/": "probe --json", "vsockbench-doctor/": "doctor --json", "vsockbench-history/": "history list|show|trend|changes --json"]
            if let kind = kinds.first(where: { found.hasPrefix($0.key) })?.value {
                // A stored run's own results file is one command away.
                let stored = found.hasPrefix("vsockbench-history/") ? "; `vsockbench history show RUN --document` prints a stored run's results file" : ""
                return "\(path) is the output of `vsockbench \(kind)` (schema \"\(found)\"), not a run's results; give a file written by `vsockbench run --json` (or compare, diagnose, sweep --json: schema \(RunDocument.schemaName))\(stored)"
            }
            return "\(path) has schema \"\(found)\", this vsockbench reads \(RunDocument.schemaName); give a file written by this version (run it again, with --json)"
        case let .malformed(path, reason):
            return "\(path) is not a complete \(RunDocument.schemaName) document: \(reason)"
        case let .duplicateCase(path, name):
            return "\(path) has two cases named '\(name)'; cases are matched by name"
        case let .mismatchedCases(missingInResults, missingInBaseline, resultsPaths, baselinePaths, notRunInBaseline):
            var parts: [String] = []
            let files = resultsPaths.isEmpty || baselinePaths.isEmpty ? "" : " (results: \(resultsPaths.joined(separator: ", ")); baseline: \(baselinePaths.joined(separator: ", ")))"
            if !missingInResults.isEmpty { parts.append("in the baseline but not the results: \(missingInResults.joined(separator: ", "))") }
            if !missingInBaseline.isEmpty { parts.append("in the results but not the baseline: \(missingInBaseline.joined(separator: ", "))") }
            if !notRunInBaseline.isEmpty {
                parts.append("the baseline's run was interrupted before \(notRunInBaseline.joined(separator: ", "))")
                return "the results and the baseline\(files) have different cases (\(parts.joined(separator: "; "))); refresh the baseline with a run that reaches every case"
            }
            return "the results and the baseline\(files) have different cases (\(parts.joined(separator: "; "))); run the same scenario and cases, or refresh the baseline"
        case let .noCasesInCommon(results, baseline):
            return "--cases-in-common: the results and the baseline have no case in common (results: \(results.joined(separator: ", ")); baseline: \(baseline.joined(separator: ", "))), so nothing would be compared; run the same scenario, or refresh the baseline"
        case let .badTolerance(text):
            return text
        case let .unusableBaselineCase(name, paths):
            return "baseline case \(name) has no trial measured and verified (in \(paths.joined(separator: ", "))), so the results' \(name) would be compared with nothing and pass; re-run the baseline, or leave the case out of both"
        case let .inProcessAgainstSocket(name, baseline, results):
            return "case \(name) ran over \(baseline) in the baseline and over \(results) in the results: in process (--target null) there is no socket, so no write or read to count and no kernel in the time; not the same measurement; give a baseline over the results' transport"
        case let .baselineIsTheResults(paths):
            return "the baseline (\(paths.joined(separator: ", "))) is the results' own run (scenario, start time, host and pid): every figure would pass against itself; give an earlier run's results as --baseline"
        case let .differentWorkload(name, baseline, results):
            return "case \(name) is workload \(baseline) in the baseline and workload \(results) in the results: not the same measurement (cases are matched by name); rename one, or refresh the baseline"
        }
    }
}
