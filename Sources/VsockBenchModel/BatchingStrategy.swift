import VsockBenchSupport

/// How frames get from a producer to the socket: the batching strategies people propose for
/// the chatty agent, each measured as it is (the driver uses it for requests, and sends it in
/// the hello so the target uses the same for its responses).
public enum BatchingStrategy: Sendable, Equatable {
    /// One write per frame.
    case none
    /// Up to N requests in flight, one write per frame.
    case window(Int)
    /// Frames gathered in a user-space buffer, one write when `maxMessages` or `maxBytes` is
    /// reached or the first frame has waited `lingerNanos` (the added latency's bound).
    case coalesce(maxMessages: Int, maxBytes: Int, lingerNanos: UInt64)
    /// Frames gathered and written with one writev (no copy, no linger: what is ready goes).
    case writev(maxMessages: Int)
    /// Producers hand frames to a bounded queue drained by one dedicated writer thread into
    /// large writes; buffers come from a pool and are cleared when they go back.
    case writerThread(queueDepth: Int, maxBytes: Int)
    /// Every frame's payload padded to a multiple of `size` bytes.
    case normalize(size: Int)

    /// The strategy's name as scenario files spell it.
    public var name: String {
        switch self {
        case .none: return "none"
        case .window: return "window"
        case .coalesce: return "coalesce"
        case .writev: return "writev"
        case .writerThread: return "writer_thread"
        case .normalize: return "normalize"
        }
    }

    /// Short human form: `coalesce 10/256KiB/200us`.
    public var summary: String {
        switch self {
        case .none: return "none"
        case let .window(n): return "window \(n)"
        case let .coalesce(m, b, l): return "coalesce \(m)/\(Quantities.formatSize(b))/\(Quantities.formatDuration(l))"
        case let .writev(m): return "writev \(m)"
        case let .writerThread(d, b): return "writer_thread \(d)/\(Quantities.formatSize(b))"
        case let .normalize(s): return "normalize \(Quantities.formatSize(s))"
        }
    }

    /// True for the strategies that write every frame as soon as it is committed.
    public var writesEachFrameAtOnce: Bool {
        switch self {
        case .none, .window, .normalize: return true
        case .coalesce, .writev, .writerThread: return false
        }
    }

    /// Requests in flight when the case does not say: batching needs several messages ready.
    public var impliedInflight: Int? {
        switch self {
        case .none, .normalize: return nil
        case let .window(n): return n
        case let .coalesce(m, _, _): return m
        case let .writev(m): return m
        case let .writerThread(d, _): return d
        }
    }
}

extension BatchingStrategy: Codable {
    enum CodingKeys: String, CodingKey {
        case name, messages = "max_messages", bytes = "max_bytes", lingerNanos = "linger_ns", depth = "queue_depth", size, window
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        switch self {
        case .none: break
        case let .window(n): try c.encode(n, forKey: .window)
        case let .coalesce(m, b, l):
            try c.encode(m, forKey: .messages)
            try c.encode(b, forKey: .bytes)
            try c.encode(l, forKey: .lingerNanos)
        case let .writev(m): try c.encode(m, forKey: .messages)
        case let .writerThread(d, b):
            try c.encode(d, forKey: .depth)
            try c.encode(b, forKey: .bytes)
        case let .normalize(s): try c.encode(s, forKey: .size)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .name) {
        case "none": self = .none
        case "window": self = .window(try c.decode(Int.self, forKey: .window))
        case "coalesce":
            self = .coalesce(maxMessages: try c.decode(Int.self, forKey: .messages), maxBytes: try c.decode(Int.self, forKey: .bytes),
                             lingerNanos: try c.decode(UInt64.self, forKey: .lingerNanos))
        case "writev": self = .writev(maxMessages: try c.decode(Int.self, forKey: .messages))
        case "writer_thread": self = .writerThread(queueDepth: try c.decode(Int.self, forKey: .depth), maxBytes: try c.decode(Int.self, forKey: .bytes))
        case "normalize": self = .normalize(size: try c.decode(Int.self, forKey: .size))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .name, in: c, debugDescription: "unknown strategy \(other)")
        }
    }
}
