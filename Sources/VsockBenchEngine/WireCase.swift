import VsockBenchModel
import VsockTransport

/// A case as the driver announces it to the target in every hello: only what the target
/// needs to serve it (the workload's fields, connections, socket options, seed), not how long
/// it runs. Converted from the model when sent, and back (then validated) when received.
public struct WireCase: Codable, Sendable, Equatable {
    public var name: String
    public var workload: WorkloadKind
    public var connections: Int
    public var seed: UInt64
    public var socket: SocketOptions
    public var stream: Stream?
    public var rr: RequestResponse?
    public var masked: Masked?
    public var exchange: WireExchange?

    public struct Stream: Codable, Sendable, Equatable {
        public var writeSize: Int
        public var direction: StreamDirection
        public var verify: PayloadVerification

        enum CodingKeys: String, CodingKey { case writeSize = "write_size", direction, verify }
    }

    public struct RequestResponse: Codable, Sendable, Equatable {
        public var requestSize: Int
        public var responseSize: Int

        enum CodingKeys: String, CodingKey { case requestSize = "request_size", responseSize = "response_size" }
    }

    public struct Masked: Codable, Sendable, Equatable {
        public var requestSizes: SizeSpec

        enum CodingKeys: String, CodingKey { case requestSizes = "request_sizes" }
    }

    public struct WireExchange: Codable, Sendable, Equatable {
        public var inflight: Int
        public var strategy: BatchingStrategy
        public var targetCostNanos: UInt64
        public var writeChunk: Int?
        public var splitWrites: Bool

        enum CodingKeys: String, CodingKey {
            case inflight, strategy, targetCostNanos = "target_cost_ns", writeChunk = "write_chunk", splitWrites = "split_writes"
        }

        init(_ e: Exchange) {
            inflight = e.inflight
            strategy = e.strategy
            targetCostNanos = e.targetCostNanos
            writeChunk = e.writeChunk
            splitWrites = e.splitWrites
        }

        var model: Exchange {
            Exchange(inflight: inflight, strategy: strategy, targetCostNanos: targetCostNanos, writeChunk: writeChunk, splitWrites: splitWrites)
        }
    }

    /// The wire form of a model case.
    public init(_ spec: CaseSpec) {
        name = spec.name
        workload = spec.kind
        connections = spec.connections
        seed = spec.seed
        socket = spec.socket
        switch spec.workload {
        case let .stream(s): stream = Stream(writeSize: s.writeSize, direction: s.direction, verify: s.verify)
        case let .rr(r): rr = RequestResponse(requestSize: r.requestSize, responseSize: r.responseSize)
        case let .masked(m): masked = Masked(requestSizes: m.requestSizes)
        case .replay: break
        }
        exchange = spec.exchange.map(WireExchange.init)
    }

    /// The model case this describes (not yet validated: a hello is a peer's word, and the
    /// target checks it with `limitProblems` next); nil when the workload's own section is
    /// missing.
    public var spec: CaseSpec? {
        let workload: Workload
        switch self.workload {
        case .stream:
            guard let s = stream else { return nil }
            workload = .stream(StreamWorkload(writeSize: s.writeSize, direction: s.direction, verify: s.verify))
        case .rr:
            guard let r = rr, let e = exchange else { return nil }
            workload = .rr(RequestResponseWorkload(requestSize: r.requestSize, responseSize: r.responseSize, exchange: e.model))
        case .masked:
            guard let m = masked, let e = exchange else { return nil }
            workload = .masked(MaskedWorkload(requestSizes: m.requestSizes, exchange: e.model))
        case .replay:
            // Replay talks to a service that is not vsockbench: no hello ever describes one.
            return nil
        }
        var spec = CaseSpec(name: name, workload: workload)
        spec.connections = connections
        spec.seed = seed
        spec.socket = socket
        return spec
    }
}
