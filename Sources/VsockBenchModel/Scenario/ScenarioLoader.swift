#if canImport(Glibc)
import Glibc
#endif
import Yams

/// Reads and validates scenario files.
///
/// The shape:
///
///     name: cliff
///     defaults: {duration: 5s, warmup: 1s}
///     cases:
///       - {name: bulk, workload: stream, write_size: 64KiB}
///       - {name: chatty-8k, workload: rr, request_size: 8KiB, response_size: 8KiB, inflight: 1}
///
/// All problems are collected and reported as `file:line: message` before anything runs.
public enum ScenarioLoader {
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        guard let text = readTextFile(path) else {
            throw ScenarioError([ScenarioDiagnostic(file: path, line: nil, message: "cannot read the file: \(String(cString: strerror(errno)))")])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        var diagnostics = Diagnostics(file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError([ScenarioDiagnostic(file: file, line: nil, message: "the file is empty; expected name, defaults and cases")])
            }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw ScenarioError([yamlDiagnostic(error, file: file)])
        } catch {
            throw ScenarioError([ScenarioDiagnostic(file: file, line: nil, message: "not valid YAML: \(error)")])
        }
        guard let mapping = root.mapping else {
            throw ScenarioError([ScenarioDiagnostic(file: file, line: root.mark?.line, message: "expected a mapping with keys name, defaults, cases")])
        }
        var name: String?
        var description: String?
        var defaults: [(key: String, keyNode: Node, value: Node)] = []
        var caseNodes: [Node] = []
        var sawCases = false
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                diagnostics.add(keyNode, "keys must be plain words")
                continue
            }
            switch key {
            case "name":
                name = diagnostics.string(value, what: "the scenario name")
            case "description":
                description = diagnostics.string(value, what: "description")
            case "defaults":
                guard let map = value.mapping else {
                    diagnostics.add(value, "defaults must be a mapping, for example {duration: 5s, warmup: 1s}")
                    continue
                }
                for (k, v) in map {
                    guard let ks = k.scalar?.string else { diagnostics.add(k, "keys must be plain words"); continue }
                    if ks == "name" {
                        diagnostics.add(k, "'name' cannot be a default; every case names itself")
                    } else if CaseKeys.rules[ks] == nil {
                        diagnostics.add(k, "unknown key '\(ks)' in defaults\(CaseKeys.suggestion(for: ks))")
                    } else {
                        defaults.append((ks, k, v))
                    }
                }
            case "cases":
                sawCases = true
                guard let sequence = value.sequence else {
                    diagnostics.add(value, "cases must be a list of mappings, each with at least name and workload")
                    continue
                }
                caseNodes = Array(sequence)
            default:
                diagnostics.add(keyNode, "unknown top-level key '\(key)'; expected name, description, defaults, cases")
            }
        }
        if name == nil, !diagnostics.hasError(line: nil) {
            diagnostics.add(line: root.mark?.line ?? 1, "missing 'name'")
        }
        if !sawCases {
            diagnostics.add(line: root.mark?.line ?? 1, "missing 'cases': a scenario needs at least one case")
        } else if caseNodes.isEmpty {
            diagnostics.add(line: root.mark?.line ?? 1, "'cases' is empty: a scenario needs at least one case")
        }
        var cases: [CaseSpec] = []
        var seen: [String: Int] = [:]
        for node in caseNodes {
            guard let spec = CaseBuilder.build(node, defaults: defaults, diagnostics: &diagnostics) else { continue }
            if let first = seen[spec.name] {
                diagnostics.add(node, "duplicate case name '\(spec.name)' (first at line \(first))")
            }
            seen[spec.name] = node.mark?.line ?? 0
            cases.append(spec)
        }
        if !diagnostics.items.isEmpty { throw ScenarioError(diagnostics.items) }
        return Scenario(name: name ?? "", description: description, cases: cases, path: file)
    }

    private static func yamlDiagnostic(_ error: YamlError, file: String) -> ScenarioDiagnostic {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return ScenarioDiagnostic(file: file, line: mark.line, message: "YAML syntax error: \(what)")
        case let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return ScenarioDiagnostic(file: file, line: mark.line, message: "YAML error: \(what)")
        default:
            return ScenarioDiagnostic(file: file, line: nil, message: "YAML error: \(error)")
        }
    }

    static func readTextFile(_ path: String) -> String? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, handle)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        if ferror(handle) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Collects located problems.
struct Diagnostics {
    let file: String
    var items: [ScenarioDiagnostic] = []

    mutating func add(_ node: Node, _ message: String) {
        items.append(ScenarioDiagnostic(file: file, line: node.mark?.line, message: message))
    }

    mutating func add(line: Int, _ message: String) {
        items.append(ScenarioDiagnostic(file: file, line: line, message: message))
    }

    func hasError(line: Int?) -> Bool { items.contains { $0.line == line } }

    mutating func string(_ node: Node, what: String) -> String? {
        guard let value = node.scalar?.string, !value.isEmpty else {
            add(node, "\(what) must be a non-empty string")
            return nil
        }
        return value
    }
}
