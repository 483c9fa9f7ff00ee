#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport

struct WaitStatusTests {
    /// Real statuses from `waitpid`, not hand-built ones: `sh -c SCRIPT`'s (SIGKILL for a signal: the test runner may hold SIGTERM blocked, which the child inherits).
    private func status(_ script: String) throws -> Int32 {
        var pid = pid_t()
        var argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", script].map { (s: String) -> UnsafeMutablePointer<CChar>? in strdup(s) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        try #require(posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        return raw
    }

    @Test func anExitCodeIsTheCodeNotTheRawStatus() throws {
        let raw = try status("exit 3")
        #expect(WaitStatus.shellStatus(raw) == 3)
        #expect(WaitStatus.text(raw) == "exit status 3")
    }

    @Test func aSignalIs128PlusItsNumberAndNamedAsAKill() throws {
        let raw = try status("kill -KILL $$")
        #expect(WaitStatus.shellStatus(raw) == 137)
        #expect(WaitStatus.text(raw) == "killed by signal 9 (exit status 137)")
    }
}
