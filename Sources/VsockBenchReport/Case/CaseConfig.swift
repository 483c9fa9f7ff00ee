import VsockBenchModel
import VsockTransport
import VsockWire

/// A case as results files record it (`cases[].spec`): every knob, flat, with the keys of
/// schema `vsockbench/1`. Converted from the model when a result is written and back when
/// one is read (`check`, `diagnose --from`), so older files keep reading.
public struct CaseConfig: Codable, Sendable, Equatable {
    public var name: String
    public var workload: WorkloadKind
    public var durationNanos: UInt64?
    public var messages: Int?
    public var bytes: Int?
    public var warmupNanos: UInt64?
    public var intervalNanos: UInt64?
    public var connections: Int?
    public var writeSize: Int?
    public var direction: StreamDirection?
    public var verify: PayloadVerification?
    public var requestSize: Int?
    public var responseSize: Int?
    public var requestSizes: SizeSpec?
    public var inflight: Int?
    public var strategy: BatchingStrategy?
    public var socket: SocketOptions?
    public var seed: UInt64?
    public var targetCostNanos: UInt64?
    public var writeChunk: Int?
    public var splitWrites: Bool?
    public var rate: ArrivalRate?
    /// stream: unframed bytes with no hello, to or from any peer.
    public var raw: Bool?
    /// replay: the service's framing, the corpus (path and what it held), what a response must be.
    public var framing: MessageFraming?
    public var responseFraming: MessageFraming?
    public var corpus: String?
    public var corpusStats: CorpusStats?
    public var expect: ReplayExpectation?
    public var maxResponse: Int?

    enum CodingKeys: String, CodingKey {
        case name, workload, durationNanos = "duration_ns", messages, bytes, warmupNanos = "warmup_ns", intervalNanos = "interval_ns"
        case connections, writeSize = "write_size", direction, requestSize = "request_size"
        case responseSize = "response_size", inflight, socket, seed, strategy, requestSizes = "request_sizes"
        case targetCostNanos = "target_cost_ns", writeChunk = "write_chunk", splitWrites = "split_writes"
        case verify, rate, raw, framing, responseFraming = "response_framing", corpus, corpusStats = "corpus_stats", expect
        case maxResponse = "max_response"
    }

    /// The JSON form of a model case.
    public init(_ spec: CaseSpec) {
        name = spec.name
        workload = spec.kind
        switch spec.stop {
        case let .duration(nanos): durationNanos = nanos
        case let .messages(count): messages = count
        case let .bytes(count): bytes = count
        }
        warmupNanos = spec.warmupNanos
        intervalNanos = spec.intervalNanos
        connections = spec.connections
        socket = spec.socket
        seed = spec.seed
        switch spec.workload {
        case let .stream(s):
            writeSize = s.writeSize
            direction = s.direction
            verify = s.verify
            raw = s.raw ? true : nil
        case let .replay(r):
            framing = r.framing
            responseFraming = r.effectiveResponseFraming
            corpus = r.corpus
            corpusStats = r.corpusStats
            expect = r.expect
            maxResponse = r.maxResponse
        case let .rr(r):
            requestSize = r.requestSize
            responseSize = r.responseSize
            verify = r.verify
        case let .masked(m):
            requestSize = m.typicalRequestSize
            requestSizes = m.requestSizes
        }
        if let e = spec.exchange {
            inflight = e.inflight
            strategy = e.strategy
            writeChunk = e.writeChunk
            rate = e.rate
            // vsockbench's target only: a replay case refuses them (its service is not ours).
            if spec.kind != .replay {
                targetCostNanos = e.targetCostNanos
                splitWrites = e.splitWrites
            }
        }
    }

    /// The model case this records; knobs a file leaves out take their defaults.
    public var spec: CaseSpec {
        var exchange = Exchange()
        exchange.inflight = inflight ?? exchange.inflight
        exchange.strategy = strategy ?? exchange.strategy
        exchange.targetCostNanos = targetCostNanos ?? 0
        exchange.writeChunk = writeChunk
        exchange.splitWrites = splitWrites ?? false
        exchange.rate = rate
        let model: Workload
        switch workload {
        case .stream:
            let defaults = StreamWorkload()
            model = .stream(StreamWorkload(writeSize: writeSize ?? defaults.writeSize, direction: direction ?? defaults.direction, verify: verify ?? defaults.verify,
                                           raw: raw ?? false))
        case .replay:
            var replay = ReplayWorkload()
            replay.framing = framing ?? replay.framing
            replay.responseFraming = responseFraming
            replay.corpus = corpus ?? ""
            replay.corpusStats = corpusStats ?? replay.corpusStats
            replay.expect = expect ?? replay.expect
            replay.maxResponse = maxResponse ?? replay.maxResponse
            replay.exchange = exchange
            model = .replay(replay)
        case .rr:
            let defaults = RequestResponseWorkload()
            model = .rr(RequestResponseWorkload(requestSize: requestSize ?? defaults.requestSize, responseSize: responseSize ?? defaults.responseSize, exchange: exchange,
                                                verify: verify ?? defaults.verify))
        case .masked:
            model = .masked(MaskedWorkload(requestSizes: requestSizes ?? requestSize.map(SizeSpec.fixed) ?? MaskedWorkload().requestSizes, exchange: exchange))
        }
        var spec = CaseSpec(name: name, workload: model)
        if let durationNanos { spec.stop = .duration(nanos: durationNanos) } else if let messages { spec.stop = .messages(messages) } else if let bytes { spec.stop = .bytes(bytes) }
        spec.warmupNanos = warmupNanos ?? spec.warmupNanos
        spec.intervalNanos = intervalNanos
        spec.connections = connections ?? spec.connections
        spec.socket = socket ?? spec.socket
        spec.seed = seed ?? spec.seed
        return spec
    }

    /// Only the keys the case's workload has, as schema `vsockbench/1` writes them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encodeIfPresent(durationNanos, forKey: .durationNanos)
        try c.encodeIfPresent(messages, forKey: .messages)
        try c.encodeIfPresent(bytes, forKey: .bytes)
        try c.encodeIfPresent(warmupNanos, forKey: .warmupNanos)
        try c.encodeIfPresent(intervalNanos, forKey: .intervalNanos)
        try c.encodeIfPresent(connections, forKey: .connections)
        try c.encodeIfPresent(writeSize, forKey: .writeSize)
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encodeIfPresent(verify, forKey: .verify)
        try c.encodeIfPresent(raw, forKey: .raw)
        try c.encodeIfPresent(framing, forKey: .framing)
        try c.encodeIfPresent(responseFraming, forKey: .responseFraming)
        try c.encodeIfPresent(corpus, forKey: .corpus)
        try c.encodeIfPresent(corpusStats, forKey: .corpusStats)
        try c.encodeIfPresent(expect, forKey: .expect)
        try c.encodeIfPresent(maxResponse, forKey: .maxResponse)
        try c.encodeIfPresent(requestSize, forKey: .requestSize)
        try c.encodeIfPresent(responseSize, forKey: .responseSize)
        try c.encodeIfPresent(requestSizes, forKey: .requestSizes)
        try c.encodeIfPresent(inflight, forKey: .inflight)
        try c.encodeIfPresent(strategy, forKey: .strategy)
        try c.encodeIfPresent(socket, forKey: .socket)
        try c.encodeIfPresent(seed, forKey: .seed)
        if workload.isRequestResponse {
            // Knobs of vsockbench's target: not in a replay's config, whose scenario refuses
            // them (they showed as knobs of its own, split_writes false -> true in compare).
            if workload != .replay {
                try c.encode(targetCostNanos ?? 0, forKey: .targetCostNanos)
                try c.encode(splitWrites ?? false, forKey: .splitWrites)
            }
            // An absent chunk is written as null, as before.
            try c.encode(writeChunk, forKey: .writeChunk)
            try c.encode(rate, forKey: .rate)
        }
    }
}
