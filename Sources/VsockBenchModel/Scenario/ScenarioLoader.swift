#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockTransport
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
    /// Scenario files are a few KiB; anything past this is refused before it is read (a
    /// scenario of 50 MB took 39 s and 1.2 GB to parse; `/dev/zero` never ends).
    public static let maximumBytes = 4 << 20

    public static func load(path: String) throws(ScenarioError) -> Scenario {
        func fail(_ message: String, line: Int? = nil) -> ScenarioError {
            ScenarioError([ScenarioDiagnostic(file: path, line: line, message: message)])
        }
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { throw fail("is a directory; give a scenario file (YAML)") }
            if info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > maximumBytes {
                throw fail("the file has \(Quantities.formatSize(Int(info.st_size))); scenario files are at most \(Quantities.formatSize(maximumBytes))")
            }
        }
        let bytes: [UInt8]
        do {
            bytes = try FileContents.read(path: path, limit: maximumBytes + 1)
        } catch {
            throw fail("cannot read the file: \(error.reason)")
        }
        if bytes.count > maximumBytes { throw fail("more than \(Quantities.formatSize(maximumBytes)) of input; scenario files are at most \(Quantities.formatSize(maximumBytes))") }
        return try parse(bytes: bytes, file: path)
    }

    /// Parses a file's bytes: UTF-8 text, or `file:line: not UTF-8 text`.
    public static func parse(bytes: [UInt8], file: String) throws(ScenarioError) -> Scenario {
        if let problem = TextCheck.problem(in: bytes) {
            throw ScenarioError([ScenarioDiagnostic(file: file, line: problem.line, message: problem.message)])
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: file)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> Scenario {
        var corpora = CorpusCache()
        return try parse(text, file: file, corpora: &corpora)
    }

    /// `corpora`: the replay corpora read so far; each is read once however many cases name it.
    static func parse(_ text: String, file: String, corpora: inout CorpusCache) throws(ScenarioError) -> Scenario {
        // A byte order mark, as some editors on Windows start a UTF-8 file with, is allowed by
        // YAML; the parser said "did not find expected <document start>" at line 2.
        let text = lineFeedsOnly(text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text)
        var diagnostics = Diagnostics(file: file)
        let root: Node
        do {
            // A repeated key is one problem among the file's others (Yams stopped at it).
            let composed = try DuplicateKeys.compose(text)
            guard let node = composed.root else {
                throw ScenarioError([ScenarioDiagnostic(file: file, line: nil, message: "the file is empty; expected name, defaults and cases")])
            }
            root = DuplicateKeys.restore(node, renamed: composed.renamed, diagnostics: &diagnostics)
        } catch let error as ScenarioError {
            throw error
        } catch let refusal as DuplicateKeys.Refusal {
            throw ScenarioError(inLineOrder(refusal.errors.map { yamlDiagnostic($0, file: file, text: text) }))
        } catch let error as YamlError {
            throw ScenarioError([yamlDiagnostic(error, file: file, text: text)])
        } catch {
            throw ScenarioError([ScenarioDiagnostic(file: file, line: nil, message: "not valid YAML: \(error)")])
        }
        guard let mapping = MergeKeys.mapping(root, &diagnostics) else {
            throw ScenarioError([ScenarioDiagnostic(file: file, line: root.mark?.line, message: "expected a mapping with keys name, defaults, cases")])
        }
        var name: String?
        /// Whether the file has a `name:` key, good or not: one refused is not also missing.
        var nameGiven = false
        var description: String?
        var defaults: [(key: String, keyNode: Node, value: Node)] = []
        var caseNodes: [Node] = []
        /// The value of `cases:`, when the file has one, and whether it was a list.
        var casesValue: Node?
        var casesIsList = false
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                diagnostics.add(keyNode, "keys must be plain words")
                continue
            }
            switch key {
            case "name":
                nameGiven = true
                name = diagnostics.string(value, what: "the scenario name")
                if let text = name, let problem = CaseBuilder.nameProblem(text, what: "the scenario name") {
                    diagnostics.add(value, problem)
                }
            case "description":
                description = diagnostics.string(value, what: "description")
            case "defaults":
                guard let map = MergeKeys.mapping(value, &diagnostics) else {
                    diagnostics.add(value, "defaults must be a mapping, for example {duration: 5s, warmup: 1s}")
                    continue
                }
                for (k, v) in map {
                    guard let ks = k.scalar?.string else { diagnostics.add(k, "keys must be plain words"); continue }
                    if ks == "name" {
                        diagnostics.add(k, "'name' cannot be a default; every case names itself")
                    } else if CaseKeys.rules[ks] == nil {
                        diagnostics.add(k, "unknown key '\(ks)' in defaults\(CaseKeys.suggestion(for: ks))")
                    } else if let problem = CaseBuilder.nullProblem(ks, v) {
                        // Once, here, whether or not a case takes the key.
                        diagnostics.add(v, problem)
                    } else {
                        // Checked here, once, whether or not a case takes it (a bad one was
                        // never checked: a case with its own workload ran, one without was
                        // said to have no workload, at its own line).
                        if ks == "workload" { _ = CaseKeys.workload(v, &diagnostics) }
                        defaults.append((ks, k, v))
                    }
                }
                CaseBuilder.socketBufferConflicts(defaults, &diagnostics)
                // As in a case: one stop for the cases that give none (the last one given won).
                // A case's own stop key replaces the defaults' whichever it is.
                let stops = defaults.filter { CaseBuilder.stopKeys.contains($0.key) }
                if stops.count > 1 {
                    diagnostics.add(stops[1].keyNode, "use one of duration, messages or bytes in defaults, not \(stops.map(\.key).joined(separator: " and "))")
                }
            case "cases":
                casesValue = value
                guard let sequence = value.sequence else {
                    diagnostics.add(value, "cases must be a list of mappings, each with at least name and workload")
                    continue
                }
                casesIsList = true
                caseNodes = Array(sequence)
            case let key where key.hasPrefix("x-"):
                // Ignored, as in Compose files: a place for anchors that merge keys bring in.
                continue
            default:
                let near = Spelling.closest(to: key, among: ["name", "description", "defaults", "cases"]).map { "did you mean '\($0)'? " } ?? ""
                diagnostics.add(keyNode, "unknown top-level key '\(key)'; \(near)expected name, description, defaults, cases (or x-... for anchors)")
            }
        }
        if !nameGiven {
            diagnostics.add(line: root.mark?.line ?? 1, "missing 'name'")
        }
        if let casesValue {
            // A value that is no list already has its error; an empty list is on its own line.
            if casesIsList, caseNodes.isEmpty { diagnostics.add(casesValue, "'cases' is empty: a scenario needs at least one case") }
        } else {
            diagnostics.add(line: root.mark?.line ?? 1, "missing 'cases': a scenario needs at least one case")
        }
        var cases: [CaseSpec] = []
        var seen: [String: Int] = [:]
        for node in caseNodes {
            let spec = CaseBuilder.build(node, defaults: defaults, corpora: &corpora, diagnostics: &diagnostics)
            // Every case that names itself counts, even one with other problems: all of a file's
            // problems are reported at once, a duplicate name among them.
            if let caseName = CaseBuilder.declaredName(node) {
                if let first = seen[caseName] {
                    diagnostics.add(node, "duplicate case name '\(caseName)' (first at line \(first))")
                } else {
                    seen[caseName] = node.mark?.line ?? 0
                }
            }
            if let spec { cases.append(spec) }
        }
        // A default that applies to none of the cases would be dropped without a word (an
        // `expect:` for replay in a file of rr cases): said where it is. Only when every case
        // built, so that their workloads are known.
        if !cases.isEmpty, cases.count == caseNodes.count {
            let kinds = Set(cases.map(\.workload.kind))
            for entry in defaults {
                guard let applies = CaseKeys.rules[entry.key]?.workloads, applies.isDisjoint(with: kinds) else { continue }
                diagnostics.add(entry.keyNode, "'\(entry.key)' in defaults applies to \(applies.map(\.rawValue).sorted().joined(separator: "/")) cases, and no case here is one (\(kinds.map(\.rawValue).sorted().joined(separator: ", "))): it would set nothing; remove it")
            }
        }
        if !diagnostics.items.isEmpty {
            throw ScenarioError(inLineOrder(diagnostics.items))
        }
        return Scenario(name: name ?? "", description: description, cases: cases, path: file)
    }

    /// `diagnostics` by line, those of one line in the order they were found, any without a
    /// line first. Problems are found key by key (repeated keys as the tree is restored, a
    /// default's problem with the first case that takes it), not line by line.
    static func inLineOrder(_ diagnostics: [ScenarioDiagnostic]) -> [ScenarioDiagnostic] {
        diagnostics.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    }

    /// `text` with every CRLF and lone CR made a LF, as YAML itself reads them (libyaml counts
    /// each as one line break, and a scalar's line breaks are LFs either way). Everything after
    /// counts lines at "\n" only: in Swift "\r\n" is one Character, so a CRLF file split on
    /// "\n" was one line (wrong lines, and repeated keys were not renamed, so only the first
    /// problem was said).
    static func lineFeedsOnly(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", afterCR {
                afterCR = false
                continue
            }
            afterCR = scalar == "\r"
            out.append(afterCR ? "\n" : scalar)
        }
        return String(out)
    }

    /// Where a syntax error is: its own line, or, when the parser ran past the last line
    /// (something left open), the line where what it was parsing opened, saying so.
    private static func place(_ line: Int, opened: Int?, in text: String) -> (line: Int, note: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0)
        guard line > max(lines, 1) else { return (line, "") }
        let at = min(opened ?? lines, max(lines, 1))
        return (at, " (the file ends before what opens at line \(at) is closed)")
    }

    private static func yamlDiagnostic(_ error: YamlError, file: String, text: String) -> ScenarioDiagnostic {
        switch error {
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.sorted().first ?? "?"
            let line = secondOccurrence(of: key, in: text, from: context.mark.line) ?? context.mark.line
            let place = context.mark.line == 1 && line > 1 ? "" : " in the mapping at line \(context.mark.line)"
            return ScenarioDiagnostic(file: file, line: line, message: "key '\(Diagnostics.echo(key))' appears twice\(place)")
        case let .scanner(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            let tab = character(at: mark, in: text) == "\t" ? " (a tab: YAML indents with spaces)" : ""
            let (line, end) = place(mark.line, opened: context?.mark.line, in: text)
            return ScenarioDiagnostic(file: file, line: line, message: "YAML syntax error: \(what)\(tab)\(end)")
        case let .parser(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            let (line, end) = place(mark.line, opened: context?.mark.line, in: text)
            return ScenarioDiagnostic(file: file, line: line, message: "YAML syntax error: \(what)\(end)")
        case let .composer(context, problem, mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return ScenarioDiagnostic(file: file, line: mark.line, message: "YAML error: \(what)")
        default:
            return ScenarioDiagnostic(file: file, line: nil, message: "YAML error: \(Terminal.safe("\(error)"))")
        }
    }

    /// The character a Yams mark points at (line and column from 1, the column in Unicode
    /// scalars as libyaml counts them), or nil past the text.
    static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        guard mark.line >= 1, mark.column >= 1 else { return nil }
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line <= lines.count else { return nil }
        let line = lines[mark.line - 1]
        guard mark.column <= line.count else { return nil }
        return line[line.index(line.startIndex, offsetBy: mark.column - 1)]
    }

    /// The line of the second `key:` at or after `line` (Yams names the mapping, not the key).
    static func secondOccurrence(of key: String, in text: String, from line: Int) -> Int? {
        var seen = 0
        for (index, content) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where index + 1 >= line {
            var rest = Substring(content)
            while let range = rest.range(of: key + ":") {
                let before = rest[..<range.lowerBound].last
                if before == nil || before == " " || before == "{" || before == "," || before == "\t" {
                    seen += 1
                    if seen == 2 { return index + 1 }
                }
                rest = rest[range.upperBound...]
            }
        }
        return nil
    }
}

/// Collects located problems.
struct Diagnostics {
    let file: String
    var items: [ScenarioDiagnostic] = []

    /// What merge keys may still bring in over the whole file (`MergeKeys`).
    var mergeStepsLeft = MergeKeys.maximumPerFile

    init(file: String) {
        self.file = file
        said = []
    }

    /// A value or key from the file as a message shows it: control characters escaped (a
    /// terminal escape in a value was printed raw) and cut at `echoLimit` bytes, the cut said
    /// with the whole length (a 1,000,000-digit size was a 1 MB error line).
    static func echo(_ text: String) -> String { Terminal.safe(text, limit: echoLimit) }
    static let echoLimit = 64
    /// Past the values cut above, no message is longer than this.
    static let messageLimit = 2048

    /// `message`, said at `node`, with the node's own text (the value or key the message
    /// quotes) shown as `echo` shows it, and the whole made safe for a terminal.
    static func shown(_ message: String, quoting node: Node?) -> String {
        var message = message
        if let text = node?.scalar?.string, text.utf8.count > echoLimit {
            message = message.replacing(text, with: echo(text))
        }
        return Terminal.safe(message, limit: messageLimit)
    }

    mutating func add(_ node: Node, _ message: String) {
        let message = Self.shown(message, quoting: node)
        // Once per place: a value merged into several cases (`<<: *common`) is one node, wrong
        // once; two cases on one line with the same mistake are two places (their columns).
        guard said.insert("\(node.mark?.line ?? 0):\(node.mark?.column ?? 0):\(message)").inserted else { return }
        items.append(ScenarioDiagnostic(file: file, line: node.mark?.line, message: message))
    }

    mutating func add(line: Int, _ message: String) {
        let message = Self.shown(message, quoting: nil)
        // Once per line: a repeated key inside an anchored mapping is seen in every alias's copy.
        guard said.insert("\(line):line:\(message)").inserted else { return }
        items.append(ScenarioDiagnostic(file: file, line: line, message: message))
    }
    private var said: Set<String>

    mutating func string(_ node: Node, what: String) -> String? {
        guard let value = node.scalar?.string, !value.isEmpty else {
            add(node, "\(what) must be a non-empty string")
            return nil
        }
        return value
    }
}
