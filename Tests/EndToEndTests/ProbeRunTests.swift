import Foundation
import Testing
import VsockProbe
@testable import VsockBenchReport

/// `run --probe`: the kernel's count of the followed processes' syscalls over the measured interval.
@Suite(.serialized) struct ProbeRunTests {
    static let probeReady = Probe.checkAvailability() == .available

    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs: run as root"))
    func syscallsPerMessageAreAsExpectedAndLowerWhenCoalescing() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: probe-syscalls
            defaults: {warmup: 0s, messages: 2000, request_size: 2KiB, response_size: 2KiB}
            cases:
              - {name: none, workload: rr}
              - {name: coalesce, workload: rr, strategy: {coalesce: {max_messages: 10, max_bytes: 256KiB, linger: 500us}}}
            """)
        let result = try Tool.run(["run", path, "--probe", "--json", dir + "/p.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("syscalls/msg"), "the table shows the probe's columns")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/p.json"))))
        let none = try #require(document.cases.first { $0.name == "none" }?.probe)
        let coalesce = try #require(document.cases.first { $0.name == "coalesce" }?.probe)
        // Stop-and-wait, one write per frame: a write and a read on each side per message.
        let noneSyscalls = try #require(none.perMessage.syscalls)
        #expect(noneSyscalls >= 3.8 && noneSyscalls <= 5, "\(noneSyscalls) syscalls per message")
        // The socket data path writes with send (sendto) and reads with recv (recvfrom).
        let writes = Double(none.counters.syscalls["sendto"] ?? 0) / 2000
        let reads = Double(none.counters.syscalls["recvfrom"] ?? 0) / 2000
        #expect(writes >= 1.95 && writes <= 2.2, "\(writes) writes per message, both sides")
        #expect(reads >= 1.95 && reads <= 2.2, "\(reads) reads per message, both sides")
        let coalesced = try #require(coalesce.perMessage.syscalls)
        #expect(coalesced < noneSyscalls / 2, "coalescing: \(coalesced) syscalls per message against \(noneSyscalls)")
        // Over unix there are no VM exits and no vsock packets to count.
        #expect(none.perMessage.exits == nil && none.perMessage.vsockPackets == nil)
        #expect(none.counters.kvmRun == 0)
        // The run started its target here: both processes are followed, and the report says so.
        #expect(none.processes == ProbeCaseReport.driverAndTarget, "\(none.processes ?? "nil")")
        #expect(result.stdout.contains("followed processes: here the driver and target;"), "\(result.stdout)")
    }

    /// A target the run did not start (in an enclave, on a Nitro parent) is not followed: its
    /// syscalls are not in the counts, and the JSON, the text and the HTML say whose they are
    /// (the HTML said "both processes" whatever ran; review).
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs: run as root"))
    func aTargetElsewhereIsNotCounted() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/target.sock")
        defer { server.stop() }
        let path = try scenarioFile("name: probe-driver\ndefaults: {warmup: 0s, messages: 1000}\ncases:\n  - {name: rr, workload: rr, request_size: 2KiB, response_size: 2KiB}\n")
        let result = try Tool.run(["run", path, "--target", server.endpoint.description, "--probe", "--json", dir + "/p.json", "--html", dir + "/p.html"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/p.json"))))
        let probe = try #require(document.cases.first?.probe)
        #expect(probe.processes == ProbeCaseReport.driverOnly, "\(probe.processes ?? "nil")")
        // One side's write and read a message, not both sides' four.
        let syscalls = try #require(probe.perMessage.syscalls)
        #expect(syscalls >= 1.8 && syscalls < 3, "\(syscalls) syscalls per message: the driver's alone")
        #expect(result.stdout.contains("followed processes: here the driver;"), "\(result.stdout)")
        let html = try String(contentsOfFile: dir + "/p.html", encoding: .utf8)
        #expect(!html.contains("both processes"), "the page says whose syscalls these are")
    }

    /// With --interval the probe is read at every slice boundary: each slice has its own
    /// counts, and they add up exactly to the case's.
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs: run as root"))
    func probeCountsPerSliceAddUpToTheCase() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("name: probe-slices\ncases:\n  - {name: rr, workload: rr, request_size: 2KiB, response_size: 2KiB, duration: 600ms, warmup: 100ms}\n")
        let result = try Tool.run(["run", path, "--probe", "--interval", "200ms", "--json", dir + "/p.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/p.json"))))
        let c = try #require(document.cases.first)
        let total = try #require(c.probe).counters.syscalls
        let slices = try #require(c.intervals)
        #expect(slices.count >= 2)
        var summed: [String: UInt64] = [:]
        for slice in slices {
            let counters = try #require(slice.probe, "every slice has the probe's counts").counters
            for (name, count) in counters.syscalls { summed[name, default: 0] += count }
        }
        #expect(summed.filter { $0.value > 0 } == total.filter { $0.value > 0 }, "slices \(summed), case \(total)")
        #expect(slices.allSatisfy { ($0.probe?.perMessage.syscalls ?? 0) > 3 }, "stop-and-wait: about four syscalls per message in every slice")
    }

    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv to drop privileges"))
    func withoutThePrivilegesTheRunGoesOnWithoutTheProbe() throws {
        let path = try scenarioFile("name: p\ncases:\n  - {name: rr, workload: rr, messages: 50, warmup: 0s}\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", Tool.path, "run", path, "--probe"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = ReadAll(out.fileHandleForReading), stderr = ReadAll(err.fileHandleForReading)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stdout.text())\n\(stderr.text())")
        let lines = stderr.text().split(separator: "\n").filter { $0.contains("--probe") }
        #expect(lines.count == 1, "one line: \(lines)")
        #expect(lines.first?.contains("root or CAP_BPF+CAP_PERFMON") == true)
        #expect(stdout.text().contains("yes"), "the run itself went on")
        #expect(!stdout.text().contains("syscalls/msg"), "without probe columns")
    }
}
