#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VsockProbe

@testable import VsockObserve

/// What `ObserveSession` refuses before it watches anything.
@Suite struct ObserveSessionTests {
    /// A pid no process has: above the kernel's pid_max (at most 2^22).
    static let noSuchProcess: Int32 = 5_000_000

    @Test("a --pid no process has is an error naming it, not an empty observation")
    func missingProcessIsAnError() throws {
        #expect(kill(Self.noSuchProcess, 0) != 0 && errno == ESRCH)
        let options = ObserveOptions(port: 5999, pids: [Self.noSuchProcess], durationSeconds: 1)
        do {
            let observation = try ObserveSession.run(options)
            Issue.record("observed \(observation.seconds) s of a process that does not exist")
        } catch let error as FollowedProcessError {
            #expect(error.errno == ESRCH, "\(error)")
            #expect("\(error)".contains("pid \(Self.noSuchProcess)") && "\(error)".contains("No such process"), "\(error)")
        }
    }

    /// A thread id passed kill(TID, 0) and was followed as a process: an empty observation, exit 0.
    @Test("a --pid that is a thread's id is refused, naming the process to give")
    func threadIsRefused() throws {
        let thread = try #require(FileSystem.entries(of: "/proc/self/task").compactMap { Int32($0) }.first { $0 != getpid() })
        let options = ObserveOptions(port: 5999, pids: [thread], durationSeconds: 0.05)
        #expect(throws: FollowedProcessError(pid: thread, process: getpid())) { _ = try ObserveSession.run(options) }
    }

    static let probeReady = Probe.checkAvailability() == .available

    /// Stopped by a signal (handed over as the command's signal thread does): what was observed
    /// is returned, with the signal and a warning; a followed command is sent the signal.
    @Test(
        "a stop ends an observation early, says so, and ends a followed command",
        .enabled(if: probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"),
        arguments: [false, true])
    func stopEndsTheObservation(followsCommand: Bool) throws {
        let stop = SessionStop()
        let signaller = Thread {
            usleep(700_000)
            _ = stop.receive(SIGTERM)
        }
        signaller.start()
        let options = followsCommand
            ? ObserveOptions(port: 5998, command: ["sleep", "30"])
            : ObserveOptions(port: 5998, durationSeconds: 30)
        let observation = try ObserveSession.run(options, stop: stop)
        #expect(observation.seconds < 10)
        #expect(observation.stopSignal == SIGTERM)
        #expect(observation.exitStatus == (followsCommand ? 128 + SIGTERM : nil))
        // Ended by the signal, not exited (it said "exited with status 143").
        #expect(observation.exitSignal == (followsCommand ? SIGTERM : nil))
        let expected = followsCommand
            ? "the command was sent SIGTERM and was ended by SIGTERM (status 143, as a shell reports it)" : " of the 30 s asked for"
        #expect(observation.warnings.contains { $0.hasPrefix("stopped by SIGTERM after ") && $0.contains(expected) }, "\(observation.warnings)")
        #expect(ObserveDocument(observation).warnings == observation.warnings)
    }
}
