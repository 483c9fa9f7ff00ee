import Foundation
import Testing
@testable import VsockBenchSupport
@testable import VsockWire
@testable import VsockBenchModel
@testable import VsockBenchEngine
@testable import VsockBenchReport

/// The masked workload and the batching strategies, end to end through `serve --mode agent`.
@Suite(.serialized) struct BatchingTests {
    /// Count-bounded (20 messages a case) so that a debug build's slow protobuf still completes
    /// every case; speed is for release builds and benchmarks.
    @Test(arguments: ["unix", "tcp"])
    func compareBatchingVerifiesEveryCase(transport: String) throws {
        let dir = try Tool.scratch()
        let listen = transport == "unix" ? "unix://\(dir)/t.sock" : "tcp://127.0.0.1:0"
        let server = try ServeProcess(listen: listen, extra: ["--mode", "agent"])
        defer { server.stop() }
        let result = try Tool.run(["compare", "scenarios/batching.yaml", "--target", server.endpoint.description,
                                   "--messages", "20", "--warmup", "0s", "--json", dir + "/c.json", "--markdown", dir + "/c.md"], timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/c.json"))) as? [String: Any]
        let comparison = try #require(raw?["comparison"] as? [String: Any])
        #expect(comparison["baseline"] as? String == "none")
        let rows = try #require(comparison["rows"] as? [[String: Any]])
        #expect(rows.map { $0["name"] as? String } == ["none", "window-8", "coalesce", "writev", "writer-thread", "normalize-8k", "ceiling"])
        #expect(rows.allSatisfy { $0["verified"] as? Bool == true })
        let cases = try #require(raw?["cases"] as? [[String: Any]])
        #expect(cases.count == 7)
        let markdown = try String(contentsOfFile: dir + "/c.md", encoding: .utf8)
        #expect(markdown.contains("| none | masked |"))
        let (_, log) = server.stop()
        #expect(!log.contains("@example"), "the target never logs payload bytes")
    }

    /// For a fixed number of messages, coalescing and writev make fewer write syscalls per
    /// message than one write per frame, on both sides (counted by our socket layer).
    @Test func batchingStrategiesMakeFewerWritesPerMessage() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: writes
            defaults: {warmup: 0s, messages: 400, request_size: 2KiB, response_size: 2KiB}
            cases:
              - {name: none, workload: rr, inflight: 10}
              - {name: coalesce, workload: rr, strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 500us}}}
              - {name: writev, workload: rr, strategy: {writev: {max_messages: 10}}}
              - {name: writer-thread, workload: rr, strategy: {writer_thread: {queue_depth: 10, max_bytes: 256KiB}}}
              - {name: normalize, workload: rr, strategy: {normalize: {size: 4KiB}}}
            """)
        let result = try Tool.run(["run", path, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        let byName = Dictionary(uniqueKeysWithValues: document.cases.map { ($0.name, $0) })
        let none = try #require(byName["none"])
        #expect(none.messages == 400)
        #expect(none.writesPerMessage == 1 && none.targetWritesPerMessage == 1)
        for name in ["coalesce", "writev"] {
            let c = try #require(byName[name])
            #expect(c.messages == 400)
            let writes = try #require(c.writesPerMessage)
            let targetWrites = try #require(c.targetWritesPerMessage)
            let baseline = try #require(none.targetWritesPerMessage)
            #expect(writes < 0.5, "\(name): driver writes/msg \(writes)")
            #expect(targetWrites < baseline, "\(name): target writes/msg \(targetWrites)")
        }
        let writer = try #require(byName["writer-thread"])
        #expect(try #require(writer.writesPerMessage) < 1)
        let normalize = try #require(byName["normalize"])
        #expect(normalize.writesPerMessage == 1)
        #expect(normalize.bytesTx == 400 * 2048, "Mbps counts payload: the padding is not the application's")
        #expect(normalize.wireBytesPerMessage == Double(2 * (FrameHeader.size + 4096)), "2 KiB payloads padded to 4 KiB each way on the wire")
    }

    @Test func malformedProtobufGetsAnErrorFrameAndTheAgentKeepsServing() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--mode", "agent"])
        defer { server.stop() }
        let spec = CaseSpec(name: "m", workload: .masked(MaskedWorkload(requestSizes: .fixed(2048))))
        let control = try DriverConnection.open(to: server.endpoint, role: .control, session: 9, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: server.endpoint, role: .data, session: 9, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        let garbage: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3]
        var frame = [UInt8](repeating: 0, count: FrameHeader.size)
        frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: garbage.count, sequence: 0).encode(into: $0.baseAddress!) }
        try data.socket.send(frame + garbage)
        do {
            _ = try data.expect(.response)
            Issue.record("the agent answered garbage")
        } catch {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "bad_request")
        }
        #expect(try data.reader.next() == nil, "the connection is closed after the error frame")

        let path = try scenarioFile("name: ok\ncases:\n  - {name: m, workload: masked, messages: 20, warmup: 0s}\n")
        let ok = try Tool.run(["run", path, "--target", server.endpoint.description])
        #expect(ok.status == 0, "\(ok.stdout)\n\(ok.stderr)")
    }

    @Test func maskedCasesNeedAnAgentTarget() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let path = try scenarioFile("name: m\ncases:\n  - {name: m, workload: masked, messages: 5, warmup: 0s}\n")
        let result = try Tool.run(["run", path, "--target", server.endpoint.description])
        #expect(result.status == 1)
        #expect(result.stdout.contains("serve --mode agent"), "\(result.stdout)")
    }

    @Test func theNullTargetReportsTheProcessingCeiling() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: ceiling
            defaults: {warmup: 0s, messages: 30}
            cases:
              - {name: masked, workload: masked, request_size: {dist: lognormal, median: 4KiB, sigma: 0.5}}
              - {name: echo, workload: rr, request_size: 1KiB, response_size: 1KiB}
              - {name: bulk, workload: stream}
            """)
        let result = try Tool.run(["run", path, "--target", "null", "--json", dir + "/n.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/n.json"))))
        #expect(document.transport == "null")
        let masked = document.cases[0]
        #expect(masked.verified && masked.messages == 30)
        #expect(masked.writesPerMessage == 0, "no socket, no syscalls")
        let stats = try #require(masked.target)
        #expect(stats.decodeSeconds > 0 && stats.maskSeconds > 0 && stats.encodeSeconds > 0)
        #expect(document.cases[1].verified)
        #expect(document.cases[2].skipped != nil)

        // A scenario the null target can run none of is refused before anything runs (exit 2,
        // no table): one line naming each case and why.
        let streams = try scenarioFile("name: s\ncases:\n  - {name: bulk, workload: stream, messages: 10, warmup: 0s}\n")
        let nothing = try Tool.run(["run", streams, "--target", "null"])
        #expect(nothing.status == 2, "\(nothing.stdout)\n\(nothing.stderr)")
        #expect(nothing.stdout.isEmpty, "nothing ran: \(nothing.stdout)")
        #expect(nothing.stderr.contains("--target null can run none of these cases ('bulk': stream cases need a channel"), "\(nothing.stderr)")
    }
}

/// What the strategies' parameters promise, measured.
@Suite(.serialized) struct StrategyBoundsTests {
    static func run(_ yaml: String) throws -> RunDocument {
        let dir = try Tool.scratch()
        let path = try scenarioFile(yaml)
        let result = try Tool.run(["run", path, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        return try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
    }

    @Test func lingerBoundsHowLongABatchWaits() throws {
        let document = try Self.run("""
            name: linger
            defaults: {warmup: 0s, messages: 600, request_size: 1KiB, response_size: 1KiB, inflight: 10}
            cases:
              - {name: long, workload: rr, strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 20ms}}}
              - {name: short, workload: rr, strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 1ns}}}
            """)
        let long = try #require(document.cases[0].writesPerMessage)
        let short = try #require(document.cases[1].writesPerMessage)
        #expect(long <= 0.2, "a long linger lets batches fill: \(long) writes/msg")
        #expect(short > long * 2, "a 1 ns linger sends almost every frame at once: \(short) against \(long)")
    }

    @Test func pipelinedIntervalsCountExactlyTheirOwnMessages() throws {
        let document = try Self.run("""
            name: exact
            defaults: {warmup: 100ms, messages: 900, request_size: 2KiB, response_size: 2KiB}
            cases:
              - {name: window, workload: rr, connections: 3, strategy: {window: 4}}
              - {name: padded, workload: rr, inflight: 4, strategy: {normalize: {size: 100KiB}}}
            """)
        let window = document.cases[0]
        #expect(window.messages == 900)
        #expect(window.bytesTx == 900 * 2048, "the payload of the interval's requests only")
        #expect(window.bytesRx == window.bytesTx, "their responses only")
        #expect(window.wireBytesPerMessage == Double(2 * (FrameHeader.size + 2048)), "and on the wire, their frames only")
        let padded = document.cases[1]
        #expect(padded.verified, "responses padded past 64 KiB are accepted: \(padded.errors)")
        #expect(padded.bytesTx == 900 * 2048)
        #expect(padded.wireBytesPerMessage == Double(2 * (FrameHeader.size + 100 * 1024)), "padded frames each way")
    }
}
