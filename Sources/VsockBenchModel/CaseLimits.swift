/// The bounds every case must respect, checked where a case comes from outside: the target
/// checks each hello with them (a driver is a peer it does not trust), so no hello can make it
/// allocate without bound, spin forever or divide by zero. The scenario loader enforces the
/// same bounds key by key.
extension CaseSpec {
    public static let maxBuffer = 64 * 1024 * 1024
    public static let maxConnections = 1024
    public static let maxInflight = 4096

    /// What is out of bounds, one sentence each; empty when the case is acceptable.
    /// `maxFrame` is the target's frame limit, when a target asks.
    public func limitProblems(maxFrame: Int? = nil) -> [String] {
        var problems: [String] = []
        func check(_ ok: Bool, _ message: @autoclosure () -> String) { if !ok { problems.append(message()) } }
        let frameLimit = min(maxFrame ?? Self.maxBuffer, Self.maxBuffer)
        check((1...Self.maxConnections).contains(connections), "connections \(connections) is outside 1...\(Self.maxConnections)")
        check((1...Self.maxInflight).contains(inflight), "inflight \(inflight) is outside 1...\(Self.maxInflight)")
        switch stop {
        case let .duration(nanos): check(nanos > 0, "the duration must be longer than zero")
        case let .messages(n): check(n >= 1, "messages must be at least 1")
        case let .bytes(n): check(n >= 1, "bytes must be at least 1")
        }
        check(seconds(warmupNanos) <= 7 * 86_400, "warmup longer than a week")
        switch workload {
        case .stream:
            check((1...Self.maxBuffer).contains(writeSize), "write_size \(writeSize) is outside 1 B...64 MiB")
        case .rr:
            check((0...frameLimit).contains(requestSize), "request_size \(requestSize) is outside 0...\(frameLimit) bytes (the frame limit)")
            check((0...frameLimit).contains(responseSize), "response_size \(responseSize) is outside 0...\(frameLimit) bytes (the frame limit)")
        case .masked:
            switch requestSizes {
            case let .fixed(n): check((512...(4 << 20)).contains(n), "request_size \(n) is outside 512 B...4 MiB")
            case let .uniform(lo, hi): check(lo >= 512 && hi <= 4 << 20 && lo <= hi, "uniform request sizes must lie in 512 B...4 MiB with min <= max")
            case let .lognormal(m, s): check((512...(4 << 20)).contains(m) && s >= 0 && s <= 3, "lognormal request sizes need a median in 512 B...4 MiB and sigma in 0...3")
            }
            check(requestSizes.upperBound <= frameLimit, "requests up to \(requestSizes.upperBound) bytes exceed the frame limit of \(frameLimit)")
        }
        if let chunk = writeChunk { check((1...Self.maxBuffer).contains(chunk), "write_chunk \(chunk) is outside 1 B...64 MiB") }
        check(targetCostNanos <= 1_000_000_000, "target_cost longer than 1s per message")
        switch strategy {
        case .none: break
        case let .window(n): check((1...Self.maxInflight).contains(n), "window \(n) is outside 1...\(Self.maxInflight)")
        case let .coalesce(m, b, l):
            check((1...4096).contains(m), "coalesce max_messages \(m) is outside 1...4096")
            check((1...Self.maxBuffer).contains(b), "coalesce max_bytes \(b) is outside 1 B...64 MiB")
            check(l <= 1_000_000_000, "coalesce linger longer than 1s")
        case let .writev(m): check((1...1024).contains(m), "writev max_messages \(m) is outside 1...1024")
        case let .writerThread(d, b):
            check((1...4096).contains(d), "writer_thread queue_depth \(d) is outside 1...4096")
            check((1...Self.maxBuffer).contains(b), "writer_thread max_bytes \(b) is outside 1 B...64 MiB")
        case let .normalize(s): check((64...frameLimit).contains(s), "normalize size \(s) is outside 64 B...\(frameLimit) bytes")
        }
        for (name, value) in [("sndbuf", socket.sendBuffer), ("rcvbuf", socket.receiveBuffer)] {
            if let value { check((1...(1 << 30)).contains(value), "\(name) \(value) is outside 1 B...1 GiB") }
        }
        for (name, value) in [("vsock_buffer_size", socket.vsockBufferSize), ("vsock_buffer_min", socket.vsockBufferMin), ("vsock_buffer_max", socket.vsockBufferMax)] {
            if let value { check(value >= 1 && value <= 1 << 30, "\(name) \(value) is outside 1 B...1 GiB") }
        }
        return problems
    }

    private func seconds(_ nanos: UInt64) -> Double { Double(nanos) / 1e9 }
}
