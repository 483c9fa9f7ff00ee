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
        #expect((writes["other"] as? Int ?? 0) > 1000, "the writes were followed: \(writes)")
        // Into /dev/null, not a vsock socket: none of them is a write of the exchange (they were
        // all counted as the parent's writes, and a parent's log lines with them).
        #expect(writes["count"] as? Int == 0, "\(writes)")
        let perExchange = try #require(json["per_exchange"] as? [String: Any])
        #expect(perExchange["writes"] is NSNull, "no exchange: \(perExchange)")
    }

    /// `--pid P --duration D` where P exits first: the observation ends with it and says so in
    /// its warnings (it stopped after 0.9 s of 3 s with `warnings: []`).
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"))
    func aDurationCutShortByTheProcessesSaysSo() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["0.5"]
        try sleeper.run()
        defer {
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        let dir = try Tool.scratch()
        let result = try Tool.run(
            ["observe", "--port", "5999", "--pid", "\(sleeper.processIdentifier)", "--duration", "20s", "--json", dir + "/o.json"], timeout: 30)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/o.json"))) as? [String: Any])
        let warnings = try #require(json["warnings"] as? [String])
        #expect(warnings.contains { $0.hasPrefix("the process exited after") && $0.contains("of the 20 s asked for") }, "\(warnings)")
    }

    /// `--json -`: standard output is the JSON alone (a pipe into jq works); the text report
    /// goes to standard error, and so does the command's own output (it came first on stdout,
    /// before the JSON: `observe --json - -- vsockbench run ...` printed the run's table there).
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"))
    func jsonToStandardOutputIsTheJSONAlone() throws {
        let result = try Tool.run(["observe", "--port", "5999", "--json", "-", "--", "/bin/sh", "-c", "echo from-the-command"], timeout: 30)
        #expect(result.stderr.contains("from-the-command"), "the command's output on stderr: \(result.stderr)")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        #expect(json["schema"] as? String == "vsockbench-observe/1")
        #expect(json["exchanges"] as? Int == 0)
        #expect(result.stderr.contains("vsockbench observe: port 5999"), "the text report on stderr: \(result.stderr)")
        // Exits counted and none: {} where the program is attached, null only where it is not
        // (it was null either way, which reads as "not counted").
        let probe = try #require(json["probe"] as? [String: Any])
        let attached = Set((probe["sources"] as? [[String: Any]] ?? []).filter { $0["attached"] as? Bool == true }.compactMap { $0["counts"] as? String })
        for key in ["kvm_exits", "kvm_userspace_exits"] {
            if attached.contains(key) {
                #expect(probe[key] is [String: Any], "\(key): \(String(describing: probe[key]))")
            } else {
                #expect(probe[key] is NSNull, "\(key)")
            }
        }
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

    /// Ctrl-C while a followed command runs reaches the command and observe alike (the
    /// terminal signals the whole foreground group): the command ends and observe still
    /// reports, with the command's status, as a shell waiting for it would (and as `probe --
    /// COMMAND` does). It once died of the signal with nothing written.
    @Test(.enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"))
    func ctrlCDuringAFollowedCommandStillReports() throws {
        let dir = try Tool.scratch()
        let pidFile = dir + "/command.pid"
        // Through env: SIGINT's default disposition, whatever this test process passes on (an
        // ignored SIGINT is inherited, and observe would then survive for the wrong reason).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "--default-signal=INT", Tool.path, "observe", "--port", "5999", "--json", dir + "/o.json", "--", "/bin/sh", "-c",
            "echo $$ > \(pidFile); exec sleep 20",
        ]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = ReadAll(out.fileHandleForReading), errData = ReadAll(err.fileHandleForReading)
        var commandPid: Int32?
        let started = Date()
        while commandPid == nil, Date().timeIntervalSince(started) < 20, process.isRunning {
            commandPid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if commandPid == nil { usleep(20_000) }
        }
        let command = try #require(commandPid, "the command never ran: \(errData.text(waitingUpTo: 0))")
        usleep(200_000)  // the command has exec'd sleep
        // SIGINT (signal 2, bit 1) is not blocked in observe (a blocked mask is inherited too).
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let blocked = try #require(status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") })
        let bits = try #require(UInt64(blocked.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16))
        try #require(bits & (1 << (UInt64(SIGINT) - 1)) == 0, "observe has SIGINT blocked: \(blocked)")
        // What the terminal does on Ctrl-C: SIGINT to every process of the foreground group.
        kill(process.processIdentifier, SIGINT)
        kill(command, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            kill(command, SIGKILL)
            Issue.record("observe did not stop within 20 s of Ctrl-C")
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "observe died of the signal: \(errData.text())")
        #expect(process.terminationStatus == 128 + SIGINT, "the command's status (128 + SIGINT)")
        #expect(outData.text().contains("vsockbench observe: port 5999"), "\(outData.text())")
        let json = try #require(
            try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/o.json"))) as? [String: Any],
            "no JSON written")
        #expect(json["exit_status"] as? Int == Int(128 + SIGINT) && json["exit_signal"] as? String == "SIGINT")
    }
}

/// `probe --json FILE` that cannot be written is refused before the command runs (exit 2, the
/// command never started), as observe's is: it had run the command, printed the counts, then
/// failed with exit 1. No privilege needed: the check comes first.
@Suite struct ProbeOutputCheckTests {
    @Test func anUnwritableJSONFileIsRefusedBeforeTheCommandRuns() throws {
        let dir = try Tool.scratch()
        let marker = dir + "/ran"
        let result = try Tool.run(["probe", "--json", "/nonexistent-vsockbench-dir/p.json", "--", "/bin/sh", "-c", "touch \(marker)"], timeout: 30)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent-vsockbench-dir"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker), "the command ran")
    }
}
