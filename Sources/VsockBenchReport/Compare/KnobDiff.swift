import VsockBenchSupport

/// A knob in which a case differs from the first one: its key in the config JSON
/// (`inflight`, `strategy`, `socket.sndbuf`) and both values (null where a case has none).
public struct KnobDiff: Codable, Sendable, Hashable {
    public var key: String
    /// The first case's value.
    public var from: KnobValue
    /// This case's value.
    public var to: KnobValue
    /// Why the knob changed nothing where both cases ran: `TCP only: not applied over unix`
    /// (absent where it applies). A difference between the two cases is not its doing.
    public var note: String?

    public init(key: String, from: KnobValue, to: KnobValue, note: String? = nil) {
        self.key = key
        self.from = from
        self.to = to
        self.note = note
    }

    /// The socket options that exist only on one transport, and its name.
    static let familyOnly: [String: String] = [
        "socket.nodelay": "tcp",
        "socket.vsock_buffer_size": "vsock", "socket.vsock_buffer_min": "vsock", "socket.vsock_buffer_max": "vsock",
    ]

    /// The knobs as `between` finds them, each noted where neither case's transport has it:
    /// `nodelay` against the default unix target sets nothing, and a ratio beside it is noise
    /// or another knob, not Nagle.
    public static func between(_ first: CaseConfig, _ other: CaseConfig, transports: (String, String)) -> [KnobDiff] {
        between(first, other).map { diff in
            var diff = diff
            let family = familyOnly[diff.key]
            // `vsock+seqpacket` has vsock's options; `tcp` has no suffixed form.
            func has(_ transport: String) -> Bool { family.map { transport == $0 || transport.hasPrefix($0 + "+") } ?? true }
            if transports == (InProcessKnobs.transport, InProcessKnobs.transport), InProcessKnobs.isUnapplied(key: diff.key) {
                diff.note = "not applied under --target null: one message at a time in process, no socket"
            } else if let family, !has(transports.0), !has(transports.1) {
                let over = transports.0 == transports.1 ? transports.0 : "\(transports.0) and \(transports.1)"
                diff.note = "\(family == "tcp" ? "TCP" : "vsock") only: not applied over \(over)"
            }
            return diff
        }
    }

    /// Keys in the order a scenario file usually writes them; any other key (a knob added
    /// later) follows, sorted.
    static let order = [
        "workload", "duration_ns", "messages", "bytes", "warmup_ns", "interval_ns", "connections", "write_size", "direction", "verify",
        "request_size", "response_size", "inflight", "strategy", "target_cost_ns", "write_chunk",
        "split_writes", "rate", "seed",
    ]

    /// Config keys that no scenario sets: `corpus_stats` is measured from the corpus file, and
    /// `corpus` already names a corpus that differs (a replay case beside an rr one listed
    /// `corpus_stats {largest: 8314, messages: 20, ...} -> (unset)` as a knob: review).
    static let notKnobs: Set<String> = ["corpus_stats"]

    /// Every key of the config (the name excepted) whose value differs between the two cases.
    /// A key one case lacks (a stream has no `inflight`) counts as null: it differs only where
    /// the other case has a value.
    public static func between(_ first: CaseConfig, _ other: CaseConfig) -> [KnobDiff] {
        let a = KnobValue.config(of: first)
        let b = KnobValue.config(of: other)
        let keys = Set(a.keys).union(b.keys).subtracting(notKnobs)
        let known = order.filter(keys.contains)
        let rest = keys.subtracting(order).sorted()
        return (known + rest).compactMap { key in
            let from = a[key] ?? .null
            let to = b[key] ?? .null
            return from == to ? nil : KnobDiff(key: key, from: from, to: to)
        }
    }

    /// `inflight 1 -> 8`, `strategy none -> {window: 8}`, `target_cost 0s -> 100us`: in the
    /// scenario file's words (durations and sizes with units).
    public var text: String {
        var (a, b) = (KnobText.value(from, key: key), KnobText.value(to, key: key))
        // Two values a unit rounds alike (4200 and 4220 bytes: 4.1KiB) are given exactly.
        if a == b, from != to { (a, b) = (KnobText.exact(from, key: key), KnobText.exact(to, key: key)) }
        return "\(KnobText.name(key)) \(a) -> \(b)" + (note.map { " (\($0))" } ?? "")
    }
}

/// How a knob's key and value read in a table: as a scenario file spells them.
enum KnobText {
    /// Keys whose integer values are byte counts.
    static let sizeKeys: Set<String> = [
        "bytes", "write_size", "request_size", "response_size", "write_chunk", "max_bytes", "size", "min", "max", "median",
        "sndbuf", "rcvbuf", "vsock_buffer_size", "vsock_buffer_min", "vsock_buffer_max",
    ]

    /// `duration_ns` reads `duration` (its value is shown with a unit).
    static func name(_ key: String) -> String {
        key.hasSuffix("_ns") ? String(key.dropLast(3)) : key
    }

    static func value(_ value: KnobValue, key: String) -> String {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        switch value {
        case .null: return "(unset)"
        case let .bool(b): return b ? "true" : "false"
        case let .int(n): return number(Double(n), integer: n >= 0 ? UInt64(n) : nil, key: leaf) ?? String(n)
        case let .uint(n): return number(Double(n), integer: n, key: leaf) ?? String(n)
        case let .double(d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case let .string(s): return s
        case let .array(items): return "[" + items.map { self.value($0, key: leaf) }.joined(separator: ", ") + "]"
        case let .object(fields): return object(fields)
        }
    }

    /// A value with no rounding: a number with its unit (`4200B`, `1504000ns`).
    static func exact(_ value: KnobValue, key: String) -> String {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let unit = leaf.hasSuffix("_ns") ? "ns" : sizeKeys.contains(leaf) ? "B" : ""
        switch value {
        case let .int(n): return "\(n)\(unit)"
        case let .uint(n): return "\(n)\(unit)"
        default: return self.value(value, key: key)
        }
    }

    private static func number(_ value: Double, integer: UInt64?, key: String) -> String? {
        guard let integer else { return nil }
        if key.hasSuffix("_ns") { return Quantities.formatDuration(integer) }
        if sizeKeys.contains(key), integer <= UInt64(Int.max) { return Quantities.formatSize(Int(integer)) }
        return nil
    }

    /// A strategy reads as in a scenario file: `none`, `{window: 8}`,
    /// `{coalesce: {linger: 200us, max_bytes: 256KiB, max_messages: 10}}`; any other object as
    /// `{key: value, ...}`, its `dist` first (`{dist: lognormal, median: 4KiB, sigma: 0.5}`).
    private static func object(_ fields: [String: KnobValue]) -> String {
        if case let .string(name)? = fields["name"] {
            let rest = fields.filter { $0.key != "name" }
            if rest.isEmpty { return name }
            if rest.count == 1, let only = rest[name] { return "{\(name): \(value(only, key: name))}" }
            return "{\(name): \(object(rest))}"
        }
        let keys = fields.keys.sorted { a, b in a == "dist" || (b != "dist" && a < b) }
        return "{" + keys.map { key in "\(name(key)): \(value(fields[key] ?? .null, key: key))" }.joined(separator: ", ") + "}"
    }
}
