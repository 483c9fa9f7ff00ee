import FoundationEssentials

extension CaseConfig {
    /// The knobs in which `other` differs from this case, each as `key this -> other`
    /// (`inflight 1 -> 8`, `strategy none -> window 8`); the name is not a knob.
    /// Keys as the scenario names them (`target_cost`, not the file's `target_cost_ns`).
    public func differences(from other: CaseConfig) -> [String] {
        // Which keys differ is decided on the exact values (a strategy's or a distribution's
        // summary rounds: coalesce 16/4.1KiB/200us for 4200 and 4220 bytes); what is shown is
        // the scenario's words, or the exact values where those read alike.
        let (mine, theirs) = (flattened(), other.flattened())
        let (mineExact, theirsExact) = (flattened(exact: true), other.flattened(exact: true))
        return Set(mineExact.keys).union(theirsExact.keys).filter { $0 != "name" && mineExact[$0] != theirsExact[$0] }.sorted().map {
            let (from, to) = (Self.shown(mine[$0], key: $0), Self.shown(theirs[$0], key: $0))
            // Two values a unit rounds alike (4200 and 4220 bytes: 4.1KiB) are given exactly.
            if from == to { return "\(KnobText.name($0)) \(Self.exact(mineExact[$0], key: $0)) -> \(Self.exact(theirsExact[$0], key: $0))" }
            return "\(KnobText.name($0)) \(from) -> \(to)"
        }
    }

    /// A value exactly: a number with its unit (`4200B`, `1504000ns`), an object as JSON's
    /// fields (`{max_bytes: 4200, ...}`). As compare's knobs read (`KnobText`).
    static func exact(_ text: String?, key: String) -> String {
        guard let text else { return "absent" }
        return UInt64(text).map { KnobText.exact(.uint($0), key: key) } ?? text
    }

    /// A value in the scenario's words: durations with a unit (`target_cost 0s -> 3ms`, it read
    /// `target_cost_ns 0 -> 3000000`), sizes in KiB/MiB. As compare's knobs read (`KnobText`).
    static func shown(_ text: String?, key: String) -> String {
        guard let text else { return "absent" }
        return UInt64(text).map { KnobText.value(.uint($0), key: key) } ?? text
    }

    /// Every key as the results file writes it, nested ones as `socket.nodelay`; the strategy
    /// and a size distribution as their short forms, or with `exact` as their fields.
    func flattened(exact: Bool = false) -> [String: String] {
        guard let data = try? JSONEncoder().encode(self), let object = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        var out: [String: String] = [:]
        func walk(_ value: JSONValue, _ path: String) {
            if case let .object(members) = value, path != "strategy", path != "request_sizes" {
                for (key, inner) in members { walk(inner, path.isEmpty ? key : path + "." + key) }
            } else {
                out[path] = value.text
            }
        }
        walk(object, "")
        if let strategy, !exact { out["strategy"] = strategy.summary }
        // A masked case's sizes: one key, the scenario's, not the median beside the distribution.
        if let requestSizes {
            out["request_size"] = exact ? out["request_sizes"] : requestSizes.summary
            out["request_sizes"] = nil
        }
        return out
    }
}

/// Any JSON value, for reading a document generically (which keys differ, which are present).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// A compact rendering: `8192`, `true`, `edges`, `null`, `[1, 2]`, `{a: 1}`.
    var text: String {
        switch self {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .number(n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case let .string(s): return s
        case let .array(a): return "[" + a.map(\.text).joined(separator: ", ") + "]"
        case let .object(o): return "{" + o.keys.sorted().map { "\($0): \(o[$0]?.text ?? "")" }.joined(separator: ", ") + "}"
        }
    }
}
