import Foundation
import Testing
import VsockProbe

/// `observe` on this machine (no vsock traffic here: the followed process's writes are its events).
@Suite struct ObserveCommandTests {
    static let probeReady = Probe.checkAvailability() == .available

    /// A process that writes without pause (`yes` into /dev/null, about half a million writes a
    /// second) keeps the ring buffer busy after the observation's end: observe must still stop,
    /// taking what came before the end. (It once waited for a quiet buffer and, at this rate,
    /// never stopped.)
    @Test(.enabled(if: probeReady && FileManager.default.isExecutableFile(atPath: "/usr/bin/yes"),
                   "needs root (or CAP_BPF+CAP_PERFMON), bpf(), tracefs and /usr/bin/yes"))
    func anObservationEndsWhileTheFollowedProcessKeepsWriting() throws {
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/yes")
        writer.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try writer.run()
        defer {
            // SIGKILL: a child of the test process may inherit SIGTERM blocked, and `yes` then
            // never ends.
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
        }
        let dir = try Tool.scratch()
        let started = Date()
        let result = try Tool.run(
            ["observe", "--port", "5999", "--pid", "\(writer.processIdentifier)", "--duration", "1s", "--json", dir + "/o.json"],
            timeout: 30)
        let took = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(took < 20, "observe --duration 1s took \(took) s")
        #expect(writer.isRunning, "the writer still wrote when observe stopped")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/o.json"))) as? [String: Any])
        let writes = try #require(json["writes"] as? [String: Any])
        #expect((writes["count"] as? Int ?? 0) > 1000, "the writes were followed: \(writes)")
    }

    /// A --pid that names no process is bad input: one line saying so, exit 2 (it once gave an
    /// empty 0.02 s observation, exit 0, whose diagnosis blamed the port).
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON): without, observe stops earlier, at the privilege check"))
    func aPidOfNoProcessIsBadInput() throws {
        let result = try Tool.run(["observe", "--port", "5999", "--pid", "5000000", "--duration", "1s"], timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.contains("pid 5000000") == true && lines.first?.contains("No such process") == true, "\(result.stderr)")
    }
}
