import Foundation
import Testing
import VsockProbe

/// `observe` and `probe` stopped by SIGTERM or SIGHUP (what `timeout`, systemd and CI runners
/// send, usually to vsockbench alone): they report what they saw, write their files, and exit
/// 128 + the signal, as `run` does; a followed command is sent the signal and waited for, and
/// never left running. (They used to die of the signal with nothing written, the command
/// re-parented to init and still running; `--duration` stopped early exited 0 and said nothing.)
@Suite(.serialized, .enabled(if: Probe.checkAvailability() == .available, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"))
struct SessionSignalTests {
    /// A port no test traffic uses: observe only filters on it.
    static let port = "5991"

    /// Whether `pid` is a running process (a zombie, dead and not yet reaped, is not).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) < stat.endIndex
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Waits up to `seconds` for `condition`.
    static func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// A command that writes its pid to `pidFile`, then becomes `sleep 30`; `ignoringTERM`: with
    /// SIGTERM ignored (an ignored signal stays ignored across exec).
    static func command(pidFile: String, ignoringTERM: Bool = false) -> [String] {
        ["/bin/sh", "-c", "\(ignoringTERM ? "trap '' TERM; " : "")echo $$ > \(pidFile); exec sleep 30"]
    }

    /// A started vsockbench, its followed command's pid once it runs, and cleanup that leaves
    /// neither behind whatever the test found.
    struct Started {
        let process: Process
        let stdout: ReadAll
        let stderr: ReadAll
        var commandPid: Int32?

        var pid: Int32 { process.processIdentifier }

        /// Waits (bounded) for vsockbench to exit; SIGKILL past the bound, which fails the test.
        func finish(within seconds: Double) -> (status: Int32, reason: Process.TerminationReason) {
            if !SessionSignalTests.wait(seconds, until: { !process.isRunning }) {
                kill(pid, SIGKILL)
                Issue.record("vsockbench did not exit within \(seconds) s of the signal")
            }
            process.waitUntilExit()
            return (process.terminationStatus, process.terminationReason)
        }

        /// Sends `signal` to vsockbench and waits (bounded) for it to exit with 128 + that
        /// signal, as `run` does; its standard error.
        func stop(with signal: Int32, within seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation) -> String {
            kill(pid, signal)
            let end = finish(within: seconds)
            let text = stderr.text()
            #expect(end.reason == .exit && end.status == 128 + signal, "\(end): \(text)", sourceLocation: sourceLocation)
            return text
        }

        func cleanUp() {
            if process.isRunning {
                kill(pid, SIGKILL)
                process.waitUntilExit()
            }
            if let commandPid, SessionSignalTests.isRunning(commandPid) { kill(commandPid, SIGKILL) }
        }
    }

    /// Starts `vsockbench arguments`, and with `pidFile` waits until the command it follows runs
    /// (it then writes its pid there: the session is released and watching).
    static func start(_ arguments: [String], pidFile: String? = nil) throws -> Started {
        let (process, stdout, stderr) = try Tool.start(arguments)
        var started = Started(process: process, stdout: stdout, stderr: stderr)
        if let pidFile {
            _ = wait(30) {
                started.commandPid = (try? String(contentsOfFile: pidFile, encoding: .utf8))
                    .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                return started.commandPid != nil || !process.isRunning
            }
            if started.commandPid == nil { started.cleanUp() }
            _ = try #require(started.commandPid, "the command never ran: \(stderr.text(waitingUpTo: 1))")
            usleep(200_000)  // the shell has become sleep
        } else {
            // Until its signal thread takes SIGTERM (blocked in the main thread), then a moment
            // for the session to be under way.
            let taken = wait(30) {
                guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
                      let bits = UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
                else { return !process.isRunning }
                return bits & (1 << UInt64(SIGTERM - 1)) != 0
            }
            if !taken { started.cleanUp() }
            try #require(taken, "vsockbench never took SIGTERM: \(stderr.text(waitingUpTo: 1))")
            usleep(1_000_000)
        }
        return started
    }

    /// `observe` (its JSON to `dir`/o.json unless `json` is false) following the test command,
    /// started and watching once the command runs.
    static func observeFollowing(in dir: String, json: Bool = true, ignoringTERM: Bool = false) throws -> Started {
        try start(["observe", "--port", port] + (json ? ["--json", dir + "/o.json"] : []) + ["--"]
                  + command(pidFile: dir + "/pid", ignoringTERM: ignoringTERM), pidFile: dir + "/pid")
    }

    static func json(_ path: String) -> [String: Any]? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    @Test func observeFollowingACommandReportsOnSIGTERMAndEndsTheCommand() throws {
        let dir = try Tool.scratch()
        let started = try Self.observeFollowing(in: dir)
        defer { started.cleanUp() }
        let command = try #require(started.commandPid)
        let stderr = started.stop(with: SIGTERM)
        #expect(Self.wait(5) { !Self.isRunning(command) }, "the command outlived observe")
        let json = try #require(Self.json(dir + "/o.json"), "no JSON written: \(stderr)")
        #expect(json["schema"] as? String == "vsockbench-observe/1")
        #expect(json["exit_status"] as? Int == Int(128 + SIGTERM), "the command was sent SIGTERM")
        #expect(json["exit_signal"] as? String == "SIGTERM", "a signal death is not an exit")
        let warnings = json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("stopped by SIGTERM after ") && $0.contains("the command was sent SIGTERM and was ended by SIGTERM (status 143, as a shell reports it)") }, "\(warnings)")
        #expect(stderr.contains("warning: stopped by SIGTERM"), "\(stderr)")
        #expect(started.stdout.text().contains("vsockbench observe: port \(Self.port)"))
    }

    @Test func observeWithADurationStoppedBySIGTERMSaysSoAndExits143() throws {
        let dir = try Tool.scratch()
        let started = try Self.start(["observe", "--port", Self.port, "--duration", "30s", "--json", dir + "/o.json"])
        defer { started.cleanUp() }
        let stderr = started.stop(with: SIGTERM)
        let json = try #require(Self.json(dir + "/o.json"), "no JSON written: \(stderr)")
        #expect((json["seconds"] as? Double ?? 30) < 25)
        let warnings = json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("stopped by SIGTERM after ") && $0.contains(" of the 30 s asked for") }, "\(warnings)")
        #expect(stderr.contains("warning: stopped by SIGTERM"), "\(stderr)")
    }

    @Test func probeOfACommandReportsOnSIGTERMAndEndsTheCommand() throws {
        let dir = try Tool.scratch()
        let started = try Self.start(["probe", "--json", dir + "/p.json", "--"] + Self.command(pidFile: dir + "/pid"), pidFile: dir + "/pid")
        defer { started.cleanUp() }
        let command = try #require(started.commandPid)
        let stderr = started.stop(with: SIGTERM)
        #expect(Self.wait(5) { !Self.isRunning(command) }, "the command outlived probe")
        let json = try #require(Self.json(dir + "/p.json"), "no JSON written: \(stderr)")
        #expect(json["syscalls"] is [String: Any])
        let warnings = json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("stopped by SIGTERM after ") }, "\(warnings)")
        #expect(stderr.contains("warning: stopped by SIGTERM after ") && stderr.contains("was ended by SIGTERM (status 143, as a shell reports it)"), "\(stderr)")
        #expect(!stderr.contains("exited with status 143"), "\(stderr)")
        #expect(json["exit_status"] as? Int == 143 && json["exit_signal"] as? String == "SIGTERM", "\(json)")
        #expect(started.stdout.text().contains("ended by SIGTERM (status 143), stopped early by SIGTERM"))
    }

    @Test func probeOfAPidStoppedBySIGHUPSaysSoAndLeavesTheProcessAlone() throws {
        let dir = try Tool.scratch()
        let sleeper = try HeldProcess(executable: "sleep", arguments: ["60"])
        try sleeper.release()
        defer {
            kill(sleeper.pid, SIGKILL)
            _ = sleeper.waitForExit()
        }
        let started = try Self.start(["probe", "--pid", "\(sleeper.pid)", "--duration", "30s", "--json", dir + "/p.json"])
        defer { started.cleanUp() }
        let stderr = started.stop(with: SIGHUP)
        let json = try #require(Self.json(dir + "/p.json"), "no JSON written: \(stderr)")
        let warnings = json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("stopped by SIGHUP after ") && $0.contains(" of the 30 s asked for") }, "\(warnings)")
        #expect(stderr.contains("warning: stopped by SIGHUP after ") && stderr.contains(" of the 30 s asked for"), "\(stderr)")
        #expect(sleeper.exitStatusIfExited() == nil, "the watched process is not signalled")
    }

    /// A command that ignores the signal gets SIGKILL after the grace time; observe still reports.
    @Test func aCommandThatIgnoresSIGTERMIsKilledAfterTheGraceTime() throws {
        let dir = try Tool.scratch()
        let started = try Self.observeFollowing(in: dir, ignoringTERM: true)
        defer { started.cleanUp() }
        let command = try #require(started.commandPid)
        let stderr = started.stop(with: SIGTERM, within: 30)
        #expect(!Self.isRunning(command), "the command outlived observe")
        let json = try #require(Self.json(dir + "/o.json"), "no JSON written: \(stderr)")
        #expect(json["exit_status"] as? Int == Int(128 + SIGKILL) && json["exit_signal"] as? String == "SIGKILL")
        let warnings = json["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.contains("was killed (SIGKILL)") }, "\(warnings)")
    }

    /// The SIGKILL after the grace time takes the processes the command started too: a shell
    /// that ignored SIGTERM had its child left running, reparented to init (review).
    @Test func theKillAfterTheGraceTimeTakesTheCommandsChildren() throws {
        let dir = try Tool.scratch()
        let script = "trap '' TERM; sleep 60 >/dev/null 2>&1 & echo $! > \(dir)/child; echo $$ > \(dir)/pid; wait"
        let started = try Self.start(["probe", "--json", dir + "/p.json", "--", "/bin/sh", "-c", script], pidFile: dir + "/pid")
        defer { started.cleanUp() }
        let child = try #require((try? String(contentsOfFile: dir + "/child", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        defer { if Self.isRunning(child) { kill(child, SIGKILL) } }
        #expect(Self.isRunning(child))
        _ = started.stop(with: SIGTERM, within: 30)
        #expect(Self.wait(5) { !Self.isRunning(child) }, "the command's child outlived the kill")
    }

    /// A second signal (more than half a second after the first) quits at once, without a
    /// report, but kills the command first.
    @Test func aSecondSignalQuitsAtOnceAndKillsTheCommand() throws {
        let dir = try Tool.scratch()
        let started = try Self.observeFollowing(in: dir, ignoringTERM: true)
        defer { started.cleanUp() }
        let command = try #require(started.commandPid)
        kill(started.pid, SIGTERM)
        usleep(1_000_000)
        #expect(Self.isRunning(command), "it ignores SIGTERM")
        kill(started.pid, SIGTERM)
        // Well before the grace time (5 s) would have ended it.
        let end = started.finish(within: 3)
        let stderr = started.stderr.text()
        #expect(end.reason == .exit && end.status == 128 + SIGTERM, "\(end): \(stderr)")
        #expect(stderr.contains("quitting now"), "\(stderr)")
        #expect(Self.wait(5) { !Self.isRunning(command) }, "the command outlived observe")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o.json"))
    }

    /// vsockbench killed outright (SIGKILL: nothing runs on its way out) takes the command with
    /// it (PR_SET_PDEATHSIG).
    @Test func aCommandDoesNotOutliveAVsockbenchKilledOutright() throws {
        let dir = try Tool.scratch()
        let started = try Self.observeFollowing(in: dir, json: false)
        defer { started.cleanUp() }
        let command = try #require(started.commandPid)
        kill(started.pid, SIGKILL)
        #expect(Self.wait(5) { !Self.isRunning(command) }, "the command outlived a killed observe")
        _ = started.finish(within: 10)
    }
}
