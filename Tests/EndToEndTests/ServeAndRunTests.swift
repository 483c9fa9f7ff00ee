import Foundation
import Testing
@testable import VsockBenchReport

/// `serve` and `run` as separate processes, as on a parent and an enclave.
@Suite(.serialized) struct ServeAndRunTests {
    static let requiredCaseKeys = [
        "name", "workload", "transport", "messages", "bytes_tx", "bytes_rx", "duration_s", "mbps_tx", "mbps_rx",
        "mbps_total", "msgs_per_s", "latency_us", "writes_per_msg", "reads_per_msg", "errors", "verified", "target", "config",
        "wire_bytes_per_msg", "trials", "ci", "ci_coverage", "cpu", "spread", "socket", "probe", "diagnosis", "skipped",
    ]

    @Test(arguments: ["unix", "tcp"])
    func cliffRunsVerifiedOverEachTransport(transport: String) throws {
        let dir = try Tool.scratch()
        let listen = transport == "unix" ? "unix://\(dir)/target.sock" : "tcp://127.0.0.1:0"
        let server = try ServeProcess(listen: listen)
        defer { server.stop() }
        let json = dir + "/results.json"
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--target", server.endpoint.description,
                                   "--duration", "300ms", "--warmup", "50ms", "--json", json])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("bulk moved "), "\(result.stdout)")
        #expect(result.stdout.contains("each way"), "a symmetric rr case's Mbps is said each way")
        #expect(result.stdout.contains("(application payload per direction)"))

        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(document.schema == "vsockbench/1")
        #expect(document.transport == transport)
        #expect(document.host.targetKernel != nil)
        #expect(document.cases.map(\.name) == ["bulk", "chatty-8k"])
        for c in document.cases {
            #expect(c.verified, "\(c.name): \(c.errors)")
            #expect(c.messages > 0 && c.mbpsTotal > 0)
            #expect(c.target?.messages ?? 0 > 0)
        }
        let chatty = document.cases[1]
        // One Mbps: application payload per second in each direction. 8 KiB each way at R msgs/s.
        let payloadMbps = chatty.msgsPerSecond * 8192 * 8 / 1e6
        #expect(abs(chatty.mbpsTx - payloadMbps) / payloadMbps < 0.001, "mbps_tx \(chatty.mbpsTx) against \(payloadMbps)")
        #expect(chatty.mbpsRx == chatty.mbpsTx && abs(chatty.mbpsTotal - 2 * chatty.mbpsTx) < 0.01)
        #expect(chatty.wireBytesPerMessage == Double(2 * (8192 + 32)), "headers show in wire bytes, not in Mbps")
        #expect(chatty.trials.count == 1 && chatty.ci == nil, "one trial: a single sample without an interval")
        #expect(document.cases[0].mbpsRx == 0, "a tx stream moves nothing back")
        #expect(chatty.writesPerMessage == 1, "stop-and-wait writes one frame per message")
        #expect(chatty.targetWritesPerMessage == 1)
        let latency = try #require(chatty.latencyMicros)
        #expect(latency.p50 > 0 && latency.p50 <= latency.p99 && latency.p99 <= latency.max)

        // Every documented key is present in the raw JSON (nulls included).
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        let cases = try #require(raw?["cases"] as? [[String: Any]])
        for c in cases {
            for key in Self.requiredCaseKeys { #expect(c.keys.contains(key), "missing \(key)") }
        }
    }

    /// Both sides count the same messages: the target's interval opens at the first request
    /// flagged as measured, not at a control frame that may arrive after a short case is over.
    @Test func theTargetCountsExactlyTheMessagesTheDriverMeasured() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: exact
            defaults: {warmup: 100ms, messages: 500, request_size: 2KiB, response_size: 2KiB}
            cases:
              - {name: stop-and-wait, workload: rr}
              - {name: window, workload: rr, inflight: 8}
              - {name: coalesce, workload: rr, inflight: 8, strategy: {coalesce: {max_messages: 8, max_bytes: 64KiB, linger: 100us}}}
              - {name: masked, workload: masked, inflight: 4, request_size: 4KiB}
              - {name: two-connections, workload: rr, connections: 2, inflight: 4}
              - {name: writer-thread, workload: rr, inflight: 8, strategy: {writer_thread: {queue_depth: 8, max_bytes: 64KiB}}}
            """)
        let result = try Tool.run(["run", path, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        #expect(document.cases.count == 6)
        for c in document.cases {
            #expect(c.messages == 500, "\(c.name)")
            #expect(c.target?.messages == 500, "\(c.name): the target counted \(c.target?.messages ?? 0)")
            // Bytes too, to the frame: the target's interval runs from the first measured
            // request's first byte to the bye's, and its writes exclude warmup responses that
            // were still batched or queued when the interval opened.
            #expect(c.target?.payloadBytesRx == c.bytesTx, "\(c.name): the target read \(c.target?.payloadBytesRx ?? 0) payload bytes, the driver sent \(c.bytesTx)")
            #expect(c.target?.payloadBytesTx == c.bytesRx, "\(c.name): the target wrote \(c.target?.payloadBytesTx ?? 0) payload bytes, the driver received \(c.bytesRx)")
            let wire = Double((c.target?.bytesRx ?? 0) + (c.target?.bytesTx ?? 0))
            #expect(((c.wireBytesPerMessage ?? 0) * 500 - wire).magnitude < 1, "\(c.name): the target's wire bytes \(wire), the driver's \((c.wireBytesPerMessage ?? 0) * 500)")
            #expect(c.target.map { $0.connections.reduce(0) { $0 + $1.totalMessages } } ?? 0 > 500, "\(c.name): warmup requests are handled, not counted")
        }
        let stopAndWait = document.cases[0]
        #expect(stopAndWait.targetWritesPerMessage == 1, "one response write per measured request, none of the warmup's")
    }

    /// The agent's work after its write (wiping its buffers) is processing, not I/O wait: a
    /// target thread cannot spend more user CPU than the time it was not in a syscall. It read
    /// 80% I/O wait beside 98% CPU, because that work counted in the next read's time.
    @Test func theAgentsWorkAfterItsWriteCountsAsProcessing() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: agent-split
            defaults: {warmup: 50ms, messages: 60}
            cases:
              - {name: masked, workload: masked, request_size: 8KiB}
            """)
        let result = try Tool.run(["run", path, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        let target = try #require(document.cases.first?.target)
        #expect(target.messages == 60)
        #expect(target.processingSeconds >= 0.7 * target.cpuUserSeconds,
                "processing \(target.processingSeconds) s, I/O wait \(target.ioWaitSeconds) s, the target's user CPU \(target.cpuUserSeconds) s")
    }

    @Test func runStartsAndStopsItsOwnLocalTarget() throws {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("vsockbench-") && $0.count == 18 }
        let path = try scenarioFile("""
            name: local
            defaults: {warmup: 0s}
            cases:
              - {name: rr, workload: rr, messages: 200, request_size: 1KiB, response_size: 4KiB}
              - {name: rx, workload: stream, direction: rx, bytes: 4MiB, write_size: 16KiB}
            """)
        let result = try Tool.run(["run", path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("yes"))
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter { $0.hasPrefix("vsockbench-") && $0.count == 18 }
        #expect(after.subtracting(before).isEmpty, "the local target's directory was left behind")
    }

    /// A scenario may ask for frames up to 64 MiB; the target `run` starts for itself takes
    /// what the file allows (serve's default --max-frame, 4 MiB, refused a 5 MiB request).
    @Test func theLocalTargetTakesTheFramesTheScenarioAsksFor() throws {
        let path = try scenarioFile("""
            name: big
            defaults: {warmup: 0s}
            cases:
              - {name: rr-5m, workload: rr, messages: 3, request_size: 5MiB, response_size: 64B}
            """)
        let result = try Tool.run(["run", path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(!result.stderr.contains("frame limit"), "\(result.stderr)")
    }

    @Test func countBoundedCasesMoveExactlyWhatWasAsked() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: counts
            defaults: {warmup: 0s}
            cases:
              - {name: rr3, workload: rr, messages: 300, connections: 3, inflight: 4, request_size: 512B, response_size: 512B}
              - {name: tx, workload: stream, bytes: 2MiB, write_size: 64KiB, connections: 2}
            """)
        let json = dir + "/r.json"
        let result = try Tool.run(["run", path, "--json", json])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: json))))
        #expect(document.cases[0].messages == 300)
        #expect(document.cases[0].spread.connections == 3)
        #expect(document.cases[1].messages == 32)
        #expect(document.cases[1].bytesTx == 2 * 1024 * 1024)
    }

    @Test func sigtermStopsServeCleanly() throws {
        let dir = try Tool.scratch()
        let socketPath = dir + "/t.sock"
        let server = try ServeProcess(listen: "unix://\(socketPath)")
        #expect(FileManager.default.fileExists(atPath: socketPath))
        let (status, _) = server.stop(signal: SIGTERM)
        #expect(status == 0)
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket file is removed on exit")
    }
}

/// `run --repeat`: trials interleaved, medians with intervals in the table and the JSON.
@Suite struct RepeatedRunTests {
    @Test func repeatKeepsEveryTrialAndReportsIntervals() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: repeated
            defaults: {warmup: 0s, messages: 300, request_size: 1KiB, response_size: 1KiB}
            cases:
              - {name: a, workload: rr}
              - {name: b, workload: rr, inflight: 4}
            """)
        let result = try Tool.run(["run", path, "--repeat", "3", "--settle", "0s", "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("median of 3 trials per case"))
        #expect(result.stdout.contains(" ±"), "tables show the interval")
        // Without a terminal, one plain line per trial.
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("] a (round") || $0.contains("] b (round") }.count == 6, "\(result.stderr)")
        let raw = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any]
        let statistics = try #require(raw?["statistics"] as? [String: Any])
        #expect(statistics["repeat"] as? Int == 3)
        let cases = try #require(raw?["cases"] as? [[String: Any]])
        for c in cases {
            #expect((c["trials"] as? [Any])?.count == 3)
            let ci = try #require(c["ci"] as? [String: [Double]])
            #expect(ci["msgs_per_s"]?.count == 2)
            #expect(ci["writes_per_msg"] != nil)
        }
        let bad = try Tool.run(["run", path, "--repeat", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--repeat 0 is outside 1...1000"), "\(bad.stderr)")
    }
}

/// `--json -`: the JSON alone on standard output, the text on standard error, for every
/// command that runs cases (as observe, probe and doctor already did); no file named `-`.
@Suite struct JSONToStandardOutputTests {
    @Test func runCompareAndDiagnoseWriteTheirJSONToStandardOutput() throws {
        let path = try scenarioFile("""
            name: stdout
            defaults: {warmup: 0s, messages: 100}
            cases:
              - {name: one, workload: rr, request_size: 1KiB, response_size: 1KiB}
              - {name: two, workload: rr, request_size: 2KiB, response_size: 2KiB}
            """)
        let stray = Tool.repositoryRoot + "/-"
        let run = try Tool.run(["run", path, "--target", "null", "--json", "-"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout is the JSON alone: \(run.stdout)")
        #expect(document["schema"] as? String == "vsockbench/1")
        #expect(run.stderr.contains("verified") && run.stderr.contains("one"), "the table goes to stderr: \(run.stderr)")
        let results = try Tool.scratch() + "/r.json"
        try run.stdout.write(toFile: results, atomically: true, encoding: .utf8)

        let compare = try Tool.run(["compare", path, "--target", "null", "--json", "-"])
        #expect(compare.status == 0, "\(compare.stderr)")
        let compared = try #require(try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as? [String: Any], "\(compare.stdout)")
        #expect(compared["comparison"] != nil)
        #expect(compare.stderr.contains("compare stdout"), "\(compare.stderr)")

        let diagnose = try Tool.run(["diagnose", "--from", results, "--json", "-"])
        #expect(diagnose.status == 0, "\(diagnose.stderr)")
        #expect(try JSONSerialization.jsonObject(with: Data(diagnose.stdout.utf8)) is [String: Any], "\(diagnose.stdout)")
        #expect(diagnose.stderr.contains("diagnosis of stdout"), "\(diagnose.stderr)")
        // Only --json has a standard-output form: --html - is refused before anything runs.
        let html = try Tool.run(["run", path, "--target", "null", "--html", "-"])
        #expect(html.status == 2 && html.stderr.contains("- (standard output) is for --json only"), "\(html.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stray), "a file named - was written")
    }
}

/// `--messages` over a scenario's cases.
@Suite struct MessagesOverrideTests {
    /// --messages below a case's least (one a connection; two for a both-way stream) is raised
    /// so that one small count can smoke-test a whole scenario, and said (review: it had sent 4
    /// of a --messages 3 silently, and a both-way stream's one message went one way only).
    @Test func messagesBelowACaseLeastAreRaisedAndSaid() throws {
        let scenario = try scenarioFile("name: x\ncases:\n  - {name: four, workload: rr, connections: 4, duration: 1s}\n  - {name: both, workload: stream, direction: both, write_size: 4KiB, duration: 1s}\n  - {name: one, workload: rr, duration: 1s}\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vsb-raise-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Tool.run(["run", scenario, "--messages", "1", "--warmup", "0s", "--json", path], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("vsockbench: note: --messages 1: case 'four' is 4 connections, each needs work: it sends 4"), "\(result.stderr)")
        #expect(result.stderr.contains("vsockbench: note: --messages 1: case 'both' is a both-way stream on 1 connection, each needs work each way: it sends 2"), "\(result.stderr)")
        #expect(!result.stderr.contains("case 'one'"), "a case that needs no raising is not named: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let cases = json?["cases"] as? [[String: Any]] ?? []
        #expect(cases.compactMap { $0["messages"] as? Int } == [4, 2, 1], "\(cases.map { $0["messages"] ?? "?" })")
        let both = cases.count > 1 ? cases[1] : [:]
        #expect((both["bytes_rx"] as? Int ?? 0) > 0, "the both-way stream moved bytes back: \(both["bytes_rx"] ?? "none")")
    }
}
