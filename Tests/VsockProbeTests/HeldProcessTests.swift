import Testing

@testable import VsockProbe

@Suite struct HeldProcessTests {
    @Test("the exit status of the command, and 128 + signal when a signal ends it", arguments: [
        ("exit 0", Int32(0)), ("exit 7", 7), ("kill -TERM $$", 143),
    ])
    func exitStatus(script: String, expected: Int32) throws {
        let child = try HeldProcess(executable: "sh", arguments: ["-c", script])
        try child.release()
        #expect(child.waitForExit() == expected)
        #expect(child.exitStatusIfExited() == expected)
    }

    @Test("the child waits in read(2) until released")
    func heldUntilReleased() throws {
        let child = try HeldProcess(executable: "/bin/true", arguments: [])
        #expect(child.waitUntilHeld())
        #expect(child.exitStatusIfExited() == nil)
        try child.release()
        #expect(child.waitForExit() == 0)
    }

    @Test("an executable that cannot be run is an error, not a silent exit 127")
    func execFailure() throws {
        #expect(throws: ProbeError.self) { try HeldProcess(executable: "no-such-command-vsockbench", arguments: []) }
        let child = try HeldProcess(executable: "/proc/self/no-such-file", arguments: [])
        #expect(throws: ProbeError.self) { try child.release() }
    }

    @Test("a child never released exits when abandoned")
    func abandon() throws {
        let child = try HeldProcess(executable: "/bin/true", arguments: [])
        child.abandon()
        #expect(child.exitStatusIfExited() == 127)
    }
}
