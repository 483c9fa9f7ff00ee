#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@testable import VsockProbe

/// What `--pid` must name, for probe and observe alike: a running process, not a thread.
@Suite struct FollowedProcessTests {
    /// A thread of this test process other than its main thread (Swift Testing runs tests off
    /// the main thread, so there is always one).
    static func otherThread() throws -> Int32 {
        try #require(FileSystem.entries(of: "/proc/self/task").compactMap { Int32($0) }.first { $0 != getpid() })
    }

    @Test("a process id is accepted; a thread id is refused with the process to give instead")
    func threadIsRefused() throws {
        try FollowedProcess.check([getpid()])
        let thread = try Self.otherThread()
        #expect(FollowedProcess.threadGroup(of: thread) == getpid())
        #expect(throws: FollowedProcessError(pid: thread, process: getpid())) { try FollowedProcess.check([getpid(), thread]) }
        #expect("\(FollowedProcessError(pid: 5905, process: 5863))" == "--pid 5905 is a thread of process 5863: give the process id (5863)")
    }

    @Test("a pid no process has is refused with the errno")
    func missingProcessIsRefused() {
        #expect(throws: FollowedProcessError(pid: 5_000_000, errno: ESRCH)) { try FollowedProcess.check([5_000_000]) }
    }

    /// `probe --pid TID` counted nothing, exit 0: kill(TID, 0) succeeds for a thread.
    @Test("probe --pid with a thread id is refused before anything is attached")
    func attachRefusesAThread() throws {
        let thread = try Self.otherThread()
        #expect(throws: FollowedProcessError(pid: thread, process: getpid())) {
            _ = try ProbeSession.attach(
                pids: [thread], duration: 0.05, configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort))
        }
    }
}
