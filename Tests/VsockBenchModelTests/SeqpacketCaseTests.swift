import Testing
@testable import VsockBenchModel

/// Which cases can run over a message-oriented transport (seqpacket): one frame per send.
@Suite struct MessageTransportProblemTests {
    static func rr(_ exchange: Exchange) -> CaseSpec {
        CaseSpec(name: "c", workload: .rr(RequestResponseWorkload(exchange: exchange)))
    }

    @Test("none, window and normalize write one frame per send: no problem", arguments: [
        BatchingStrategy.none, .window(8), .normalize(size: 4096),
    ])
    func oneFramePerSendRuns(strategy: BatchingStrategy) {
        #expect(Self.rr(Exchange(inflight: 8, strategy: strategy)).messageTransportProblems().isEmpty)
        let masked = CaseSpec(name: "m", workload: .masked(MaskedWorkload(exchange: Exchange(strategy: strategy))))
        #expect(masked.messageTransportProblems().isEmpty)
    }

    @Test("merging strategies, cut frames and streams are refused, each with its reason", arguments: [
        (BatchingStrategy.coalesce(maxMessages: 8, maxBytes: 65536, lingerNanos: 100_000), "strategy coalesce merges frames into one write"),
        (.writev(maxMessages: 8), "strategy writev merges frames into one write"),
        (.writerThread(queueDepth: 8, maxBytes: 65536), "strategy writer_thread merges frames into one write"),
    ])
    func mergingStrategiesAreRefused(strategy: BatchingStrategy, reason: String) {
        let problems = Self.rr(Exchange(inflight: 8, strategy: strategy)).messageTransportProblems()
        #expect(problems.count == 1 && problems[0].hasPrefix(reason) && problems[0].contains("use none, window or normalize"), "\(problems)")
    }

    @Test func cutFramesAndStreamsAreRefused() {
        #expect(Self.rr(Exchange(writeChunk: 100)).messageTransportProblems() == [
            "write_chunk cuts a frame into several writes, but over seqpacket each write is a packet of its own: drop write_chunk",
        ])
        #expect(Self.rr(Exchange(splitWrites: true)).messageTransportProblems().first?.hasPrefix("split_writes writes a frame as two writes") == true)
        #expect(Self.rr(Exchange(inflight: 8, strategy: .writev(maxMessages: 8), writeChunk: 10, splitWrites: true)).messageTransportProblems().count == 3)
        let stream = CaseSpec(name: "s", workload: .stream(StreamWorkload()))
        #expect(stream.messageTransportProblems().first?.contains("use a vsock:// or unix:// endpoint for stream cases") == true)
    }

    @Test("replay and raw streams read a byte stream: refused even with strategy none")
    func foreignCasesAreRefused() {
        var replay = ReplayWorkload()
        replay.framing = .varint
        replay.exchange = Exchange(strategy: .none)
        let problems = CaseSpec(name: "r", workload: .replay(replay)).messageTransportProblems()
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.hasPrefix("replay sends a service's own framing over a byte stream") == true)
        #expect(problems.first?.contains("use a vsock:// or unix:// endpoint for replay cases") == true)
        let raw = CaseSpec(name: "raw", workload: .stream(StreamWorkload(raw: true)))
        #expect(raw.workload.isForeign)
        #expect(raw.messageTransportProblems().count == 1)
    }
}
