import Foundation
import Testing

/// `--interval`: every case slice by slice, in the JSON and the table; a stall flagged.
@Suite(.serialized) struct TimeSeriesTests {
    static func cases(_ path: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return try #require(object["cases"] as? [[String: Any]])
    }

    /// The slices' messages, payload bytes and syscalls add up to the case's, for a stream, a
    /// stop-and-wait case and a pipelined one over two connections.
    @Test func slicesAddUpToTheCaseTotals() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("""
            name: series
            defaults: {duration: 1s, warmup: 100ms}
            cases:
              - {name: bulk, workload: stream, write_size: 64KiB, direction: both}
              - {name: chatty, workload: rr, request_size: 1KiB, response_size: 4KiB}
              - {name: windowed, workload: rr, request_size: 2KiB, response_size: 2KiB, strategy: {window: 4}, connections: 2}
            """)
        let out = try Tool.run(["run", scenario, "--interval", "200ms", "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        #expect(out.stdout.contains("chatty over time: slices of 200ms; p50/p99 of the responses counted in each slice (to within 0.5 us or 1%"), "\(out.stdout)")
        for c in try Self.cases(dir + "/r.json") {
            let name = c["name"] as? String ?? "?"
            let slices = try #require(c["intervals"] as? [[String: Any]], "\(name) has no intervals")
            #expect((4...7).contains(slices.count), "\(name): \(slices.count) slices of 200 ms in 1 s")
            func sum(_ key: String) -> Int { slices.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
            #expect(sum("messages") == c["messages"] as? Int, "\(name) messages")
            #expect(sum("bytes_tx") == c["bytes_tx"] as? Int, "\(name) bytes_tx")
            #expect(sum("bytes_rx") == c["bytes_rx"] as? Int, "\(name) bytes_rx")
            let seconds = slices.reduce(0.0) { $0 + ($1["duration_s"] as? Double ?? 0) }
            #expect(abs(seconds - (c["duration_s"] as? Double ?? 0)) < 0.02, "\(name): slices cover the interval: \(seconds) s")
            let messages = Double(c["messages"] as? Int ?? 0)
            if let perMessage = c["writes_per_msg"] as? Double, messages > 0 {
                #expect(abs(Double(sum("writes")) / messages - perMessage) < 0.002, "\(name) writes")
            }
            if name != "bulk" {
                #expect(slices.allSatisfy { ($0["p99_us"] as? Double ?? 0) > 0 }, "\(name): each slice has its own p99")
            }
        }
    }

    /// A target stopped for half a second in a 2 s case: its slices there drop to nothing and
    /// are flagged, in the JSON and the table.
    @Test func aStoppedTargetShowsAsAStall() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let pid = server.pid
        let scenario = try scenarioFile("name: stall\ncases:\n  - {name: chatty, workload: rr, request_size: 1KiB, response_size: 1KiB, duration: 2s, warmup: 200ms}\n")
        let stall = Thread {
            usleep(1_000_000)
            kill(pid, SIGSTOP)
            usleep(500_000)
            kill(pid, SIGCONT)
        }
        stall.start()
        let out = try Tool.run(["run", scenario, "--target", "unix://\(dir)/t.sock", "--interval", "100ms", "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try #require(try Self.cases(dir + "/r.json").first)
        let slices = try #require(c["intervals"] as? [[String: Any]])
        let stalls = slices.filter { $0["stall"] as? Bool == true }
        #expect(stalls.count >= 3, "a 500 ms stop covers at least three 100 ms slices: \(slices.map { $0["msgs_per_s"] ?? "?" })")
        #expect(stalls.count <= 7)
        #expect(out.stdout.contains("STALL"))
        #expect(out.stdout.contains("a stall at t = "), "\(out.stdout)")
    }

    /// At 30/s in 20 ms slices, two slices in five are empty by the schedule alone: too few
    /// messages a slice to call an empty one a stall. None is flagged (each was), and the
    /// table says why.
    @Test func slicesTooSparseFlagNoStall() throws {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("name: sparse\ncases:\n  - {name: slow, workload: rr, request_size: 256, response_size: 256, rate: 30/s, duration: 1s, warmup: 100ms}\n")
        let out = try Tool.run(["run", scenario, "--interval", "20ms", "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let c = try #require(try Self.cases(dir + "/r.json").first)
        let slices = try #require(c["intervals"] as? [[String: Any]])
        #expect(slices.contains { $0["messages"] as? Int == 0 }, "some slices are empty by the schedule: \(slices.map { $0["messages"] ?? "?" })")
        #expect(!slices.contains { $0["stall"] as? Bool == true }, "\(slices.map { $0["messages"] ?? "?" })")
        #expect(!out.stdout.contains("STALL"), "\(out.stdout)")
        #expect(out.stdout.contains("slow: 1 message in the median slice, too few to tell a stall from chance (10 needed): no slice flagged"), "\(out.stdout)")
    }

    @Test func anIntervalTooShortIsRefused() throws {
        let out = try Tool.run(["run", "scenarios/cliff.yaml", "--interval", "1ms"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("--interval: interval 1ms is shorter than 10ms"), "\(out.stderr)")
    }
}
