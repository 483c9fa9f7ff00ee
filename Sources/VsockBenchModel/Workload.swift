import VsockWire
import VsockBenchSupport

/// What a case exercises, by name (scenario files, JSON, tables).
public enum WorkloadKind: String, Codable, Sendable, CaseIterable {
    /// socat-style bulk bytes, unframed.
    case stream
    /// Framed request/response, echoed and verified.
    case rr
    /// The enclave agent: protobuf query fragments in, masked result sets out, every response
    /// checked for leaks (needs `serve --mode agent`).
    case masked
    /// Messages of a corpus sent to a service that is not vsockbench, in its own framing
    /// (no hello, no stats): the user's own agent.
    case replay

    /// Request/response workloads (framed, with strategies and in-flight windows).
    public var isRequestResponse: Bool { self != .stream }
}

/// A workload with exactly the fields it uses.
public enum Workload: Sendable, Equatable {
    case stream(StreamWorkload)
    case rr(RequestResponseWorkload)
    case masked(MaskedWorkload)
    case replay(ReplayWorkload)

    public var kind: WorkloadKind {
        switch self {
        case .stream: return .stream
        case .rr: return .rr
        case .masked: return .masked
        case .replay: return .replay
        }
    }

    /// The peer is not vsockbench: no hello, no mark, no stats frame (replay, raw streams).
    public var isForeign: Bool {
        switch self {
        case .replay: return true
        case let .stream(s): return s.raw
        case .rr, .masked: return false
        }
    }

    /// How requests and responses cross the channel; nil for a stream.
    public var exchange: Exchange? {
        switch self {
        case .stream: return nil
        case let .rr(r): return r.exchange
        case let .masked(m): return m.exchange
        case let .replay(r): return r.exchange
        }
    }

    /// A workload of `kind` with its defaults.
    public static func defaults(for kind: WorkloadKind) -> Workload {
        switch kind {
        case .stream: return .stream(StreamWorkload())
        case .rr: return .rr(RequestResponseWorkload())
        case .masked: return .masked(MaskedWorkload())
        case .replay: return .replay(ReplayWorkload())
        }
    }
}

/// Which way bytes flow in a `stream` case, seen from the driver.
public enum StreamDirection: String, Codable, Sendable, CaseIterable {
    case tx, rx, both
}

/// How much of the payload the checking side compares with the payload pool: a stream's
/// every read (both sides), an rr response (the driver).
public enum PayloadVerification: String, Codable, Sendable, CaseIterable {
    /// Stream: the first and last 8 bytes of every read, at their stream position: catches
    /// lost, duplicated and shifted ranges at no measurable cost. rr: the first and last 8
    /// bytes of every response, besides its header (type, sequence, length), which is always
    /// checked: catches lost, reordered and misdirected responses, not a byte altered inside.
    case edges
    /// Every byte of every read or response (a memcmp each): also catches a byte altered inside.
    case full

    /// What went wrong at stream offset `offset` (the first bad byte with `full`; the start of
    /// the read whose edges failed with `edges`), without the bytes themselves.
    public func problem(at offset: UInt64) -> String {
        self == .full
            ? "stream byte at offset \(offset) is not the expected one (lost, duplicated or altered data)"
            : "stream bytes near offset \(offset) are not the expected ones (lost, duplicated or altered data)"
    }
}

/// `stream`: bulk bytes in `writeSize` writes, one way or both.
public struct StreamWorkload: Sendable, Equatable {
    /// Bytes per write (one "message" of a stream).
    public var writeSize: Int = 64 * 1024
    public var direction: StreamDirection = .tx
    /// How much of every read both sides check.
    public var verify: PayloadVerification = .edges
    /// Unframed bytes with no hello, to or from any peer (`socat VSOCK-LISTEN:5005 /dev/null`,
    /// `socat ... EXEC:cat`): tx writes the pattern, both checks the echo, rx only counts.
    public var raw = false

    public init(writeSize: Int = 64 * 1024, direction: StreamDirection = .tx, verify: PayloadVerification = .edges, raw: Bool = false) {
        self.writeSize = writeSize
        self.direction = direction
        self.verify = verify
        self.raw = raw
    }
}

/// How the frames of a request/response workload cross the channel, on both sides.
public struct Exchange: Sendable, Equatable {
    /// Requests in flight per connection (1: stop-and-wait).
    public var inflight: Int = 1
    /// How frames reach the socket on both sides.
    public var strategy: BatchingStrategy = .none
    /// The target busy-works this long per message (a processing-bound agent).
    public var targetCostNanos: UInt64 = 0
    /// Every frame is written in pieces of at most this many bytes, both sides.
    public var writeChunk: Int?
    /// Every frame is written as two writes, header then payload, both sides.
    public var splitWrites = false
    /// Open loop: requests leave at this rate whatever the responses do (nil: closed loop,
    /// the next request when a slot frees). `inflight` then caps the requests outstanding.
    public var rate: ArrivalRate?

    public init(inflight: Int = 1, strategy: BatchingStrategy = .none, targetCostNanos: UInt64 = 0, writeChunk: Int? = nil, splitWrites: Bool = false,
                rate: ArrivalRate? = nil) {
        self.inflight = inflight
        self.strategy = strategy
        self.targetCostNanos = targetCostNanos
        self.writeChunk = writeChunk
        self.splitWrites = splitWrites
        self.rate = rate
    }

    /// Stop-and-wait with every frame written at once: the protocol under suspicion, run on
    /// one thread per connection.
    public var isStopAndWait: Bool { rate == nil && inflight == 1 && strategy.writesEachFrameAtOnce }

    /// In-flight cap of an open-loop case whose scenario sets none.
    public static let openLoopDefaultInflight = 1024

    /// The strategy with the in-flight window when it is not implied: `none x8`; an open-loop
    /// case adds its rate: `none @5000/s`.
    public var strategySummary: String {
        var text: String
        if case .window = strategy {
            text = strategy.summary
        } else {
            text = inflight > 1 && strategy.impliedInflight != inflight && rate == nil ? "\(strategy.summary) x\(inflight)" : strategy.summary
        }
        if let rate { text += " @" + rate.summary }
        return text
    }
}

/// An open-loop arrival rate: requests per second over the whole case (spread over its
/// connections), at constant spacing or as a Poisson process.
public struct ArrivalRate: Sendable, Equatable, Codable {
    public enum Arrivals: String, Sendable, Equatable, Codable, CaseIterable {
        /// One request every 1/rate seconds.
        case constant
        /// Exponential gaps of mean 1/rate (seeded): bursts as independent clients make them.
        case poisson
    }

    public var perSecond: Double
    public var arrivals: Arrivals

    public init(perSecond: Double, arrivals: Arrivals = .constant) {
        self.perSecond = perSecond
        self.arrivals = arrivals
    }

    /// `5000/s`, `5000/s poisson`.
    public var summary: String {
        "\(Self.text(perSecond))/s" + (arrivals == .poisson ? " poisson" : "")
    }

    /// A rate as written: `5000`, `2.5`, `0.25`, `0.015` (0.25/s showed as 0.2/s, and two cases
    /// at 0.25/s and 0.3/s as the same rate).
    public static func text(_ perSecond: Double) -> String {
        guard perSecond.isFinite else { return "-" }
        if perSecond == perSecond.rounded(), abs(perSecond) < 1e15 { return String(Int(perSecond)) }
        var digits = Format.fixed(perSecond, perSecond < 1 ? 4 : perSecond < 100 ? 2 : 1)
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return digits
    }

    enum CodingKeys: String, CodingKey { case perSecond = "per_s", arrivals }

    /// The lowest rate a case takes: one request every 100 s. Far below it the next request's
    /// time overflowed the clock and the run stopped (SIGILL, 1e-11/s).
    public static let minimumPerSecond = 0.01

    /// Parses `5000/s` (also `5000`, `5000 /s`, `2.5/s`, `1e4/s` and `5k/s`): decimal only
    /// (Swift's `Double` also reads `0x10` as 16 and `0x1p4`). Per second only: `/ms` and
    /// other units are refused, not read as seconds. `spelling` says this to a refused rate.
    public static let spelling = "a number of requests per second, with /s or without it, k for thousands (5000/s, 5000, 5k/s, 2.5e3/s; no other unit)"

    public static func parse(_ text: String) -> Double? {
        var t = text.trimmingSpaces.lowercased()
        if t.hasSuffix("/s") { t.removeLast(2) }
        var scale = 1.0
        if t.hasSuffix("k") { scale = 1000; t.removeLast() }
        t = t.trimmingSpaces
        guard let first = t.first, first.isASCII, first.isNumber || first == ".",
              t.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.e".contains($0)) }),
              let value = Double(t), value.isFinite, value > 0 else { return nil }
        return value * scale
    }
}

/// `rr`: fixed-size requests echoed back as fixed-size responses, every byte verified.
public struct RequestResponseWorkload: Sendable, Equatable {
    /// Request payload bytes.
    public var requestSize: Int = 8 * 1024
    /// Response payload bytes.
    public var responseSize: Int = 8 * 1024
    public var exchange = Exchange()
    /// How much of each response the driver compares (`full` by default: every byte; `edges`
    /// costs what sockperf's unchecked ping-pong costs, for a like-for-like comparison).
    public var verify: PayloadVerification = .full

    public init(requestSize: Int = 8 * 1024, responseSize: Int = 8 * 1024, exchange: Exchange = Exchange(), verify: PayloadVerification = .full) {
        self.requestSize = requestSize
        self.responseSize = responseSize
        self.exchange = exchange
        self.verify = verify
    }
}

/// What a replay case checks in each response, besides its framing and length.
public enum ReplayExpectation: String, Sendable, Equatable, Codable, CaseIterable {
    /// Any well-framed response.
    case any
    /// The response's payload equals its request's (an echo service).
    case echo
}

/// `replay`: the messages of a corpus file, in order and looped, to a service in its own
/// framing; one framed response read per request.
public struct ReplayWorkload: Sendable, Equatable {
    public var framing: MessageFraming = .u32be
    /// nil: the same as `framing`.
    public var responseFraming: MessageFraming?
    /// The corpus file (resolved against the scenario's directory).
    public var corpus: String = ""
    /// What the corpus held when the scenario was loaded.
    public var corpusStats = CorpusStats(messages: 0, payloadBytes: 0, largest: 0)
    public var expect: ReplayExpectation = .any
    /// The largest response accepted (bytes of payload).
    public var maxResponse: Int = 16 << 20
    public var exchange = Exchange()

    public init() {}

    public var effectiveResponseFraming: MessageFraming { responseFraming ?? framing }

    /// The largest response the case can take on a stream: `maxResponse`, or less where the
    /// response framing carries less (a u16be message at most 65535 bytes, whatever
    /// max_response says). Over seqpacket a response is one packet, whatever its framing
    /// says: there `maxResponse` alone applies.
    public var largestFramedResponse: Int { min(maxResponse, effectiveResponseFraming.maxPayload) }
}

/// `masked`: protobuf query fragments whose sizes follow a distribution; masked result sets back.
public struct MaskedWorkload: Sendable, Equatable {
    /// The request size distribution.
    public var requestSizes: SizeSpec = .fixed(8 * 1024)
    public var exchange = Exchange()

    public init(requestSizes: SizeSpec = .fixed(8 * 1024), exchange: Exchange = Exchange()) {
        self.requestSizes = requestSizes
        self.exchange = exchange
    }

    /// The typical request size: the fixed value, the middle of a uniform range, the median.
    public var typicalRequestSize: Int {
        switch requestSizes {
        case let .fixed(n): return n
        case let .uniform(lo, hi): return (lo + hi) / 2
        case let .lognormal(m, _): return m
        }
    }
}
