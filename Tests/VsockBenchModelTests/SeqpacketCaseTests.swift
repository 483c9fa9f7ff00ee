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

    static func replay(_ exchange: Exchange, smallest: Int? = 1, _ change: (inout ReplayWorkload) -> Void = { _ in }) -> CaseSpec {
        var replay = ReplayWorkload()
        replay.framing = .varint
        change(&replay)
        replay.corpus = "/tmp/c.varint"
        replay.corpusStats = CorpusStats(messages: 3, payloadBytes: 300, largest: 200, smallest: smallest)
        replay.exchange = exchange
        return CaseSpec(name: "r", workload: .replay(replay))
    }

    @Test("replay runs with none and window: one corpus message per packet", arguments: [
        Exchange(strategy: .none), Exchange(inflight: 8, strategy: .window(8)), Exchange(inflight: 4),
        Exchange(inflight: 16, rate: ArrivalRate(perSecond: 1000)),
    ])
    func replayRuns(exchange: Exchange) {
        #expect(Self.replay(exchange).messageTransportProblems().isEmpty)
        #expect(Self.replay(exchange, smallest: nil).messageTransportProblems().isEmpty, "a corpus not read yet is not refused")
    }

    @Test("replay: strategies that merge messages and write_chunk are refused, in a replay's words", arguments: [
        (BatchingStrategy.coalesce(maxMessages: 8, maxBytes: 65536, lingerNanos: 100_000), "strategy coalesce merges messages into one write, but over seqpacket each message is its own packet: use none or window"),
        (.writev(maxMessages: 8), "strategy writev merges messages into one write, but over seqpacket each message is its own packet: use none or window"),
        (.writerThread(queueDepth: 8, maxBytes: 65536), "strategy writer_thread merges messages into one write, but over seqpacket each message is its own packet: use none or window"),
    ])
    func replayMergingStrategiesAreRefused(strategy: BatchingStrategy, reason: String) {
        #expect(Self.replay(Exchange(inflight: 8, strategy: strategy)).messageTransportProblems() == [reason])
    }

    @Test func replayCutMessagesAndEmptyMessagesAreRefused() {
        #expect(Self.replay(Exchange(writeChunk: 100)).messageTransportProblems() == [
            "write_chunk cuts a message into several writes, but over seqpacket each write is a packet of its own: drop write_chunk",
        ])
        let empty = Self.replay(Exchange(), smallest: 0).messageTransportProblems()
        #expect(empty.count == 1, "\(empty)")
        #expect(empty.first?.hasPrefix("the corpus /tmp/c.varint holds an empty message; over seqpacket each message is one packet, and an empty packet reads as the end of the connection") == true, "\(empty)")
    }

    @Test("replay's response_framing is not used over seqpacket: a note, not a problem")
    func replayResponseFramingIsANote() {
        let different = Self.replay(Exchange()) { $0.responseFraming = .u16be }
        #expect(different.messageTransportProblems().isEmpty)
        #expect(different.messageTransportNotes() == [
            "response_framing u16be is not used over seqpacket: each response is one packet, read whole as the message (framing varint still reads the corpus file)",
        ])
        #expect(Self.replay(Exchange()) { $0.responseFraming = .varint }.messageTransportNotes().isEmpty, "the same as framing: nothing to say")
        #expect(Self.replay(Exchange()).messageTransportNotes().isEmpty)
        #expect(Self.rr(Exchange()).messageTransportNotes().isEmpty)
    }

    @Test("raw streams read a byte stream: refused")
    func rawStreamsAreRefused() {
        let raw = CaseSpec(name: "raw", workload: .stream(StreamWorkload(raw: true)))
        #expect(raw.workload.isForeign)
        #expect(raw.messageTransportProblems().count == 1)
    }
}
