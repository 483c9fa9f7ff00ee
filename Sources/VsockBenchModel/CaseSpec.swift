import VsockBenchSupport
import VsockTransport

/// What a case exercises.
public enum WorkloadKind: String, Codable, Sendable, CaseIterable {
    /// socat-style bulk bytes, unframed.
    case stream
    /// Framed request/response, echoed and verified.
    case rr
    /// The enclave agent: protobuf query fragments in, masked result sets out, every response
    /// checked for leaks (needs `serve --mode agent`).
    case masked

    /// Request/response workloads (framed, with strategies and in-flight windows).
    public var isRequestResponse: Bool { self != .stream }
}

/// Which way bytes flow in a `stream` case, seen from the driver.
public enum StreamDirection: String, Codable, Sendable, CaseIterable {
    case tx, rx, both
}

/// How much of a stream each side checks against the payload pool.
public enum StreamVerification: String, Codable, Sendable, CaseIterable {
    /// The first and last 8 bytes of every read, at their stream position: catches lost,
    /// duplicated and shifted ranges at no measurable cost.
    case edges
    /// Every byte of every read (a memcmp per read): also catches a byte altered inside a read.
    case full

    /// What went wrong at stream offset `offset` (the first bad byte with `full`; the start of
    /// the read whose edges failed with `edges`), without the bytes themselves.
    public func problem(at offset: UInt64) -> String {
        self == .full
            ? "stream byte at offset \(offset) is not the expected one (lost, duplicated or altered data)"
            : "stream bytes near offset \(offset) are not the expected ones (lost, duplicated or altered data)"
    }
}

/// When the measured part of a case ends.
public enum StopCondition: Sendable, Equatable {
    case duration(nanos: UInt64)
    /// Total messages across all connections.
    case messages(Int)
    /// Total bytes (stream cases).
    case bytes(Int)
}

/// One case of a scenario, fully resolved (defaults applied, units parsed, validated).
/// The driver sends it to the target in the hello frame, so both sides run the same case.
public struct CaseSpec: Sendable, Equatable, Codable {
    public var name: String
    public var workload: WorkloadKind
    public var stop: StopCondition = .duration(nanos: 5_000_000_000)
    public var warmupNanos: UInt64 = 1_000_000_000
    /// Parallel connections, each with its own threads; counts are summed.
    public var connections: Int = 1
    /// stream: bytes per write.
    public var writeSize: Int = 64 * 1024
    public var direction: StreamDirection = .tx
    /// stream: how much of every read both sides check.
    public var verify: StreamVerification = .edges
    /// rr: request payload bytes.
    public var requestSize: Int = 8 * 1024
    /// rr: response payload bytes.
    public var responseSize: Int = 8 * 1024
    /// rr, masked: requests in flight per connection (1: stop-and-wait).
    public var inflight: Int = 1
    /// rr, masked: how frames reach the socket on both sides.
    public var strategy: BatchingStrategy = .none
    /// masked: the request size distribution (`requestSize` is its fixed value or median).
    public var requestSizes: SizeSpec = .fixed(8 * 1024)
    /// rr, masked: the target busy-works this long per message (a processing-bound agent).
    public var targetCostNanos: UInt64 = 0
    /// rr, masked: every frame is written in pieces of at most this many bytes, both sides.
    public var writeChunk: Int?
    /// rr, masked: every frame is written as two writes, header then payload, both sides.
    public var splitWrites = false

    public var socket = SocketOptions()
    /// Seed of the payload generator.
    public var seed: UInt64 = 1
    /// Line of the case in its scenario file, for messages.
    public var sourceLine: Int?

    public init(name: String, workload: WorkloadKind) {
        self.name = name
        self.workload = workload
    }

    enum CodingKeys: String, CodingKey {
        case name, workload, durationNanos = "duration_ns", messages, bytes, warmupNanos = "warmup_ns"
        case connections, writeSize = "write_size", direction, requestSize = "request_size"
        case responseSize = "response_size", inflight, socket, seed, strategy, requestSizes = "request_sizes"
        case targetCostNanos = "target_cost_ns", writeChunk = "write_chunk", splitWrites = "split_writes"
        case verify
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        switch stop {
        case let .duration(nanos): try c.encode(nanos, forKey: .durationNanos)
        case let .messages(count): try c.encode(count, forKey: .messages)
        case let .bytes(count): try c.encode(count, forKey: .bytes)
        }
        try c.encode(warmupNanos, forKey: .warmupNanos)
        try c.encode(connections, forKey: .connections)
        switch workload {
        case .stream:
            try c.encode(writeSize, forKey: .writeSize)
            try c.encode(direction, forKey: .direction)
            try c.encode(verify, forKey: .verify)
        case .rr:
            try c.encode(requestSize, forKey: .requestSize)
            try c.encode(responseSize, forKey: .responseSize)
            try c.encode(inflight, forKey: .inflight)
            try c.encode(strategy, forKey: .strategy)
        case .masked:
            try c.encode(requestSize, forKey: .requestSize)
            try c.encode(requestSizes, forKey: .requestSizes)
            try c.encode(inflight, forKey: .inflight)
            try c.encode(strategy, forKey: .strategy)
        }
        try c.encode(socket, forKey: .socket)
        try c.encode(seed, forKey: .seed)
        if workload.isRequestResponse {
            try c.encode(targetCostNanos, forKey: .targetCostNanos)
            try c.encode(writeChunk, forKey: .writeChunk)
            try c.encode(splitWrites, forKey: .splitWrites)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        workload = try c.decode(WorkloadKind.self, forKey: .workload)
        if let nanos = try c.decodeIfPresent(UInt64.self, forKey: .durationNanos) {
            stop = .duration(nanos: nanos)
        } else if let count = try c.decodeIfPresent(Int.self, forKey: .messages) {
            stop = .messages(count)
        } else if let count = try c.decodeIfPresent(Int.self, forKey: .bytes) {
            stop = .bytes(count)
        }
        warmupNanos = try c.decodeIfPresent(UInt64.self, forKey: .warmupNanos) ?? warmupNanos
        connections = try c.decodeIfPresent(Int.self, forKey: .connections) ?? connections
        writeSize = try c.decodeIfPresent(Int.self, forKey: .writeSize) ?? writeSize
        direction = try c.decodeIfPresent(StreamDirection.self, forKey: .direction) ?? direction
        verify = try c.decodeIfPresent(StreamVerification.self, forKey: .verify) ?? verify
        requestSize = try c.decodeIfPresent(Int.self, forKey: .requestSize) ?? requestSize
        responseSize = try c.decodeIfPresent(Int.self, forKey: .responseSize) ?? responseSize
        inflight = try c.decodeIfPresent(Int.self, forKey: .inflight) ?? inflight
        socket = try c.decodeIfPresent(SocketOptions.self, forKey: .socket) ?? socket
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        strategy = try c.decodeIfPresent(BatchingStrategy.self, forKey: .strategy) ?? strategy
        requestSizes = try c.decodeIfPresent(SizeSpec.self, forKey: .requestSizes) ?? requestSizes
        targetCostNanos = try c.decodeIfPresent(UInt64.self, forKey: .targetCostNanos) ?? 0
        writeChunk = try c.decodeIfPresent(Int.self, forKey: .writeChunk)
        splitWrites = try c.decodeIfPresent(Bool.self, forKey: .splitWrites) ?? false
    }

    /// The strategy with the in-flight window when it is not implied: `none x8`.
    public var strategySummary: String {
        if case .window = strategy { return strategy.summary }
        return inflight > 1 && strategy.impliedInflight != inflight ? "\(strategy.summary) x\(inflight)" : strategy.summary
    }

    /// Bytes one message carries in the report's Mbps (stream: one write; rr: request + response).
    public var describedSizes: String {
        switch workload {
        case .stream: return "\(direction.rawValue) \(Quantities.formatSize(writeSize))"
        case .rr: return "\(Quantities.formatSize(requestSize))/\(Quantities.formatSize(responseSize)) x\(inflight)"
        case .masked: return "\(requestSizes.summary) x\(inflight)"
        }
    }
}
