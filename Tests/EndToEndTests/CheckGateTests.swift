import Foundation
import Testing

/// The gate on real runs: several baseline files pooled, a slowed case caught and named,
/// fragmented writes caught by the count gate alone (one trial each side). Timed: it runs in
/// the serial pass of `make test` (TIMED_TESTS).
@Suite(.serialized) struct CheckGateTests {
    static let scenario = """
        name: gate
        defaults: {warmup: 50ms, duration: 150ms, request_size: 2KiB, response_size: 2KiB}
        cases:
          - {name: plain, workload: rr}
          - {name: other, workload: rr, inflight: 4}
        """

    static func run(_ yaml: String, into path: String, repeat count: Int) throws {
        let scenario = try scenarioFile(yaml)
        // --settle is the quiet between trials: refused with one trial, where it would do nothing.
        let settle = count > 1 ? ["--settle", "20ms"] : []
        let result = try Tool.run(["run", scenario, "--repeat", String(count)] + settle + ["--json", path], timeout: 120)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
    }

    /// Runs `body`, and says what the machine's CPUs did meanwhile.
    static func measured(_ body: () throws -> Void) throws -> String {
        let before = MachineLoad.now()
        try body()
        guard let before, let after = MachineLoad.now() else { return "(no /proc/stat)" }
        return after.describe(since: before)
    }

    @Test func pooledBaselinesPassAnUnchangedRunAndCatchASlowCase() throws {
        let dir = try Tool.scratch()
        for name in ["a", "b"] { try Self.run(Self.scenario, into: "\(dir)/\(name).json", repeat: 4) }
        var lastRun = try Self.measured { try Self.run(Self.scenario, into: "\(dir)/c.json", repeat: 4) }
        // The false-alarm rate is measured in the README; here the plumbing: two baselines
        // pooled, trials counted, the counts equal, and effects so generous (p99 of 150 ms
        // trials beside other test processes swings by several times) that noise cannot fail it.
        let gate = ["check", "\(dir)/c.json", "--baseline", "\(dir)/a.json", "\(dir)/b.json", "--tolerance", "60%", "--tolerance", "p99=1000%"]
        var same = try Tool.run(gate)
        // Once in CI every case of a whole run came 10x slower (16898 -> 1292 msgs/s), and once
        // 6x slower in two runs in a row (16098 -> 2770); the unit pass before leaves nothing
        // running (checked), and this machine is a VM whose host may take its CPUs: no gate can tell
        // such a stall from a regression. The unchanged run is measured again after any
        // failure (up to twice, after a quiet second: the stall CI saw may not show in
        // /proc/stat, and these 150 ms cases are too short for the run's own machine figures),
        // and what the machine did during each failed run is printed. A check that failed
        // unchanged runs at random would pass this more often than before: that is the price.
        var stalls: [String] = []
        while same.status != 0, stalls.count < 2 {
            stalls.append(lastRun)
            print("CheckGateTests: the unchanged run failed the gate; during it: \(lastRun)\n\(MachineLoad.busiestProcesses())")
            MachineLoad.waitForQuiet(upTo: 10)
            lastRun = try Self.measured { try Self.run(Self.scenario, into: "\(dir)/c.json", repeat: 4) }
            same = try Tool.run(gate)
        }
        #expect(same.status == 0, "\(same.stdout)\nthe machine during the runs: \(stalls + [lastRun])")
        #expect(same.stdout.contains("4/8"), "4 trials now against 8 pooled: \(same.stdout)")
        #expect(same.stdout.contains("PASS"))

        // The same scenario with the target busy 3 ms per message in one case: caught, named.
        let slow = Self.scenario.replacingOccurrences(of: "- {name: plain, workload: rr}", with: "- {name: plain, workload: rr, target_cost: 3ms}")
        try Self.run(slow, into: "\(dir)/slow.json", repeat: 4)
        let caught = try Tool.run(["check", "\(dir)/slow.json", "--baseline", "\(dir)/a.json", "\(dir)/b.json"])
        #expect(caught.status == 1, "\(caught.stdout)")
        #expect(caught.stdout.contains("plain: msgs/s"), "\(caught.stdout)")
        #expect(caught.stdout.contains("plain: target_cost 0s -> 3ms differs from the baseline"), "the knob that changed is named")
    }

    @Test func fragmentedWritesAreCaughtByTheCountGateAlone() throws {
        let dir = try Tool.scratch()
        try Self.run(Self.scenario, into: "\(dir)/base.json", repeat: 1)
        let fragmented = Self.scenario.replacingOccurrences(of: "- {name: plain, workload: rr}", with: "- {name: plain, workload: rr, write_chunk: 256B}")
        try Self.run(fragmented, into: "\(dir)/frag.json", repeat: 1)
        // Timings may not even move beyond 60% here: the counts alone fail it.
        let result = try Tool.run(["check", "\(dir)/frag.json", "--baseline", "\(dir)/base.json", "--tolerance", "60%"])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("plain: writes/msg 1.00 -> 9.00"), "\(result.stdout)")
        #expect(result.stdout.contains("plain: target writes/msg 1.00 -> 9.00"))
    }
}
