import VsockBenchModel

/// Small cases for in-process tests: kilobyte messages, a 20 ms warmup, count-bounded unless
/// told otherwise, so each runs in milliseconds.
enum Specs {
    static let warmup: UInt64 = 20_000_000
    static let shortDuration = StopCondition.duration(nanos: 200_000_000)

    static func rr(_ name: String = "rr", request: Int = 1024, response: Int = 1024, exchange: Exchange = Exchange(),
                   stop: StopCondition = .messages(200), connections: Int = 1) -> CaseSpec {
        var spec = CaseSpec(name: name, workload: .rr(RequestResponseWorkload(requestSize: request, responseSize: response, exchange: exchange)))
        spec.stop = stop
        spec.warmupNanos = warmup
        spec.connections = connections
        return spec
    }

    static func masked(_ name: String = "masked", sizes: SizeSpec = .fixed(2048), exchange: Exchange = Exchange(),
                       stop: StopCondition = .messages(40), connections: Int = 1) -> CaseSpec {
        var spec = CaseSpec(name: name, workload: .masked(MaskedWorkload(requestSizes: sizes, exchange: exchange)))
        spec.stop = stop
        spec.warmupNanos = warmup
        spec.connections = connections
        return spec
    }

    static func stream(_ name: String = "stream", direction: StreamDirection, writeSize: Int = 16 * 1024, verify: PayloadVerification = .full,
                       stop: StopCondition, connections: Int = 1) -> CaseSpec {
        var spec = CaseSpec(name: name, workload: .stream(StreamWorkload(writeSize: writeSize, direction: direction, verify: verify)))
        spec.stop = stop
        spec.warmupNanos = warmup
        spec.connections = connections
        return spec
    }

    /// A pipelined exchange whose frames are gathered into batches on both sides.
    static let coalesce = Exchange(inflight: 8, strategy: .coalesce(maxMessages: 8, maxBytes: 64 * 1024, lingerNanos: 50_000))
}
