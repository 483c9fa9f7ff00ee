import Foundation
import Testing

@testable import VsockProbe

/// `vsockbench probe` as a user runs it: the built binary.
@Suite struct ProbeCommandTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let unusedPort = String(TestSupport.unusedVsockPort)

    static func vsockbench(_ arguments: [String], prefix: [String] = []) throws -> Output {
        let process = Process()
        let command = prefix + [TestSupport.product("vsockbench")] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test(
        "probe -- kvm-fixture 3: report, JSON file, exit status 0",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"),
        .enabled(if: TestSupport.hasKVM, "needs /dev/kvm"))
    func runsCommandUnderProbe() throws {
        let json = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let output = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--json", json.path, "--", TestSupport.product("kvm-fixture"), "3"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("vsockbench probe: "))
        #expect(output.stdout.contains("kvm_run"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        #expect(object["kvm_run"] as? Int == 4)
        // The counters' keys, and beside them the warnings and what the text's banner says
        // (the JSON had only the counters: no command, status, duration or filter).
        let banner: Set<String> = ["schema", "command", "pids", "started_at", "seconds", "exit_status", "exit_signal", "stop_signal", "follow_children", "vsock_port", "vsock_cid"]
        #expect(Set(object.keys) == ProbeCountersTests.documentedKeys.union(["warnings"]).union(banner))
        #expect(object["warnings"] is [String], "\(String(describing: object["warnings"]))")
        #expect(object["schema"] as? String == "vsockbench-probe/1")
        #expect(object["command"] as? [String] == [TestSupport.product("kvm-fixture"), "3"])
        #expect(object["pids"] is NSNull && object["stop_signal"] is NSNull && object["vsock_cid"] is NSNull)
        #expect(object["exit_status"] as? Int == 0 && object["exit_signal"] is NSNull)
        #expect(object["vsock_port"] as? Int == Int(Self.unusedPort))
        #expect(object["follow_children"] as? Bool == true)
        #expect((object["seconds"] as? Double).map { $0 > 0 && $0 < 60 } == true)
        #expect((object["started_at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test(
        "the command's exit status is vsockbench's, and --interval prints a table",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func exitStatusAndInterval() throws {
        let output = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--interval", "0.05", "--", "sh", "-c", "sleep 0.2; exit 3"])
        #expect(output.status == 3, "\(output.stderr)")
        #expect(output.stdout.hasPrefix(ProbeReport.intervalHeader))
        let rows = output.stdout.split(separator: "\n").prefix { !$0.isEmpty }.dropFirst()
        #expect(rows.count >= 2, "\(output.stdout)")
    }

    /// `probe -- nosuchcmd` exited 2, as a command that itself exits 2 does.
    @Test(
        "a command that cannot be started exits 127 (not found) or 126 (not executable), as in a shell",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func commandNotStartedStatus() throws {
        let notFound = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--", "no-such-command-vsockbench"])
        #expect(notFound.status == 127, "\(notFound.stderr)")
        #expect(notFound.stderr.contains("no-such-command-vsockbench"), "\(notFound.stderr)")
        let file = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-not-executable-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let notExecutable = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--", file])
        #expect(notExecutable.status == 126, "\(notExecutable.stderr)")
    }

    @Test(
        "--pid PID --duration D watches a running process",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func attachesToPid() throws {
        let sleeper = try HeldProcess(executable: "sleep", arguments: ["5"])
        try sleeper.release()
        defer {
            kill(sleeper.pid, SIGKILL)
            _ = sleeper.waitForExit()
        }
        let output = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--pid", "\(sleeper.pid)", "--duration", "0.2", "--json", "-"])
        #expect(output.status == 0, "\(output.stderr)")
        // Standard output is the JSON alone; the text report went to standard error.
        #expect(output.stderr.contains("vsockbench probe: pid \(sleeper.pid)"))
        let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(json?["syscalls"] != nil, "\(output.stdout)")
        #expect(json?["pids"] as? [Int] == [Int(sleeper.pid)] && json?["command"] is NSNull && json?["exit_status"] is NSNull)
    }

    @Test(
        "--pid repeated watches every process (the last alone was watched, silently), and a count that the processes' exit cut short says so",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func severalPidsAndAnEarlyExit() throws {
        // Foundation's Process reaps its children: an exited one is gone, not a zombie that kill(pid, 0) still finds.
        let sleepers = try (0..<2).map { _ in
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["0.5"]
            try sleeper.run()
            return sleeper
        }
        defer {
            for sleeper in sleepers {
                kill(sleeper.processIdentifier, SIGKILL)
                sleeper.waitUntilExit()
            }
        }
        let (first, second) = (sleepers[0].processIdentifier, sleepers[1].processIdentifier)
        let output = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--pid", "\(first)", "--pid", "\(second)", "--pid", "\(first)", "--duration", "20s"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("vsockbench probe: pid \(first), \(second), "), "\(output.stdout)")
        #expect(output.stderr.contains("the processes had all exited after"), "\(output.stderr)")
        #expect(output.stderr.contains("of the 20 s asked for"), "\(output.stderr)")
    }

    @Test(
        "--json - with a command: standard output is the JSON alone, the command's output goes to standard error",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func commandOutputLeavesTheJSONAlone() throws {
        let output = try Self.vsockbench(["probe", "--vsock-port", Self.unusedPort, "--json", "-", "--", "sh", "-c", "echo from-the-command"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("from-the-command"), "\(output.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(json?["syscalls"] != nil, "\(output.stdout)")
    }

    @Test(
        "without privileges: one line saying what is missing and how to get it, exit 2",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv to drop privileges"))
    func unavailableExitsTwo() throws {
        let output = try Self.vsockbench(
            ["probe", "--", "true"], prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(output.status == 2)
        #expect(output.stdout.isEmpty)
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("missing root or CAP_BPF+CAP_PERFMON") == true)
    }

    @Test(
        "tracefs is mounted when it is not (in a private mount namespace where it was unmounted)",
        .enabled(if: TestSupport.canProbe && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root and unshare"))
    func mountsTracefs() throws {
        let script = "umount /sys/kernel/tracing 2>/dev/null; test ! -d /sys/kernel/tracing/events || exit 99; "
            + "\"$0\" probe --vsock-port \(Self.unusedPort) -- true && test -d /sys/kernel/tracing/events/syscalls"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--mount", "--propagation", "private", "/bin/sh", "-c", script, TestSupport.product("vsockbench")]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("--help teaches what each counter means; usage errors exit 2")
    func helpAndUsage() throws {
        let help = try Self.vsockbench(["probe", "--help"])
        #expect(help.status == 0)
        for counter in ["kvm_run", "kvm_exit", "kvm_userspace_exit", "vsock tx/rx", "vsock_irqs", "virtqueue_kicks", "syscalls"] {
            #expect(help.stdout.contains(counter), "\(counter)")
        }
        #expect(try Self.vsockbench(["probe"]).status == 2)
        #expect(try Self.vsockbench(["probe", "--duration", "1", "--", "true"]).status == 2)
    }
}
