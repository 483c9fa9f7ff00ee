import Foundation
import Synchronization
import Testing

@testable import VsockProbe

/// The probe against processes whose exact costs are known: the fixtures.
@Suite(.enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
struct ProbeTests {
    @Test(
        "KVM_RUN ioctls: exactly N+1 for a guest doing N `out` then `hlt`",
        .enabled(if: TestSupport.hasKVM, "needs /dev/kvm"),
        arguments: [0, 1, 7, 100])
    func countsKVMRunExactly(outs: Int) throws {
        let result = try TestSupport.runUnderProbe([TestSupport.product("kvm-fixture"), "\(outs)"])
        #expect(result.exitStatus == 0)
        #expect(result.counters.kvmRun == UInt64(outs + 1))
        var expectedExits = ["HLT": UInt64(1)]
        if outs > 0 { expectedExits["IO"] = UInt64(outs) }
        #expect(result.counters.kvmUserspaceExits == expectedExits)
    }

    @Test("no KVM_RUN for a process that makes none")
    func countsNoKVMRunWithoutKVM() throws {
        let result = try TestSupport.runUnderProbe([TestSupport.product("write-fixture"), "3"])
        #expect(result.exitStatus == 0)
        #expect(result.counters.kvmRun == 0)
        // Attached and counted none: a zero ({}), not null ("not counted").
        #expect(result.counters.kvmUserspaceExits == (result.counters.isAttached("kvm_userspace_exits") ? [:] : nil))
    }

    @Test("write(2): exactly M for the followed process while this process writes concurrently")
    func countsWritesOfTheFollowedProcessOnly() throws {
        let stop = Atomic<Bool>(false)
        let otherWrites = Atomic<Int>(0)
        let writer = Thread {
            let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
            defer { close(null) }
            while !stop.load(ordering: .relaxed) {
                if write(null, "y", 1) == 1 { otherWrites.add(1, ordering: .relaxed) }
            }
        }
        writer.start()
        let other = try HeldProcess(executable: TestSupport.product("write-fixture"), arguments: ["20000"])
        try other.release()
        let result = try TestSupport.runUnderProbe([TestSupport.product("write-fixture"), "1234"])
        stop.store(true, ordering: .relaxed)
        #expect(other.waitForExit() == 0)
        #expect(result.exitStatus == 0)
        #expect(result.counters.syscalls["write"] == 1234)
        #expect(otherWrites.load(ordering: .relaxed) > 0, "the concurrent writer must have written")
    }

    @Test("children are followed: sh -c 'a; b' counts both fixtures' writes, and none without following")
    func followsChildren() throws {
        let fixture = TestSupport.product("write-fixture")
        let command = ["/bin/sh", "-c", "'\(fixture)' 5 && '\(fixture)' 7"]
        let followed = try TestSupport.runUnderProbe(command)
        #expect(followed.exitStatus == 0)
        #expect(followed.counters.syscalls["write"] == 12)

        let notFollowed = try TestSupport.runUnderProbe(command, configuration: ProbeConfiguration(pids: [], followChildren: false, vsockPort: TestSupport.unusedVsockPort))
        #expect(notFollowed.exitStatus == 0)
        #expect(notFollowed.counters.syscalls["write"] == nil)
        #expect(notFollowed.counters.sources.first { $0.program == "follow_fork_data_loc" }?.attached == false)
    }

    @Test("a pid added after load is counted from then on")
    func followsPidAddedAfterLoad() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], followChildren: false, vsockPort: TestSupport.unusedVsockPort))
        defer { probe.close() }
        let child = try HeldProcess(executable: TestSupport.product("write-fixture"), arguments: ["42"])
        child.waitUntilHeld()
        let before = try probe.read()
        try probe.follow(pid: child.pid)
        try child.release()
        #expect(child.waitForExit() == 0)
        let delta = try probe.read().subtracting(before)
        #expect(delta.syscalls["write"] == 42)
    }

    @Test("a process busy in system calls before it is followed is counted once followed (no stale per-CPU verdict)")
    func followingVoidsRememberedVerdicts() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], followChildren: false, vsockPort: TestSupport.unusedVsockPort))
        defer { probe.close() }
        // `yes` writes without pause: every CPU it runs on remembers it as not followed.
        let busy = try HeldProcess(executable: "/bin/sh", arguments: ["-c", "exec yes > /dev/null"])
        try busy.release()
        defer {
            kill(busy.pid, SIGKILL)
            _ = busy.waitForExit()
        }
        usleep(200_000)
        let unfollowed = try probe.read()
        #expect(unfollowed.syscalls["write"] == nil, "not followed yet: \(unfollowed.syscalls)")
        try probe.follow(pid: busy.pid)
        // Polled, not one fixed sleep: on a loaded machine `yes` may wait for a CPU a while.
        var delta = try probe.read().subtracting(unfollowed)
        for _ in 0..<50 where (delta.syscalls["write"] ?? 0) == 0 {
            usleep(100_000)
            delta = try probe.read().subtracting(unfollowed)
        }
        #expect((delta.syscalls["write"] ?? 0) > 0, "followed now: \(delta.syscalls)")
    }

    @Test("the probe reads nothing after close")
    func closeDetaches() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [getpid()], vsockPort: TestSupport.unusedVsockPort))
        _ = try probe.read()
        probe.close()
        probe.close()
        #expect(throws: ProbeError.self) { try probe.read() }
    }
}
