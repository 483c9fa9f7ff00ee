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

    @Test("a missing executable throws with its path")
    func missingExecutable() {
        #expect(throws: SystemError.self) { try CommandOutput.run("/nonexistent/nitro-cli", [], timeoutSeconds: 1) }
    }
}
