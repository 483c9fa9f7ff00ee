import VsockBenchSupport
import Yams

/// Repeated keys, reported with the file's other problems.
///
/// Yams refuses a mapping with a repeated key and stops there, so a file with a repeated key
/// and other mistakes reported only the repeat. Here, when Yams names a repeated key at a place
/// the text confirms, that occurrence is renamed in the text (its first character becomes one
/// from Unicode's Private Use Area, so no line or column moves) and the text is composed again.
/// Afterwards the renamed keys get their names back, and every repeat after the first is taken
/// out of its mapping and reported at its own line: the rest of the file is checked as usual.
enum DuplicateKeys {
    /// The first placeholder; the n-th renamed key starts with this plus n.
    static let firstPlaceholder: UInt32 = 0xE000
    static let privateUse: ClosedRange<UInt32> = 0xE000...0xF8FF
    /// At most this many keys are renamed; past it, Yams's refusal is the answer.
    static let maximumRenames = 64
    /// Bytes composed over all the tries: a file near the 4 MiB limit is composed a few times,
    /// a scenario of a few KiB up to `maximumRenames` times.
    static let composeBudget = 32 << 20

    /// The composed document and, for each placeholder, the key it replaced.
    struct Composed {
        var root: Node?
        var renamed: [Unicode.Scalar: String]
    }

    /// Yams's refusal of the first repeated key and of what stopped it after the renames (a
    /// syntax error further on, a repeat that cannot be located): both are reported.
    struct Refusal: Error {
        var errors: [YamlError]
    }

    /// Composes `text`, renaming repeated keys until Yams accepts it; throws what Yams throws
    /// when a repeat cannot be located (or there are too many) and for any other error, with
    /// the first repeat when there was one (a `Refusal`).
    static func compose(_ text: String) throws -> Composed {
        var scalars = Array(text.unicodeScalars)
        // Lines are counted at "\n" only (the loader has made every CRLF and CR a LF before);
        // a file with another line break, or already holding placeholder characters, is not
        // renamed in (a rename could land in the wrong place).
        let renamable = !scalars.contains { [0x0D, 0x85, 0x2028, 0x2029, 0xFEFF].contains($0.value) || privateUse.contains($0.value) }
        let tries = min(maximumRenames, composeBudget / max(text.utf8.count, 1))
        var renamed: [Unicode.Scalar: String] = [:]
        var current = text
        var firstRepeat: YamlError?
        while true {
            do {
                return Composed(root: try Yams.compose(yaml: current), renamed: renamed)
            } catch {
                guard renamable, renamed.count < tries,
                      case let .duplicatedKeysInMapping(keys, context)? = error as? YamlError,
                      let placeholder = Unicode.Scalar(firstPlaceholder + UInt32(renamed.count)),
                      let found = keys.lazy.compactMap({ key in keyStart(key, at: context.mark, in: scalars).map { (key: key, index: $0) } }).first
                else {
                    if let firstRepeat, let error = error as? YamlError { throw Refusal(errors: [firstRepeat, error]) }
                    throw error
                }
                if firstRepeat == nil { firstRepeat = error as? YamlError }
                scalars[found.index] = placeholder
                renamed[placeholder] = found.key
                current = String(String.UnicodeScalarView(scalars))
            }
        }
    }

    /// The index in `scalars` of the first character of `key` written at `mark` (plain, or
    /// quoted with its first character as is), or nil when the text there is not the key.
    static func keyStart(_ key: String, at mark: Mark, in scalars: [Unicode.Scalar]) -> Int? {
        let wanted = Array(key.unicodeScalars)
        guard !wanted.isEmpty, mark.line >= 1, mark.column >= 1 else { return nil }
        var line = 1
        var start = 0
        while line < mark.line {
            guard let newline = scalars[start...].firstIndex(of: "\n") else { return nil }
            start = newline + 1
            line += 1
        }
        var index = start + mark.column - 1
        guard index < scalars.count, !scalars[start..<index].contains("\n") else { return nil }
        if scalars[index] == "\"" || scalars[index] == "'" { index += 1 }
        guard index + wanted.count <= scalars.count, Array(scalars[index..<(index + wanted.count)]) == wanted,
              wanted[0] != "\\", wanted[0] != "'" else { return nil }
        return index
    }

    /// `node` with renamed keys named again and, in each mapping that had a renamed key, every
    /// repeat of it after the first taken out and reported at its own line.
    static func restore(_ node: Node, renamed: [Unicode.Scalar: String], diagnostics d: inout Diagnostics) -> Node {
        guard !renamed.isEmpty else { return node }
        var restored: [String: Node] = [:]
        return restore(node, renamed: renamed, restored: &restored, diagnostics: &d)
    }

    /// `restored`: collections already restored, by their place in the text. An alias is a
    /// copy of its anchor's node, at the anchor's place: restored once and reused, not walked
    /// again for every alias (aliases of aliases multiply: ten per level over seven levels is
    /// ten million copies, 20 s). Two collections never start at the same place.
    private static func restore(_ node: Node, renamed: [Unicode.Scalar: String], restored: inout [String: Node], diagnostics d: inout Diagnostics) -> Node {
        let kind: String? = switch node {
        case .mapping: "m"
        case .sequence: "s"
        default: nil
        }
        let place = kind.flatMap { kind in node.mark.map { "\(kind)\($0.line):\($0.column)" } }
        if let place, let done = restored[place] { return done }
        let result = restoreOnce(node, renamed: renamed, restored: &restored, diagnostics: &d)
        if let place { restored[place] = result }
        return result
    }

    private static func restoreOnce(_ node: Node, renamed: [Unicode.Scalar: String], restored: inout [String: Node], diagnostics d: inout Diagnostics) -> Node {
        switch node {
        case let .mapping(mapping):
            var pairs: [(Node, Node)] = []
            var repeated: Set<String> = []
            for (key, value) in mapping {
                var key = key
                if case let .scalar(scalar) = key, let first = scalar.string.unicodeScalars.first, let name = renamed[first] {
                    key = .scalar(.init(name, scalar.tag, scalar.style, scalar.mark, scalar.anchor))
                    repeated.insert(name)
                }
                pairs.append((key, restore(value, renamed: renamed, restored: &restored, diagnostics: &d)))
            }
            var firstLine: [String: Int] = [:]
            var count: [String: Int] = [:]
            pairs = pairs.filter { key, _ in
                guard let name = key.scalar?.string, repeated.contains(name) else { return true }
                count[name, default: 0] += 1
                let line = key.mark?.line ?? 0
                guard let first = firstLine[name] else {
                    firstLine[name] = line
                    return true
                }
                let times = count[name] == 2 ? "twice" : "\(count[name] ?? 0) times"
                let place = first == line ? " in the mapping at line \(mapping.mark?.line ?? line)" : " (first at line \(first))"
                d.add(line: line, "key '\(Diagnostics.echo(name))' appears \(times)\(place)")
                return false
            }
            return .mapping(.init(pairs, mapping.tag, mapping.style, mapping.mark, mapping.anchor))
        case let .sequence(sequence):
            var items: [Node] = []
            for item in sequence { items.append(restore(item, renamed: renamed, restored: &restored, diagnostics: &d)) }
            return .sequence(.init(items, sequence.tag, sequence.style, sequence.mark, sequence.anchor))
        default:
            return node
        }
    }
}
