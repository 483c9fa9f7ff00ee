import Foundation
import Testing

@testable import VsockProbe

/// Programs are switched off, with a reason, where the kernel cannot feed them correctly:
/// tested through a copy of tracefs whose `format` files are altered or missing.
@Suite(.enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
struct ProbePlanTests {
    @Test("every program's fields are where this kernel's format files put them")
    func layoutsMatchThisKernel() throws {
        let tracefs = Tracefs(root: ProbeConfiguration.defaultTracefsRoot)
        for program in ProbeProgram.tracepointPrograms where tracefs.exists(category: program.category, event: program.event) {
            let mismatches = LayoutCheck.mismatches(of: program, against: try tracefs.format(category: program.category, event: program.event))
            if program.name == ProbeProgram.followForkFixedComm.name {
                continue  // the layout of older kernels; this one has the other
            }
            #expect(mismatches.isEmpty, "\(program.name): \(mismatches)")
        }
    }

    @Test("a wrong kvm_exit layout switches count_kvm_exit off with a warning; the rest still count")
    func wrongLayoutDisablesProgram() throws {
        let root = try TestSupport.makeFakeTracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        let format = root.appending(path: "events/kvm/kvm_exit/format")
        let original = try String(contentsOf: format, encoding: .utf8)
        let altered = original.replacingOccurrences(of: "u32 isa;\toffset:24;", with: "u32 isa;\toffset:28;")
        #expect(altered != original, "the real format must have isa at offset 24 for this test to mean something")
        try altered.write(to: format, atomically: true, encoding: .utf8)

        let configuration = ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, tracefsRoot: root.path)
        let probe = try Probe(configuration: configuration)
        defer { probe.close() }
        let source = try #require(probe.sources.first { $0.program == "count_kvm_exit" })
        #expect(!source.attached)
        #expect(source.reason?.contains("field isa is at offset 28 size 4, the program reads offset 24 size 4") == true)
        #expect(probe.warnings.contains { $0.hasPrefix("count_kvm_exit switched off rather than count garbage") })
        #expect(probe.sources.first { $0.program == "count_kvm_run" }?.attached == true)
        #expect(try probe.read().kvmExits == nil)
    }

    @Test(
        "the same, end to end: the kvm fixture still counts N+1 KVM_RUN and its exits to user space with kvm_exit off",
        .enabled(if: TestSupport.hasKVM, "needs /dev/kvm"))
    func wrongLayoutStillCountsTheRest() throws {
        let root = try TestSupport.makeFakeTracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        let format = root.appending(path: "events/kvm/kvm_exit/format")
        let original = try String(contentsOf: format, encoding: .utf8)
        try original.replacingOccurrences(of: "u32 isa;\toffset:24;", with: "u32 isa;\toffset:28;")
            .write(to: format, atomically: true, encoding: .utf8)

        let result = try TestSupport.runUnderProbe(
            [TestSupport.product("kvm-fixture"), "3"], configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, tracefsRoot: root.path))
        #expect(result.exitStatus == 0)
        #expect(result.counters.kvmExits == nil, "count_kvm_exit must be off, not count garbage")
        #expect(result.warnings.contains { $0.hasPrefix("count_kvm_exit switched off") })
        #expect(result.counters.kvmRun == 4)
        #expect(result.counters.kvmUserspaceExits == ["IO": 3, "HLT": 1])
    }

    @Test("KVM_RUN is counted inside count_syscall (one program per system call), and is off with it")
    func kvmRunRidesOnTheSyscallProgram() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort))
        defer { probe.close() }
        let kvmRun = try #require(probe.sources.first { $0.program == "count_kvm_run" })
        let syscalls = try #require(probe.sources.first { $0.program == "count_syscall" })
        #expect(kvmRun.attached && syscalls.attached)
        #expect(kvmRun.tracepoint == "raw_syscalls/sys_enter" && syscalls.tracepoint == "raw_syscalls/sys_enter")
        #expect(!probe.sources.contains { $0.tracepoint.hasPrefix("syscalls/") }, "no per-syscall tracepoint is used")

        let root = try TestSupport.makeFakeTracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appending(path: "events/raw_syscalls"))
        let without = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, tracefsRoot: root.path))
        defer { without.close() }
        let off = try #require(without.sources.first { $0.program == "count_kvm_run" })
        #expect(!off.attached && off.reason?.contains("raw_syscalls/sys_enter") == true, "\(off)")
        #expect(try without.read().kvmRun == nil)
    }

    @Test("without a process to follow, no program runs on system calls, forks or VM exits")
    func processProgramsOffWithoutProcesses() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, countsProcesses: false))
        defer { probe.close() }
        for name in ["count_syscall", "count_kvm_run", "count_kvm_exit", "count_userspace_exit", "follow_fork_data_loc", "forget_thread"] {
            let source = try #require(probe.sources.first { $0.program == name }, "\(name)")
            #expect(!source.attached && source.reason?.contains("no process is followed") == true, "\(name): \(source)")
        }
        #expect(probe.sources.first { $0.program == "count_vsock_tx" }?.attached == FileManager.default.fileExists(atPath: "/sys/kernel/tracing/events/vsock"))
    }

    @Test("missing vsock tracepoints and no vsock device: those programs are off with reasons, no warning")
    func missingTracepointsAreOffCleanly() throws {
        let root = try TestSupport.makeFakeTracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: root.appending(path: "events/vsock"))
        let noDevice = SystemRoots(vsockDriverDirectory: root.appending(path: "no-such-driver").path, interruptsFile: "/proc/interrupts")

        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, tracefsRoot: root.path, systemRoots: noDevice))
        defer { probe.close() }
        for name in ["count_vsock_tx", "count_vsock_rx"] {
            let source = try #require(probe.sources.first { $0.program == name })
            #expect(!source.attached)
            #expect(source.reason?.contains("does not exist on this kernel") == true)
        }
        let irq = try #require(probe.sources.first { $0.program == "count_vsock_irq" })
        #expect(!irq.attached && irq.reason?.contains("no virtio device is bound") == true)
        let kicks = try #require(probe.sources.first { $0.program == "count_virtqueue_kick" })
        #expect(!kicks.attached && kicks.reason?.contains("no virtio device") == true)
        #expect(probe.warnings.isEmpty, "\(probe.warnings)")
        let counters = try probe.read()
        #expect(counters.vsock == nil && counters.vsockIRQs == nil && counters.virtqueueKicks == nil)
    }

    @Test("only the sched_process_fork program of this kernel's layout loads, without a warning")
    func oneForkProgramPerLayout() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort))
        defer { probe.close() }
        let fork = probe.sources.filter { $0.tracepoint == "sched/sched_process_fork" }
        #expect(fork.count == 2)
        #expect(fork.filter(\.attached).count == 1)
        #expect(fork.first { !$0.attached }?.reason?.contains("other layout") == true)
        #expect(!probe.warnings.contains { $0.contains("fork") })
    }

    @Test("fentry on virtqueue_notify: attached, or off with the kernel's refusal as the reason")
    func virtqueueKicksSayWhy() throws {
        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort))
        defer { probe.close() }
        let kicks = try #require(probe.sources.first { $0.program == "count_virtqueue_kick" })
        #expect(kicks.tracepoint == "fentry/virtqueue_notify")
        #expect(kicks.attached || kicks.reason?.isEmpty == false)
        #expect(try (probe.read().virtqueueKicks != nil) == kicks.attached)
    }
}
