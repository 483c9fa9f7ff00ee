import VsockBenchAgent
import VsockBenchSupport

/// A request size: fixed, or drawn per message from a distribution (masked cases).
///
/// Scenario syntax: `request_size: 8KiB`, `{dist: uniform, min: 4KiB, max: 16KiB}`,
/// `{dist: lognormal, median: 8KiB, sigma: 0.6}`.
public enum SizeSpec: Sendable, Equatable {
    case fixed(Int)
    case uniform(min: Int, max: Int)
    case lognormal(median: Int, sigma: Double)

    /// The agent generator's form.
    public var distribution: SizeDistribution {
        switch self {
        case let .fixed(n): return .fixed(n)
        case let .uniform(lo, hi): return .uniform(min: lo, max: hi)
        case let .lognormal(m, s): return .lognormal(median: m, sigma: s)
        }
    }

    /// The largest size a sample can take (bounds the frame buffers).
    public var upperBound: Int {
        switch self {
        case let .fixed(n): return n
        case let .uniform(_, hi): return min(hi, SizeDistribution.bounds.upperBound)
        case .lognormal: return SizeDistribution.bounds.upperBound
        }
    }

    /// `8KiB`, `uniform 4KiB-16KiB`, `lognormal 8KiB s0.6`.
    public var summary: String {
        switch self {
        case let .fixed(n): return Quantities.formatSize(n)
        case let .uniform(lo, hi): return "U\(Quantities.formatSize(lo))-\(Quantities.formatSize(hi))"
        case let .lognormal(m, s): return "LN\(Quantities.formatSize(m))/\(Format.fixed(s, 2))"
        }
    }
}

extension SizeSpec: Codable {
    enum CodingKeys: String, CodingKey { case dist, bytes, min, max, median, sigma }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .fixed(n):
            try c.encode("fixed", forKey: .dist)
            try c.encode(n, forKey: .bytes)
        case let .uniform(lo, hi):
            try c.encode("uniform", forKey: .dist)
            try c.encode(lo, forKey: .min)
            try c.encode(hi, forKey: .max)
        case let .lognormal(m, s):
            try c.encode("lognormal", forKey: .dist)
            try c.encode(m, forKey: .median)
            try c.encode(s, forKey: .sigma)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .dist) {
        case "fixed": self = .fixed(try c.decode(Int.self, forKey: .bytes))
        case "uniform": self = .uniform(min: try c.decode(Int.self, forKey: .min), max: try c.decode(Int.self, forKey: .max))
        case "lognormal": self = .lognormal(median: try c.decode(Int.self, forKey: .median), sigma: try c.decode(Double.self, forKey: .sigma))
        case let other: throw DecodingError.dataCorruptedError(forKey: .dist, in: c, debugDescription: "unknown distribution \(other)")
        }
    }
}
