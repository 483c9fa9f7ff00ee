import Foundation
import Synchronization
import Testing

@testable import VsockProbe

@Suite struct HeldProcessTests {
    @Test("the exit status of the command, and 128 + signal when a signal ends it, with the signal apart from an exit of the same number", arguments: [
        ("exit 0", Int32(0), Int32?.none), ("exit 7", 7, nil), ("kill -TERM $$", 143, SIGTERM), ("exit 143", 143, nil),
    ])
    func exitStatus(script: String, expected: Int32, signal: Int32?) throws {
        let child = try HeldProcess(executable: "sh", arguments: ["-c", script])
        try child.release()
        #expect(child.waitForExit() == expected)
        #expect(child.exitStatusIfExited() == expected)
        #expect(child.exitSignal == signal)
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

    /// It was exit 2 for both, the code of a command that itself exits 2.
    @Test("a command not found is status 127, one found but not executable 126, as in a shell")
    func startFailureStatus() throws {
        #expect(throws: ProbeError.self) { try HeldProcess(executable: "no-such-command-vsockbench", arguments: []) }
        do {
            _ = try HeldProcess(executable: "no-such-command-vsockbench", arguments: [])
        } catch let error as ProbeError {
            #expect(error.commandStatus == 127, "\(error)")
        }
        let missing = try HeldProcess(executable: "/proc/self/no-such-file", arguments: [])
        #expect(throws: ProbeError(operation: "execve", errno: ENOENT, detail: "the command could not be started", commandStatus: 127)) { try missing.release() }
        let file = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-not-executable-\(UUID().uuidString)").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644]))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let notExecutable = try HeldProcess(executable: file, arguments: [])
        #expect(throws: ProbeError(operation: "execve", errno: EACCES, detail: "the command could not be started", commandStatus: 126)) { try notExecutable.release() }
        // Found in PATH but not executable: 126 too, as bash says (it was skipped, and read 127).
        let name = URL(fileURLWithPath: file).lastPathComponent
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        #expect(throws: ProbeError(operation: "starting \(file)", errno: EACCES, detail: "it is in PATH but not executable", commandStatus: 126)) {
            try HeldProcess.resolve(name, searchPath: directory)
        }
        // An executable one later in the path is taken, as a shell would.
        #expect(try HeldProcess.resolve("sh", searchPath: "\(directory):/bin") == "/bin/sh")
    }

    @Test("end(): SIGTERM, and SIGKILL for a command that outlasts the grace time; reaped either way")
    func endSignalsThenKills() throws {
        let polite = try HeldProcess(executable: "sleep", arguments: ["30"])
        try polite.release()
        #expect(polite.end(graceSeconds: 5) == 143)
        let stubborn = try HeldProcess.ignoringSIGTERM()
        let started = Monotonic.now
        #expect(stubborn.end(graceSeconds: 0.5) == 128 + SIGKILL)
        #expect(Monotonic.now - started < 5)
        #expect(!stubborn.signal(SIGTERM), "reaped: its pid is no longer signalled")
    }

    @Test("a released command still running when its HeldProcess goes is ended, not left behind")
    func deinitEndsARunningCommand() throws {
        var pid: Int32 = 0
        do {
            let child = try HeldProcess(executable: "sleep", arguments: ["30"])
            try child.release()
            pid = child.pid
        }
        // Ended and reaped by the deinit: no child of this process has the pid any more.
        var status: Int32 = 0
        let waited = waitpid(pid, &status, WNOHANG)
        let error = errno
        if waited == 0 {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
        }
        #expect(waited == -1 && error == ECHILD, "the command was left running (waitpid: \(waited))")
    }

    @Test("a timed wait returns nil while the command runs and its status once it exits; a blocked wait lets another thread signal it")
    func timedWaitAndSignalDuringAWait() throws {
        let child = try HeldProcess(executable: "sleep", arguments: ["30"])
        try child.release()
        #expect(child.waitForExit(timeout: 0.05) == nil)
        let status = Mutex<Int32?>(nil)
        let waiter = Thread { let result = child.waitForExit(); status.withLock { $0 = result } }
        waiter.start()
        usleep(100_000)
        // The waiting thread holds no lock while blocked: this returns at once.
        #expect(child.signal(SIGTERM))
        #expect(child.waitForExit(timeout: 5) == 143)
        for _ in 0..<500 where status.withLock({ $0 }) == nil { usleep(10_000) }
        #expect(status.withLock { $0 } == 143)
    }

    /// PR_SET_PDEATHSIG: the child gets SIGKILL when the thread that forked it ends, as it does
    /// when vsockbench is killed outright (SIGKILL), so a followed command never outlives it.
    @Test("the command dies with the thread that started it (PR_SET_PDEATHSIG), never left running")
    func diesWithItsParent() throws {
        let started = Mutex<HeldProcess?>(nil)
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let starter = Thread {
            do {
                let child = try HeldProcess(executable: "sleep", arguments: ["30"])
                try child.release()
                started.withLock { $0 = child }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            done.signal()
        }
        starter.start()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(failure.withLock { $0 } == nil)
        let child = try #require(started.withLock { $0 })
        // The starting thread has ended (or is about to): the command gets SIGKILL.
        var status = child.exitStatusIfExited()
        for _ in 0..<1000 where status == nil {
            usleep(10_000)
            status = child.exitStatusIfExited()
        }
        if status == nil {
            kill(child.pid, SIGKILL)
            _ = child.waitForExit()
        }
        #expect(status == 128 + SIGKILL, "the command outlived the thread that started it")
    }

    @Test("a child never released exits when abandoned")
    func abandon() throws {
        let child = try HeldProcess(executable: "/bin/true", arguments: [])
        child.abandon()
        #expect(child.exitStatusIfExited() == 127)
    }
}
