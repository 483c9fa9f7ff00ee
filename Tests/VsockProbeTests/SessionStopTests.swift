import Foundation
import Synchronization
import Testing

@testable import VsockProbe

/// How `probe` and `observe` take a stopping signal: the first one stops the session and is
/// passed on to the followed command; the same one again within half a second is one request;
/// a later one quits, the command killed first.
@Suite struct SessionStopTests {
    @Test("the first signal stops the session and reaches the followed command")
    func firstSignalIsPassedOn() throws {
        let stop = SessionStop()
        let child = try HeldProcess(executable: "sleep", arguments: ["30"])
        try child.release()
        defer { child.end(signal: SIGKILL, graceSeconds: 1) }
        stop.follow(child)
        #expect(stop.signal == nil && stop.secondsSinceSignal == nil)
        #expect(stop.receive(SIGTERM) == .stop)
        #expect(stop.signal == SIGTERM)
        #expect(child.waitForExit(timeout: 5) == 128 + SIGTERM)
    }

    @Test("a signal that came before the command was followed reaches it when it is")
    func signalBeforeFollowIsPassedOnAtFollow() throws {
        let stop = SessionStop()
        #expect(stop.receive(SIGHUP) == .stop)
        let child = try HeldProcess(executable: "sleep", arguments: ["30"])
        try child.release()
        defer { child.end(signal: SIGKILL, graceSeconds: 1) }
        stop.follow(child)
        #expect(child.waitForExit(timeout: 5) == 128 + SIGHUP)
    }

    @Test("the same signal again within half a second is one request; a later one quits, the command killed")
    func secondSignalQuitsAndKills() throws {
        let stop = SessionStop()
        let child = try HeldProcess.ignoringSIGTERM()
        defer { child.end(signal: SIGKILL, graceSeconds: 1) }
        stop.follow(child)
        #expect(stop.receive(SIGTERM, now: 100) == .stop)
        #expect(stop.receive(SIGTERM, now: 100.2) == .repeated)
        #expect(child.waitForExit(timeout: 0.3) == nil, "it ignores SIGTERM")
        #expect(stop.receive(SIGINT, now: 101) == .quit(status: 128 + SIGTERM))
        #expect(child.waitForExit(timeout: 5) == 128 + SIGKILL, "killed before vsockbench quits")
    }

    @Test("signal names")
    func names() {
        #expect(SessionStop.name(of: SIGTERM) == "SIGTERM")
        #expect(SessionStop.name(of: SIGHUP) == "SIGHUP")
        #expect(SessionStop.name(of: SIGINT) == "SIGINT")
        #expect(SessionStop.name(of: 42) == "signal 42")
    }

    @Test("the warning says after how long, of how long asked for, and what became of the command")
    func warningText() {
        #expect(ProbeSession.stopWarning(signal: SIGTERM, seconds: 2.9764, requested: 30)
            == "stopped by SIGTERM after 2.976 s of the 30 s asked for")
        #expect(ProbeSession.stopWarning(signal: SIGHUP, seconds: 1, commandStatus: 143)
            == "stopped by SIGHUP after 1.000 s; the command was sent SIGHUP and exited with status 143")
        // A signal death is not an exit (it said "exited with status 143").
        #expect(ProbeSession.stopWarning(signal: SIGTERM, seconds: 1, commandStatus: 143, commandSignal: SIGTERM)
            == "stopped by SIGTERM after 1.000 s; the command was sent SIGTERM and was ended by SIGTERM (status 143, as a shell reports it)")
        #expect(ProbeSession.stopWarning(signal: SIGTERM, seconds: 6, commandStatus: 137, killed: true)
            == "stopped by SIGTERM after 6.000 s; the command was sent SIGTERM, had not exited 5 s later and was killed (SIGKILL), status 137")
    }

    /// The sessions themselves, stopped by a signal the way the command's signal thread hands
    /// it over: they return what they counted, with the signal and a warning.
    @Test(
        "probe -- COMMAND stopped by SIGTERM: the command is sent it, the counts are returned",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func probeRunStoppedBySignal() throws {
        let stop = SessionStop()
        let signaller = Thread {
            usleep(500_000)
            _ = stop.receive(SIGTERM)
        }
        signaller.start()
        let started = Monotonic.now
        let result = try ProbeSession.run(
            command: ["sleep", "30"], configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort),
            handlesInterrupts: false, stop: stop)
        #expect(Monotonic.now - started < 10)
        #expect(result.exitStatus == 128 + SIGTERM)
        #expect(result.stopSignal == SIGTERM)
        #expect(result.exitSignal == SIGTERM)
        #expect(result.warnings.contains { $0.hasPrefix("stopped by SIGTERM after ") && $0.contains("was ended by SIGTERM (status 143, as a shell reports it)") }, "\(result.warnings)")
        #expect(ProbeReport.text(result, title: "`sleep 30`").hasPrefix("vsockbench probe: `sleep 30`, ") && ProbeReport.text(result, title: "x").contains(", ended by SIGTERM (status 143), stopped early by SIGTERM"))
    }

    @Test(
        "probe --pid --duration stopped by a signal: the count ends early and the process is left alone",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func probeAttachStoppedBySignal() throws {
        let sleeper = try HeldProcess(executable: "sleep", arguments: ["30"])
        try sleeper.release()
        defer { sleeper.end(signal: SIGKILL, graceSeconds: 1) }
        let stop = SessionStop()
        let signaller = Thread {
            usleep(500_000)
            _ = stop.receive(SIGINT)
        }
        signaller.start()
        let result = try ProbeSession.attach(
            pid: sleeper.pid, duration: 30, configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort), stop: stop)
        #expect(result.seconds < 10)
        #expect(result.stopSignal == SIGINT)
        #expect(result.warnings.contains { $0.hasPrefix("stopped by SIGINT after ") && $0.contains(" of the 30 s asked for") }, "\(result.warnings)")
        #expect(sleeper.exitStatusIfExited() == nil, "the watched process is not signalled")
    }

    /// A command that exits before its first whole --interval still has its counts in a slice:
    /// the last, shorter one. The slices add up to the totals.
    @Test(
        "probe --interval: the last, partial slice is shown, and the slices add up to the totals",
        .enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
    func theLastPartialSliceIsShown() throws {
        var slices: [(syscalls: UInt64, elapsed: Double)] = []
        let result = try ProbeSession.run(
            command: ["/bin/sh", "-c", "sleep 0.3; for i in 1 2 3 4 5; do /bin/true; done"],
            configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort), interval: 10,
            handlesInterrupts: false, onInterval: { delta, elapsed in slices.append((delta.totalSyscalls, elapsed)) })
        #expect(slices.count == 1, "one slice, shorter than the 10 s asked for: \(slices)")
        #expect(slices.last.map { abs($0.elapsed - result.seconds) < 0.001 } == true, "it ends where the session ends")
        let total = result.counters.totalSyscalls
        #expect(total > 0)
        #expect(slices.reduce(0) { $0 + $1.syscalls } == total)
    }
}
