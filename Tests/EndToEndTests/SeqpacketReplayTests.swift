import Foundation
import Testing
import VsockWire

/// `workload: replay` over `unix+seqpacket://` against an in-test service that is not
/// vsockbench: each corpus message goes as one packet holding only its payload (the corpus
/// file keeps its framing), each response is one packet read whole. What cannot keep one
/// message per packet is refused before anything connects (exit 2).
@Suite(.serialized) struct SeqpacketReplayTests {
    /// Payload sizes of the test corpus; each payload a pattern that differs from its reverse.
    static let sizes = [1, 100, 1000, 4000, 9000]
    static var total: Int { sizes.reduce(0, +) }

    /// Writes the corpus in `framing` (u32be unless said) and returns its path.
    static func corpus(_ dir: String, framing: MessageFraming = .u32be, sizes: [Int] = sizes) throws -> String {
        var bytes: [UInt8] = []
        for (m, size) in sizes.enumerated() {
            framing.encode((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ m &+ 1) }, into: &bytes)
        }
        let path = dir + "/c.\(framing.rawValue)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func run(_ service: SeqpacketService, corpus: String, _ keys: String, json: String? = nil) throws -> Tool.Output {
        let scenario = try scenarioFile("name: sp\ncases:\n  - {name: agent, workload: replay, framing: u32be, corpus: \(corpus), \(keys)}\n")
        return try Tool.run(["run", scenario, "--target", service.endpoint.description] + (json.map { ["--json", $0] } ?? []), timeout: 30)
    }

    /// Stop-and-wait against an echo: exactly one packet each way per message, the payloads
    /// alone on the wire (no u32be prefix reaches the service), every echo verified.
    @Test func eachMessageIsOnePacketWithoutItsFraming() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { $0 }
        defer { service.stop() }
        let out = try Self.run(service, corpus: try Self.corpus(dir), "expect: echo, messages: 50, warmup: 0s", json: dir + "/r.json")
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        #expect(service.handled == 50, "the service answered \(service.handled) packets; the case sent 50")
        #expect(service.sizes == Set(Self.sizes), "packets of exactly the payload sizes, no framing: \(service.sizes.sorted())")
        #expect(service.bytes == 10 * Self.total, "\(service.bytes) request bytes reached the service")
        let c = try ReplayTests.firstCase(dir + "/r.json")
        #expect(c["transport"] as? String == "unix+seqpacket")
        #expect(c["verified"] as? Bool == true)
        #expect(c["messages"] as? Int == 50)
        #expect(c["bytes_tx"] as? Int == 10 * Self.total)
        #expect(c["bytes_rx"] as? Int == 10 * Self.total)
        #expect(c["writes_per_msg"] as? Double == 1, "one send per request: \(String(describing: c["writes_per_msg"]))")
        #expect(c["reads_per_msg"] as? Double == 1, "one receive per response: \(String(describing: c["reads_per_msg"]))")
        #expect(c["target_writes_per_msg"] is NSNull)
        #expect((c["verification"] as? String)?.hasPrefix("every response: one packet (the whole message) of at most 16777216 bytes, equal to its request (expect: echo)") == true,
                "\(String(describing: c["verification"]))")
    }

    /// A service that speaks before it is asked: over seqpacket each packet is one response, so
    /// the run fails saying the service spoke unasked, never blaming a framing there is none of
    /// (it said "after the answer to its last request ... not framed as response_framing says").
    @Test func aServiceThatSpeaksFirstIsNamed() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock", greeting: Array("hello".utf8)) { $0 }
        defer { service.stop() }
        let out = try Self.run(service, corpus: try Self.corpus(dir), "messages: 20, warmup: 0s")
        #expect(out.status == 1, "\(out.stdout)\n\(out.stderr)")
        // Caught before the first request: the connection waits for a greeting before it sends.
        #expect(out.stdout.contains("connection 0: the service sent a message at byte offset 0 of the responses before the first request was sent: it speaks first"), "\(out.stdout)")
        #expect(!out.stdout.contains("response_framing says"), "\(out.stdout)")
    }

    /// Responses of another size than the request (`expect: any`): read whole, counted as they are.
    @Test func responsesAreReadWhole() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { [UInt8](repeating: 3, count: 70_000 - $0.count) }
        defer { service.stop() }
        let out = try Self.run(service, corpus: try Self.corpus(dir), "messages: 25, warmup: 0s", json: dir + "/r.json")
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try ReplayTests.firstCase(dir + "/r.json")
        #expect(c["bytes_rx"] as? Int == 25 * 70_000 - 5 * Self.total, "each response as large as the service made it")
        #expect(c["reads_per_msg"] as? Double == 1)
    }

    /// An empty packet back is an empty response, not the end of the connection: counted with
    /// 0 bytes (`expect: any`), and a mismatch with `expect: echo` (no request is empty).
    @Test func anEmptyResponseIsAResponse() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { $0.count == 100 ? [] : $0 }
        defer { service.stop() }
        let corpus = try Self.corpus(dir)
        let out = try Self.run(service, corpus: corpus, "messages: 20, warmup: 0s", json: dir + "/r.json")
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try ReplayTests.firstCase(dir + "/r.json")
        #expect(c["messages"] as? Int == 20)
        #expect(c["bytes_rx"] as? Int == 4 * (Self.total - 100), "the four 100-byte requests were answered with nothing")
        let echo = try Self.run(service, corpus: corpus, "expect: echo, messages: 20, warmup: 0s")
        #expect(echo.status == 1, "\(echo.stdout)\n\(echo.stderr)")
        #expect(echo.stdout.contains("connection 0, request 2: the response to corpus message 2 of 5 has 0 bytes; its request had 100 (expect: echo)"), "\(echo.stdout)")
    }

    /// Pipelined, window and open-loop replays end cleanly with no bye, every request answered.
    @Test(arguments: ["inflight: 8", "strategy: {window: 4}", "rate: 500/s"])
    func pipelinedReplaysEndWhenEveryRequestIsAnswered(knob: String) throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { $0 }
        defer { service.stop() }
        let out = try Self.run(service, corpus: try Self.corpus(dir), "expect: echo, duration: 400ms, warmup: 100ms, connections: 2, \(knob)",
                               json: dir + "/r.json")
        #expect(out.status == 0, "\(knob): \(out.stdout)\n\(out.stderr)")
        let c = try ReplayTests.firstCase(dir + "/r.json")
        #expect((c["messages"] as? Int ?? 0) > 0)
        #expect(c["verified"] as? Bool == true)
        #expect(service.sizes.isSubset(of: Set(Self.sizes)), "\(service.sizes.sorted())")
        #expect(service.accepted == 2)
    }

    /// A corrupted echo, a response over max_response and a service that closes early each fail the run (exit 1) naming the message, never its bytes.
    @Test func badResponsesFailTheRun() throws {
        let dir = try Tool.scratch()
        let corpus = try Self.corpus(dir)
        func run(_ name: String, closeAfter: Int? = nil, _ keys: String = "", respond: @escaping @Sendable ([UInt8]) -> [UInt8]) throws -> Tool.Output {
            let service = try SeqpacketService(path: dir + "/\(name).sock", closeAfter: closeAfter, respond: respond)
            defer { service.stop() }
            return try Self.run(service, corpus: corpus, "messages: 50, warmup: 0s" + keys)
        }
        let corrupt = try run("corrupt", ", expect: echo") { $0.reversed() }
        #expect(corrupt.status == 1)
        #expect(corrupt.stdout.contains("connection 0, request 2: the response to corpus message 2 of 5 differs from its request at byte offset 0 of its payload (expect: echo)"), "\(corrupt.stdout)")
        let short = try run("short", ", expect: echo") { $0.count > 1 ? Array($0.dropLast()) : $0 }
        #expect(short.status == 1)
        #expect(short.stdout.contains("connection 0, request 2: the response to corpus message 2 of 5 has 99 bytes; its request had 100 (expect: echo)"), "\(short.stdout)")
        let huge = try run("huge", ", max_response: 4KiB") { _ in [UInt8](repeating: 1, count: 5000) }
        #expect(huge.status == 1)
        #expect(huge.stdout.contains("request 1: bad response from the service: the response to request 1 is a packet of 5000 bytes, over the limit of 4096 (at byte offset 0 of the responses)"), "\(huge.stdout)")
        let justOver = try run("over", ", max_response: 4KiB, inflight: 4") { $0.count == 4000 ? [UInt8](repeating: 1, count: 4097) : $0 }
        #expect(justOver.status == 1)
        #expect(justOver.stdout.contains("request 4: bad response from the service: the response to request 4 is a packet of 4097 bytes, over the limit of 4096 (at byte offset 1101 of the responses)"), "\(justOver.stdout)")
        let closing = try run("closing", closeAfter: 10, ", inflight: 4") { $0 }
        #expect(closing.status == 1)
        // The service, not a vsockbench target, and where in its responses.
        #expect(closing.stdout.contains("the service closed"), "\(closing.stdout)")
        // After at most 10: the receiver reads the responses queued behind the reset before
        // it says the reset, but the sender may meet the close first. "Of the responses", as
        // every seqpacket offset says: there is no stream.
        #expect(closing.stdout.range(of: #"at byte offset [0-9]+ of the responses \(after ([0-9]|10) responses?\)"#, options: .regularExpression) != nil, "\(closing.stdout)")
    }

    /// What cannot keep one message per packet is refused before anything connects: one line
    /// per case, exit 2.
    @Test func casesThatCannotKeepBoundariesAreRefused() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { $0 }
        defer { service.stop() }
        let corpus = try Self.corpus(dir)
        let target = service.endpoint.description
        for (keys, reason) in [
            ("strategy: {coalesce: {max_messages: 8, max_bytes: 64KiB, linger: 100us}}", "strategy coalesce merges messages into one write, but over seqpacket each message is its own packet: use none or window"),
            ("strategy: {writev: {max_messages: 8}}", "strategy writev merges messages into one write"),
            ("strategy: {writer_thread: {queue_depth: 8, max_bytes: 64KiB}}", "strategy writer_thread merges messages into one write"),
            ("write_chunk: 512", "write_chunk cuts a message into several writes"),
        ] {
            let out = try Self.run(service, corpus: corpus, "messages: 50, warmup: 0s, " + keys)
            #expect(out.status == 2, "\(keys): \(out.stdout)\n\(out.stderr)")
            #expect(out.stderr.contains("case 'agent' cannot run over \(target): \(reason)"), "\(out.stderr)")
        }
        // An empty message in the corpus (varint length 0): no packet can carry it.
        let emptyCorpus = try Self.corpus(dir, framing: .varint, sizes: [10, 0, 10])
        let scenario = try scenarioFile("name: sp\ncases:\n  - {name: empty, workload: replay, framing: varint, corpus: \(emptyCorpus), messages: 9, warmup: 0s}\n")
        let empty = try Tool.run(["run", scenario, "--target", target])
        #expect(empty.status == 2, "\(empty.stdout)\n\(empty.stderr)")
        #expect(empty.stderr.contains("case 'empty' cannot run over \(target): the corpus \(emptyCorpus) holds an empty message"), "\(empty.stderr)")
        #expect(service.accepted == 0, "refused before connecting")
    }

    /// response_framing has nothing to describe over seqpacket: the case runs and says so.
    @Test func responseFramingIsNotUsedAndSaidSo() throws {
        let dir = try Tool.scratch()
        let service = try SeqpacketService(path: dir + "/sp.sock") { $0 }
        defer { service.stop() }
        let out = try Self.run(service, corpus: try Self.corpus(dir), "response_framing: u16be, expect: echo, messages: 20, warmup: 0s")
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        #expect(out.stderr.contains("note: case 'agent' over \(service.endpoint): response_framing u16be is not used over seqpacket: each response is one packet"), "\(out.stderr)")
        #expect(service.handled == 20)
    }
}
