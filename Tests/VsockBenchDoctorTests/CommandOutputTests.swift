#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@testable import VsockTransport
@testable import VsockBenchDoctor

@Suite struct CommandOutputTests {
    @Test("both outputs and the exit status are captured")
    func capturesOutputAndStatus() throws {
        let output = try CommandOutput.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], timeoutSeconds: 10)
        #expect(output == CommandOutput(status: 3, stdout: "out\n", stderr: "err\n", timedOut: false))
    }

    @Test("a command past its timeout is killed and says so")
    func timesOut() throws {
        let output = try CommandOutput.run("/bin/sh", ["-c", "exec sleep 10"], timeoutSeconds: 0.2)
        #expect(output.timedOut)
        #expect(output.status == 128 + 9)
    }

    /// What the command started goes with it: a nitro-cli's child had been left running (review).
    @Test("a timeout kills the command's children too")
    func timeoutKillsTheGroup() throws {
        let file = "/tmp/vsockbench-command-output-\(getpid())"
        defer { unlink(file) }
        let output = try CommandOutput.run("/bin/sh", ["-c", "sleep 60 >/dev/null 2>&1 & echo $! > \(file); sleep 60"], timeoutSeconds: 0.5)
        #expect(output.timedOut)
        let child = try #require((try? String(contentsOfFile: file, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        var gone = false
        for _ in 0..<100 {
            // Gone, or a zombie waiting for init: not running either way.
            let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
            if stat.isEmpty || stat.contains(") Z ") { gone = true; break }
            usleep(20_000)
        }
        if !gone { kill(child, SIGKILL) }
        #expect(gone, "the command's child outlived the timeout")
    }

    @Test("a missing executable throws with its path")
    func missingExecutable() {
        #expect(throws: SystemError.self) { try CommandOutput.run("/nonexistent/nitro-cli", [], timeoutSeconds: 1) }
    }
}
