import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The change a verdict's advice amounts to, as a change of the case: what `diagnose --verify`
/// runs, and how a sibling case that already has it is recognised.
public enum Fix: Sendable, Equatable {
    /// k requests in flight per connection, one write per frame.
    case window(Int)
    /// k messages gathered into one write (k in flight).
    case coalesce(Int)
    /// Every frame built whole and written once: no `write_chunk`, no split writes.
    case wholeFrames
    /// Send and receive buffers (and the vsock buffer) of this many bytes on both sides.
    case buffers(Int)
    /// TCP_NODELAY on both sides.
    case noDelay
    /// This many parallel connections.
    case connections(Int)

    /// The case with the fix applied; every other knob as it was.
    public func apply(to spec: CaseSpec) -> CaseSpec {
        var fixed = spec
        switch self {
        case let .window(k):
            fixed.updateExchange { exchange in
                exchange.inflight = k
                // Padding is part of the workload, not of the round trip: it stays.
                if case .normalize = exchange.strategy { return }
                exchange.strategy = .window(k)
            }
        case let .coalesce(k):
            let frame = FrameHeader.size + spec.largestPayload
            fixed.updateExchange {
                $0.inflight = k
                $0.strategy = .coalesce(maxMessages: k, maxBytes: min(max(k * frame, 64 * 1024), CaseSpec.maxBuffer), lingerNanos: 200_000)
            }
        case .wholeFrames:
            fixed.updateExchange {
                $0.writeChunk = nil
                $0.splitWrites = false
            }
        case let .buffers(bytes):
            fixed.socket.sendBuffer = bytes
            fixed.socket.receiveBuffer = bytes
            fixed.socket.vsockBufferSize = UInt64(bytes)
        case .noDelay:
            fixed.socket.noDelay = true
        case let .connections(n):
            fixed.connections = n
            // An open-loop count must divide over the connections (each paces an equal share):
            // rounded up to the next multiple, so the fixed case runs rather than being refused.
            if fixed.exchange?.rate != nil, case let .messages(count) = fixed.stop, count % n != 0 {
                fixed.stop = .messages((count / n + 1) * n)
            }
        }
        return fixed
    }

    /// True for fixes that only remove work from a message (syscalls, a stall): they never
    /// make the case slower. More in flight or more connections add threads and contention,
    /// and can.
    var neverSlower: Bool {
        switch self {
        case .wholeFrames, .buffers, .noDelay: return true
        case .window, .coalesce, .connections: return false
        }
    }

    /// Short human form: `window 8`, `whole-frame writes`, `buffers 256KiB`.
    public var summary: String {
        switch self {
        case let .window(k): return "\(k) requests in flight (window \(k))"
        case let .coalesce(k): return "\(k) messages per write (coalesce \(k))"
        case .wholeFrames: return "each frame written once"
        case let .buffers(bytes): return "\(Say.bytes(bytes)) socket buffers on both sides"
        case .noDelay: return "TCP_NODELAY on both sides"
        case let .connections(n): return "\(n) connections"
        }
    }

    /// What `sibling`, a case this fix is applied in (`isApplied`), has: the fix's summary,
    /// except for buffers, where a sibling may hold the frames with buffers of another size or
    /// with the kernel's defaults, and saying "256KiB" of it would be false.
    func summary(of sibling: CaseSpec) -> String {
        guard case .buffers = self else { return summary }
        let set = [sibling.socket.sendBuffer, sibling.socket.receiveBuffer].compactMap { $0 }
        if set.isEmpty { return "the kernel's default socket buffers (they hold two frames)" }
        let smallest = set.min() ?? 0
        if set.count == 1 { return "a \(Say.bytes(smallest)) \(sibling.socket.sendBuffer != nil ? "send" : "receive") buffer (the kernel's default for the other)" }
        return set.allSatisfy { $0 == smallest } ? "\(Say.bytes(smallest)) socket buffers on both sides" : "socket buffers of at least \(Say.bytes(smallest))"
    }

    /// What the fixed case is called: `<case>+window-8`.
    public func caseName(for name: String) -> String {
        switch self {
        case let .window(k): return "\(name)+window-\(k)"
        case let .coalesce(k): return "\(name)+coalesce-\(k)"
        case .wholeFrames: return "\(name)+whole-frames"
        case let .buffers(bytes): return "\(name)+buffers-\(Say.bytes(bytes))"
        case .noDelay: return "\(name)+nodelay"
        case let .connections(n): return "\(name)+\(n)-connections"
        }
    }

    /// True when `sibling` is `spec` with this fix applied: the same workload and sizes, only
    /// the knobs the fix sets differ. For buffers: when the case set buffers smaller than two
    /// frames, a sibling whose buffers all hold two frames (the kernel's defaults do) has the
    /// fix; otherwise the sibling must set buffers of at least the fix's size.
    func isApplied(in sibling: CaseSpec, comparedWith spec: CaseSpec) -> Bool {
        if case let .buffers(bytes) = self {
            guard Self.canonical(sibling, clearingBuffers: true) == Self.canonical(spec, clearingBuffers: true) else { return false }
            let frame = FrameHeader.size + spec.largestPayload
            return Self.holds(spec, atLeast: 2 * frame, unsetCounts: true)
                ? Self.holds(sibling, atLeast: bytes, unsetCounts: false)
                : Self.holds(sibling, atLeast: 2 * frame, unsetCounts: true)
        }
        return Self.canonical(sibling, clearingBuffers: false) == Self.canonical(apply(to: spec), clearingBuffers: false)
    }

    /// Every buffer the case sets is at least `bytes` (an unset one counts when `unsetCounts`).
    private static func holds(_ spec: CaseSpec, atLeast bytes: Int, unsetCounts: Bool) -> Bool {
        let sizes = [spec.socket.sendBuffer, spec.socket.receiveBuffer]
        return sizes.allSatisfy { $0.map { $0 >= bytes } ?? unsetCounts }
    }

    /// The knobs that decide what a case measures: not its name, length, warmup or seed.
    private static func canonical(_ spec: CaseSpec, clearingBuffers: Bool) -> CaseSpec {
        var s = spec
        s.name = ""
        s.stop = .duration(nanos: 1)
        s.warmupNanos = 0
        s.seed = 0
        s.sourceLine = nil
        if clearingBuffers {
            s.socket.sendBuffer = nil
            s.socket.receiveBuffer = nil
            s.socket.vsockBufferSize = nil
            s.socket.vsockBufferMin = nil
            s.socket.vsockBufferMax = nil
        }
        return s
    }
}

extension Fix: Codable {
    enum CodingKeys: String, CodingKey { case kind, value, summary }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .window(k): try c.encode("window", forKey: .kind); try c.encode(k, forKey: .value)
        case let .coalesce(k): try c.encode("coalesce", forKey: .kind); try c.encode(k, forKey: .value)
        case .wholeFrames: try c.encode("whole_frames", forKey: .kind)
        case let .buffers(b): try c.encode("buffers", forKey: .kind); try c.encode(b, forKey: .value)
        case .noDelay: try c.encode("nodelay", forKey: .kind)
        case let .connections(n): try c.encode("connections", forKey: .kind); try c.encode(n, forKey: .value)
        }
        try c.encode(summary, forKey: .summary)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        func value() throws -> Int { try c.decode(Int.self, forKey: .value) }
        switch kind {
        case "window": self = .window(try value())
        case "coalesce": self = .coalesce(try value())
        case "whole_frames": self = .wholeFrames
        case "buffers": self = .buffers(try value())
        case "nodelay": self = .noDelay
        case "connections": self = .connections(try value())
        default: throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown fix \(kind)")
        }
    }
}
