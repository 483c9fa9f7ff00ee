import Foundation
import Testing

/// A run beside other work: its JSON says how much of the machine was not the run's, and the
/// table says the timings may be the machine's. Timed (TIMED_TESTS): its hogs would slow the
/// parallel suites, and a quiet machine is its comparison.
@Suite(.serialized) struct MachineLoadRunTests {
    static let scenario = "name: busy\ncases:\n  - {name: rr, workload: rr, request_size: 1KiB, response_size: 1KiB, duration: 1s, warmup: 100ms}\n"

    /// The case's `cpu` object and the run's table.
    static func run(hogs: Int) throws -> (cpu: [String: Any], table: String, cpus: Int) {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile(Self.scenario)
        // A hog on each CPU, killed at the end, and by the kernel after 9 s of CPU whatever
        // happens here: sha256sum of /dev/zero, in user space nearly all its time (`yes` is half
        // in the kernel, writing, and other programs' kernel time is not counted).
        let hogs = try (0..<hogs).map { cpu in
            let hog = Process()
            hog.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            hog.arguments = ["--cpu=8:9", "/usr/bin/taskset", "-c", String(cpu % 2), "/usr/bin/sha256sum", "/dev/zero"]
            hog.standardOutput = FileHandle.nullDevice
            try hog.run()
            return hog
        }
        defer {
            for hog in hogs {
                kill(hog.processIdentifier, SIGKILL)
                hog.waitUntilExit()
            }
        }
        let out = try Tool.run(["run", scenario, "--json", dir + "/r.json"])
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
        let document = try CommandSupport.jsonObject(URL(fileURLWithPath: dir + "/r.json"))
        let c = try #require((document["cases"] as? [[String: Any]])?.first)
        let cpus = try #require((document["host"] as? [String: Any])?["cpus"] as? Int)
        return (try #require(c["cpu"] as? [String: Any]), out.stdout, cpus)
    }

    @Test(.enabled(if: OpenLoopTests.canPinTwoCPUs && FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"), "needs CPUs 0 and 1, taskset, prlimit and sha256sum"))
    func otherWorkBesideTheRunIsMeasuredAndSaid() throws {
        let busy = try Self.run(hogs: 2)
        let other = try #require(busy.cpu["other_user_cpus"] as? Double, "\(busy.cpu)")
        let machine = try #require(busy.cpu["machine_busy_cpus"] as? Double)
        // Two hogs at the run's own priority take about a CPU of the two, whatever the run does.
        #expect(other >= 0.5, "\(busy.cpu)")
        #expect(machine >= other && machine <= Double(busy.cpus) + 0.05, "\(busy.cpu)")
        #expect(busy.cpu["machine_steal_share"] is Double)
        #expect(busy.table.contains("NOTE rr: the machine was busy beside this run ("), "\(busy.table)")
        #expect(busy.table.contains("CPUs of other programs): its timings may be the machine's"), "\(busy.table)")

        // Without them: the same keys, and less other work than with them.
        let quiet = try Self.run(hogs: 0)
        let quietOther = try #require(quiet.cpu["other_user_cpus"] as? Double, "\(quiet.cpu)")
        #expect(quietOther < other, "\(quiet.cpu) against \(busy.cpu)")
    }
}
