import VsockBenchSupport
import VsockTransport

/// When the measured part of a case ends.
public enum StopCondition: Sendable, Equatable {
    case duration(nanos: UInt64)
    /// Total messages across all connections.
    case messages(Int)
    /// Total bytes (stream cases).
    case bytes(Int)
}

/// One case of a scenario, fully resolved (defaults applied, units parsed, validated): the
/// fields every workload has, and the workload with only its own fields.
///
/// This is the model. The driver sends the target its wire form (`WireCase`, in the engine)
/// and reports write their JSON form (`CaseConfig`, in the report module), each by an explicit
/// conversion, so the three can change apart.
public struct CaseSpec: Sendable, Equatable {
    public var name: String
    public var workload: Workload
    public var stop: StopCondition = .duration(nanos: 5_000_000_000)
    public var warmupNanos: UInt64 = 1_000_000_000
    /// Parallel connections, each with its own threads; counts are summed.
    public var connections: Int = 1
    /// Socket options applied on both sides.
    public var socket = SocketOptions()
    /// Seed of the payload generator.
    public var seed: UInt64 = 1
    /// Report the measured part in slices of this length too (a time series); nil: one figure.
    public var intervalNanos: UInt64?
    /// Line of the case in its scenario file, for messages.
    public var sourceLine: Int?

    public init(name: String, workload: Workload) {
        self.name = name
        self.workload = workload
    }

    /// A case of `kind` with that workload's defaults.
    public init(name: String, workload kind: WorkloadKind) {
        self.init(name: name, workload: Workload.defaults(for: kind))
    }

    /// The workload's kind (`stream`, `rr`, `masked`).
    public var kind: WorkloadKind { workload.kind }

    /// How requests and responses cross the channel; nil for stream cases.
    public var exchange: Exchange? { workload.exchange }

    /// Bytes one message carries, as the tables describe it: `tx 64KiB`, `8KiB/8KiB x1`,
    /// `LN8KiB/0.60 x4`.
    public var describedSizes: String {
        switch workload {
        case let .stream(s): return "\(s.raw ? "raw " : "")\(s.direction.rawValue) \(Quantities.formatSize(s.writeSize))"
        case let .replay(r): return "\(r.framing.rawValue) ~\(Quantities.formatSize(r.corpusStats.meanPayload)) \(Self.load(r.exchange))"
        case let .rr(r): return "\(Quantities.formatSize(r.requestSize))/\(Quantities.formatSize(r.responseSize)) \(Self.load(r.exchange))"
        case let .masked(m): return "\(m.requestSizes.summary) \(Self.load(m.exchange))"
        }
    }

    /// `x8` (requests in flight), or `@5000/s` for an open-loop case.
    static func load(_ exchange: Exchange) -> String {
        exchange.rate.map { "@" + $0.summary } ?? "x\(exchange.inflight)"
    }

    /// The stream's fields; nil for request/response cases.
    public var stream: StreamWorkload? {
        if case let .stream(s) = workload { return s }
        return nil
    }

    /// Payload bytes of one request and one response (masked: the typical request size, and
    /// a response about as large); nil for a stream.
    public var messageSizes: (request: Int, response: Int)? {
        switch workload {
        case .stream: return nil
        case let .rr(r): return (r.requestSize, r.responseSize)
        case let .masked(m): return (m.typicalRequestSize, m.typicalRequestSize)
        case let .replay(r): return (r.corpusStats.meanPayload, r.expect == .echo ? r.corpusStats.meanPayload : 0)
        }
    }

    /// The strategy with its in-flight window (`none x8`), or `-` for a stream.
    public var strategySummary: String { exchange?.strategySummary ?? "-" }

    /// The largest payload one frame of this case carries in either direction (masked
    /// responses may be larger than their requests: tokens are longer than names).
    public var largestPayload: Int {
        switch workload {
        case let .stream(s): return s.writeSize
        case let .rr(r): return max(r.requestSize, r.responseSize)
        case let .masked(m): return 2 * m.requestSizes.upperBound
        case let .replay(r): return max(r.corpusStats.largest, r.maxResponse)
        }
    }

    /// Changes the stream fields; does nothing for other workloads.
    public mutating func updateStream(_ change: (inout StreamWorkload) -> Void) {
        if case var .stream(s) = workload {
            change(&s)
            workload = .stream(s)
        }
    }

    /// Changes the exchange fields (rr, masked); does nothing for a stream.
    public mutating func updateExchange(_ change: (inout Exchange) -> Void) {
        switch workload {
        case var .rr(r):
            change(&r.exchange)
            workload = .rr(r)
        case var .masked(m):
            change(&m.exchange)
            workload = .masked(m)
        case var .replay(r):
            change(&r.exchange)
            workload = .replay(r)
        case .stream:
            break
        }
    }

    /// Changes the rr fields; does nothing for other workloads.
    public mutating func updateRR(_ change: (inout RequestResponseWorkload) -> Void) {
        if case var .rr(r) = workload {
            change(&r)
            workload = .rr(r)
        }
    }

    /// Changes the replay fields; does nothing for other workloads.
    public mutating func updateReplay(_ change: (inout ReplayWorkload) -> Void) {
        if case var .replay(r) = workload {
            change(&r)
            workload = .replay(r)
        }
    }
}
