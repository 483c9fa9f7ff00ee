import Foundation
import Testing
@testable import VsockBenchReport

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

    /// The failed testcases of a check's JUnit file, as `case figure` (`plain msgs_per_s`,
    /// `plain verified`), in order.
    static func failures(junit: String) -> [String] {
        junit.components(separatedBy: "<testcase classname=\"vsockbench.").dropFirst().compactMap { entry in
            guard let close = entry.range(of: "</testcase>"), entry[..<close.lowerBound].contains("<failure") else { return nil }
            let parts = entry.split(separator: "\"", maxSplits: 3)
            guard parts.count >= 3 else { return entry.prefix(40) + "?" }
            return "\(parts[0]) \(parts[2])"
        }
    }

    /// What a stall of the machine can move, as the gate itself judges the case (`CheckGate`):
    /// a timing (throughput, latency, CPU), or a count that depends on timing in this case
    /// (reads per message with several in flight). Deterministic counts, verification and
    /// the probe's presence are not.
    static func movableByAStall(_ failure: String, in document: RunDocument) -> Bool {
        let parts = failure.split(separator: " ")
        guard parts.count == 2, let figure = Figure(rawValue: String(parts[1])),
              let c = document.cases.first(where: { $0.name == parts[0] }),
              let kind = CheckGate.figures(for: c.spec).first(where: { $0.0 == figure })?.1 else { return false }
        if case .count = kind { return false }
        return true
    }

    @Test func pooledBaselinesPassAnUnchangedRunAndCatchASlowCase() throws {
        let dir = try Tool.scratch()
        for name in ["a", "b"] { try Self.run(Self.scenario, into: "\(dir)/\(name).json", repeat: 4) }
        var lastRun = try Self.measured { try Self.run(Self.scenario, into: "\(dir)/c.json", repeat: 4) }
        // The false-alarm rate is measured in the README; here the plumbing: two baselines
        // pooled, trials counted, the counts equal, and effects so generous (p99 of 150 ms
        // trials beside other test processes swings by several times) that noise cannot fail it.
        let junit = "\(dir)/gate.xml"
        let gate = ["check", "\(dir)/c.json", "--baseline", "\(dir)/a.json", "\(dir)/b.json", "--tolerance", "60%", "--tolerance", "p99=1000%", "--junit", junit]
        var same = try Tool.run(gate)
        // Once in CI every case of a whole run came 10x slower (16898 -> 1292 msgs/s), and once
        // 6x slower in two runs in a row (16098 -> 2770); the unit pass before leaves nothing
        // running (checked), and this machine is a VM whose host may take its CPUs: no gate can tell
        // such a stall from a regression. The unchanged run is measured again (up to twice,
        // after a quiet second: the stall CI saw may not show in /proc/stat, and these 150 ms
        // cases are too short for the run's own machine figures) only where every failure is a
        // timing: a stall moves no count per message, no verification, no configuration, so a
        // gate that failed those at random still fails here. What the machine did during each
        // failed run is printed.
        var stalls: [String] = []
        while same.status != 0, stalls.count < 2 {
            let failed = Self.failures(junit: (try? String(contentsOfFile: junit, encoding: .utf8)) ?? "")
            let results = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/c.json"))))
            guard !failed.isEmpty, failed.allSatisfy({ Self.movableByAStall($0, in: results) }) else {
                Issue.record("the unchanged run failed on more than its timings (\(failed)): no machine's stall explains that; not measured again")
                break
            }
            stalls.append(lastRun)
            print("CheckGateTests: the unchanged run failed the gate on timings (\(failed)); during it: \(lastRun)\n\(MachineLoad.busiestProcesses())")
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
        let result = try Tool.run(["check", "\(dir)/frag.json", "--baseline", "\(dir)/base.json", "--tolerance", "60%", "--junit", "\(dir)/frag.xml"])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("plain: writes/msg 1.00 -> 9.00"), "\(result.stdout)")
        #expect(result.stdout.contains("plain: target writes/msg 1.00 -> 9.00"))
        // The gate test above reads failures so (a format change would turn every failure into
        // "not a timing" and stop its re-measure unseen): these are counts, never measured again.
        let failed = Self.failures(junit: try String(contentsOfFile: "\(dir)/frag.xml", encoding: .utf8))
        #expect(failed.contains("plain writes_per_msg") && failed.contains("plain target_writes_per_msg"), "\(failed)")
        let frag = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/frag.json"))))
        #expect(!Self.movableByAStall("plain writes_per_msg", in: frag), "the fragmented writes are no stall's")
        #expect(!failed.contains { $0.hasPrefix("other ") && !Self.movableByAStall($0, in: frag) }, "the unchanged case's counts held: \(failed)")
        #expect(["plain msgs_per_s", "plain latency_us.p99", "other reads_per_msg", "other msgs_per_s"].allSatisfy { Self.movableByAStall($0, in: frag) },
                "timings, and reads with 4 in flight")
        #expect(!["plain verified", "plain probe", "plain reads_per_msg", "other writes_per_msg"].contains { Self.movableByAStall($0, in: frag) },
                "verification, the probe, a stop-and-wait case's reads, a frame written at once")
    }
}
