import Foundation
import Testing
@testable import VsockBenchReport

/// `serve --listen unix+seqpacket://` and `run --target unix+seqpacket://` as separate
/// processes: rr runs with one packet per frame, and what cannot run there is refused
/// before anything runs (exit 2, one line per case).
@Suite(.serialized) struct SeqpacketCommandTests {
    @Test func rrRunsVerifiedOverUnixSeqpacket() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix+seqpacket://\(dir)/sp.sock")
        defer { server.stop() }
        #expect(server.endpoint.isMessageOriented, "\(server.endpoint)")
        let json = dir + "/r.json"
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--target", server.endpoint.description, "--case", "chatty-8k",
                                   "--messages", "300", "--warmup", "50ms", "--json", json])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("against unix+seqpacket://\(dir)/sp.sock"), "\(result.stdout)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(document.transport == "unix+seqpacket")
        let chatty = try #require(document.cases.first)
        #expect(document.cases.map(\.name) == ["chatty-8k"])
        #expect(chatty.verified, "\(chatty.errors)")
        #expect(chatty.messages == 300)
        #expect(chatty.target?.messages == 300, "the target counted \(chatty.target?.messages ?? 0)")
        #expect(chatty.writesPerMessage == 1 && chatty.readsPerMessage == 1, "one packet each way per message")
        #expect(chatty.targetWritesPerMessage == 1)
    }

    @Test func casesThatCannotRunOverSeqpacketAreRefusedBeforeRunning() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix+seqpacket://\(dir)/sp.sock")
        defer { server.stop() }
        let target = server.endpoint.description
        let json = dir + "/r.json"

        // cliff has a stream case: nothing runs, not even chatty-8k.
        let cliff = try Tool.run(["run", "scenarios/cliff.yaml", "--target", target, "--json", json])
        #expect(cliff.status == 2, "\(cliff.stdout)\n\(cliff.stderr)")
        #expect(cliff.stderr.contains("case 'bulk' cannot run over \(target): a stream workload is a byte stream"), "\(cliff.stderr)")
        #expect(!cliff.stderr.contains("chatty-8k"))
        #expect(!FileManager.default.fileExists(atPath: json), "refused before anything ran")

        // Two refused cases: one line each, then exit 2.
        let two = try scenarioFile("""
            name: two
            cases:
              - {name: merged, workload: rr, inflight: 8, strategy: {writev: {max_messages: 8}}}
              - {name: fine, workload: rr}
              - {name: chunked, workload: rr, write_chunk: 1KiB}
            """)
        let refused = try Tool.run(["run", two, "--target", target])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("case 'merged' cannot run over \(target): strategy writev merges frames"), "\(refused.stderr)")
        #expect(refused.stderr.contains("case 'chunked' cannot run over \(target): write_chunk cuts a frame"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("'fine'"))

        // Replay runs over seqpacket (SeqpacketReplayTests), one message per packet: a
        // strategy that merges messages is refused, in a replay's words.
        let corpus = try Tool.run(["corpus", dir + "/c.u32be", "--framing", "u32be", "--generate", "5", "--size", "1KiB"])
        #expect(corpus.status == 0, "\(corpus.stderr)")
        let replay = try scenarioFile("name: r\ncases:\n  - {name: agent, workload: replay, framing: u32be, corpus: \(dir)/c.u32be, messages: 50, warmup: 0s, strategy: {writev: {max_messages: 4}}}\n")
        let foreign = try Tool.run(["run", replay, "--target", target])
        #expect(foreign.status == 2, "\(foreign.stdout)\n\(foreign.stderr)")
        #expect(foreign.stderr.contains("case 'agent' cannot run over \(target): strategy writev merges messages into one write"), "\(foreign.stderr)")

        // The server took none of it amiss.
        let (status, log) = server.stop()
        #expect(status == 0, "\(log)")
    }

    @Test func endpointsThatMakeNoSenseAreRefusedAtParse() throws {
        let any = try Tool.run(["run", "scenarios/cliff.yaml", "--target", "vsock+seqpacket://any:5005"])
        #expect(any.status == 2 && any.stderr.contains("'any' is for listening"), "\(any.stderr)")
        let tcp = try Tool.run(["serve", "--listen", "tcp+seqpacket://127.0.0.1:0"])
        #expect(tcp.status == 2 && tcp.stderr.contains("SOCK_SEQPACKET is offered for vsock and unix only"), "\(tcp.stderr)")
    }
}
