import VsockBenchSupport
/// The bounds every case must respect, checked where a case comes from outside: the target
/// checks each hello with them (a driver is a peer it does not trust), so no hello can make it
/// allocate without bound, spin forever or divide by zero. The scenario loader enforces the
/// same bounds key by key.
extension CaseSpec {
    public static let maxBuffer = 64 * 1024 * 1024
    public static let maxConnections = 1024
    public static let maxInflight = 4096
    /// The shortest slice of a time series, and the most slices a case reports (a longer
    /// count-bounded case folds the rest into its last slice).
    public static let minInterval: UInt64 = 10_000_000
    public static let maxIntervals = 3600

    /// What is out of bounds, one sentence each; empty when the case is acceptable.
    /// `maxFrame` is the target's frame limit, when a target asks. `recorded`: the case of a
    /// results file, which an older version may have run under looser rules: what a new run
    /// may not ask (a duration under 10ms, inflight x target_cost over a minute) is not a
    /// fault of the file, only what would make its arithmetic unsafe.
    public func limitProblems(maxFrame: Int? = nil, recorded: Bool = false) -> [String] {
        var problems = LimitProblems()
        let frameLimit = min(maxFrame ?? Self.maxBuffer, Self.maxBuffer)
        if let problem = CaseBuilder.nameProblem(name) { problems.check(false, problem) }
        problems.check((1...Self.maxConnections).contains(connections), "connections \(connections) is outside 1...\(Self.maxConnections)")
        switch stop {
        case let .duration(nanos): problems.check(nanos >= (recorded ? 1 : Self.minInterval), "the duration must be at least \(Quantities.formatDuration(recorded ? 1 : Self.minInterval))")
        case let .messages(n): problems.check(n >= 1, "messages must be at least 1")
        case let .bytes(n):
            problems.check(n >= 1, "bytes must be at least 1")
            problems.check(kind == .stream, "bytes bounds stream cases only; a \(kind.rawValue) case stops after a duration or a number of messages")
        }
        problems.check(Double(warmupNanos) / 1e9 <= 7 * 86_400, "warmup longer than a week")
        if let interval = intervalNanos {
            problems.check(interval >= Self.minInterval, "interval \(Quantities.formatDuration(interval)) is shorter than \(Quantities.formatDuration(Self.minInterval)) (a slice must hold many messages)")
            if case let .duration(nanos) = stop {
                problems.check(nanos / max(interval, 1) <= UInt64(Self.maxIntervals), "interval \(Quantities.formatDuration(interval)) cuts the duration into more than \(Self.maxIntervals) slices")
                problems.check(interval <= nanos, "interval \(Quantities.formatDuration(interval)) is longer than the duration (\(Quantities.formatDuration(nanos))): its one slice would be cut short; give at most the duration")
            }
        }
        switch workload {
        case let .stream(s):
            problems.check((1...Self.maxBuffer).contains(s.writeSize), "write_size \(s.writeSize) is outside 1 B...64 MiB")
        case let .rr(r):
            problems.check((0...frameLimit).contains(r.requestSize), "request_size \(r.requestSize) is outside 0...\(frameLimit) bytes (the frame limit)")
            problems.check((0...frameLimit).contains(r.responseSize), "response_size \(r.responseSize) is outside 0...\(frameLimit) bytes (the frame limit)")
            Self.check(r.exchange, frameLimit: frameLimit, recorded: recorded, into: &problems)
        case let .masked(m):
            switch m.requestSizes {
            case let .fixed(n): problems.check((512...(4 << 20)).contains(n), "request_size \(n) is outside 512 B...4 MiB")
            case let .uniform(lo, hi): problems.check(lo >= 512 && hi <= 4 << 20 && lo <= hi, "uniform request sizes must lie in 512 B...4 MiB with min <= max")
            case let .lognormal(m, s): problems.check((512...(4 << 20)).contains(m) && s >= 0 && s <= 3, "lognormal request sizes need a median in 512 B...4 MiB and sigma in 0...3")
            }
            problems.check(m.requestSizes.upperBound <= frameLimit, "requests up to \(m.requestSizes.upperBound) bytes exceed the frame limit of \(frameLimit)")
            Self.check(m.exchange, frameLimit: frameLimit, recorded: recorded, into: &problems)
        case let .replay(r):
            problems.check(r.corpusStats.largest <= frameLimit, "the corpus has a message of \(r.corpusStats.largest) bytes, over the limit of \(frameLimit)")
            problems.check((1...Self.maxBuffer).contains(r.maxResponse), "max_response \(r.maxResponse) is outside 1 B...64 MiB")
            Self.check(r.exchange, frameLimit: frameLimit, recorded: recorded, into: &problems)
        }
        for (name, value) in [("sndbuf", socket.sendBuffer), ("rcvbuf", socket.receiveBuffer)] {
            if let value { problems.check((1...(1 << 30)).contains(value), "\(name) \(value) is outside 1 B...1 GiB") }
        }
        for (name, value) in [("vsock_buffer_size", socket.vsockBufferSize), ("vsock_buffer_min", socket.vsockBufferMin), ("vsock_buffer_max", socket.vsockBufferMax)] {
            if let value { problems.check(value >= 1 && value <= 1 << 30, "\(name) \(value) is outside 1 B...1 GiB") }
        }
        return problems.items
    }

    private static func check(_ e: Exchange, frameLimit: Int, recorded: Bool, into problems: inout LimitProblems) {
        problems.check((1...maxInflight).contains(e.inflight), "inflight \(e.inflight) is outside 1...\(maxInflight)")
        if let chunk = e.writeChunk { problems.check((1...maxBuffer).contains(chunk), "write_chunk \(chunk) is outside 1 B...64 MiB") }
        problems.check(e.targetCostNanos <= 1_000_000_000, "target_cost longer than 1s per message")
        // The product of two limits only once each is within its own: one problem a hello.
        if !recorded, e.targetCostNanos <= 1_000_000_000, let problem = e.queuedCostProblem { problems.check(false, problem) }
        if let rate = e.rate { problems.check(rate.perSecond >= ArrivalRate.minimumPerSecond && rate.perSecond <= 10_000_000, "rate \(rate.perSecond)/s is outside [\(ArrivalRate.minimumPerSecond), 10000000]/s") }
        switch e.strategy {
        case .none: break
        case let .window(n): problems.check((1...maxInflight).contains(n), "window \(n) is outside 1...\(maxInflight)")
        case let .coalesce(m, b, l):
            problems.check((1...4096).contains(m), "coalesce max_messages \(m) is outside 1...4096")
            problems.check((1...maxBuffer).contains(b), "coalesce max_bytes \(b) is outside 1 B...64 MiB")
            problems.check(l <= 1_000_000_000, "coalesce linger longer than 1s")
        case let .writev(m): problems.check((1...1024).contains(m), "writev max_messages \(m) is outside 1...1024")
        case let .writerThread(d, b):
            problems.check((1...4096).contains(d), "writer_thread queue_depth \(d) is outside 1...4096")
            problems.check((1...maxBuffer).contains(b), "writer_thread max_bytes \(b) is outside 1 B...64 MiB")
        case let .normalize(s): problems.check((64...frameLimit).contains(s), "normalize size \(s) is outside 64 B...\(frameLimit) bytes")
        }
    }
}

/// The sentences `limitProblems` collects.
private struct LimitProblems {
    var items: [String] = []

    mutating func check(_ ok: Bool, _ message: @autoclosure () -> String) {
        if !ok { items.append(message()) }
    }
}
