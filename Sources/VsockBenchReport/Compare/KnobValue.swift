import FoundationEssentials

/// One value of a case's config as its JSON has it (`CaseConfig`), kept as JSON so that a
/// knob added to the config shows up in `compare`'s diff without a change here.
public enum KnobValue: Codable, Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Above `Int64.max` (a seed may be).
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([KnobValue])
    case object([String: KnobValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let value = try? c.decode(Bool.self) { self = .bool(value) }
        else if let value = try? c.decode(Int64.self) { self = .int(value) }
        else if let value = try? c.decode(UInt64.self) { self = .uint(value) }
        else if let value = try? c.decode(Double.self) { self = .double(value) }
        else if let value = try? c.decode(String.self) { self = .string(value) }
        else if let value = try? c.decode([KnobValue].self) { self = .array(value) }
        else { self = .object(try c.decode([String: KnobValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case let .bool(value): try c.encode(value)
        case let .int(value): try c.encode(value)
        case let .uint(value): try c.encode(value)
        case let .double(value): try c.encode(value)
        case let .string(value): try c.encode(value)
        case let .array(value): try c.encode(value)
        case let .object(value): try c.encode(value)
        }
    }

    /// The flat JSON object of a case's config: every key `CaseConfig` writes, nested
    /// `socket` options as `socket.<key>` (each is a knob of its own), the case's name left out.
    static func config(of spec: CaseConfig) -> [String: KnobValue] {
        let encoder = JSONEncoder()
        guard let data = try? encoder.encode(spec), case let .object(keys)? = try? JSONDecoder().decode(KnobValue.self, from: data) else {
            return [:]
        }
        var flat: [String: KnobValue] = [:]
        for (key, value) in keys where key != "name" {
            if key == "socket", case let .object(options) = value {
                for (option, setting) in options { flat["socket." + option] = setting }
            } else {
                flat[key] = value
            }
        }
        // A masked case's sizes are a distribution (`request_sizes` in the config, beside the
        // median it implies as `request_size`): one knob, named as the scenario file names it.
        // A fixed distribution is its one size, as an rr case's `request_size` is: 8KiB and
        // `{dist: fixed, bytes: 8KiB}` are no difference (they read as one: review).
        if let sizes = flat.removeValue(forKey: "request_sizes") {
            if case let .object(fields) = sizes, fields["dist"] == .string("fixed"), let bytes = fields["bytes"] {
                flat["request_size"] = bytes
            } else {
                flat["request_size"] = sizes
            }
        }
        return flat
    }
}
