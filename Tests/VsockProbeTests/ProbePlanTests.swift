import Foundation
import Testing

@testable import VsockProbe

/// Programs are switched off, with a reason, where the kernel cannot feed them correctly:
/// tested through a copy of tracefs whose `format` files are altered or missing.
@Suite(.enabled(if: TestSupport.canProbe, "needs root (or CAP_BPF+CAP_PERFMON), a working bpf() and tracefs"))
struct ProbePlanTests {
    @Test("every program's fields (raw vsock programs: arguments) are where this kernel's format files put them")
    func layoutsMatchThisKernel() throws {
        let tracefs = Tracefs(root: ProbeConfiguration.defaultTracefsRoot)
        let programs = ProbeProgram.tracepointPrograms + [.observeSent, .observeReceived]
        for program in programs where tracefs.exists(category: program.category, event: program.event) {
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

    @Test(
        "alloc_pkt's arguments renamed: count_vsock_tx is off with the sentence and a warning; count_vsock_rx attaches as a raw tracepoint",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/kernel/tracing/events/vsock"), "no vsock tracepoints on this kernel"))
    func wrongArgumentsDisableVsockProgram() throws {
        let root = try TestSupport.makeFakeTracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        let format = root.appending(path: "events/vsock/virtio_transport_alloc_pkt/format")
        let original = try String(contentsOf: format, encoding: .utf8)
        let altered = original.replacingOccurrences(of: "__u16 op;", with: "__u16 opcode;")
        #expect(altered != original, "the real format must have `__u16 op;` for this test to mean something")
        try altered.write(to: format, atomically: true, encoding: .utf8)

        let probe = try Probe(configuration: ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, tracefsRoot: root.path))
        defer { probe.close() }
        let tx = try #require(probe.sources.first { $0.program == "count_vsock_tx" })
        #expect(!tx.attached)
        #expect(tx.reason?.contains("argument 7 is `opcode` (size 2), the program reads `op` (size 2)") == true, "\(tx)")
        #expect(probe.warnings.contains { $0.hasPrefix("count_vsock_tx switched off rather than count garbage") })
        let rx = try #require(probe.sources.first { $0.program == "count_vsock_rx" })
        #expect(rx.attached && rx.tracepoint == "vsock/virtio_transport_recv_pkt", "\(rx)")
        let vsock = try probe.read().vsock
        #expect(vsock?.tx == nil && vsock?.rx != nil, "tx off, not counted as zero; rx counted")
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

/// The plan for the raw vsock programs, judged from a tracefs written here (no root needed): the
/// tracepoint must exist and list the arguments the program reads.
@Suite struct ProbePlanArgumentTests {
    /// A tracefs with the vsock events of Linux 6.1, `recv` in place of recv_pkt's format (nil:
    /// left out); without `vsock`, no vsock event at all.
    static func tracefs(vsock: Bool = true, recv: String? = Formats.recvPkt61) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appending(path: "vsockprobe-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appending(path: "events"), withIntermediateDirectories: true)
        guard vsock else { return root }
        for (event, text) in [("virtio_transport_alloc_pkt", Formats.allocPkt61), ("virtio_transport_recv_pkt", recv)] {
            guard let text else { continue }
            let directory = root.appending(path: "events/vsock/\(event)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: directory.appending(path: "format"), atomically: true, encoding: .utf8)
        }
        return root
    }

    static func plan(_ root: URL) -> ProbePlan {
        let configuration = ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, countsProcesses: false, tracefsRoot: root.path)
        return ProbePlan(configuration: configuration, tracefs: Tracefs(root: root.path), vsockDevice: nil)
    }

    static func isRaw(_ program: ProbeProgram) -> Bool {
        if case .raw = program.attachment { return true }
        return false
    }

    @Test("Linux 6.1's vsock events: count_vsock_tx and count_vsock_rx are on, as raw tracepoints, without a warning")
    func onWithLinux61() throws {
        let root = try Self.tracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = Self.plan(root)
        for program in [ProbeProgram.vsockTx, .vsockRx] {
            let entry = try #require(plan.entries.first { $0.program.name == program.name })
            #expect(Self.isRaw(entry.program) && entry.enabled && entry.reason == nil, "\(program.name): \(entry)")
        }
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        #expect(ProbePlan.check(.observeSent, on: Tracefs(root: root.path)).reason == nil)
        #expect(ProbePlan.check(.observeReceived, on: Tracefs(root: root.path)).reason == nil)
    }

    @Test("observe's configuration: the probe's vsock packet programs stay out, saying observe counts the packets")
    func offWhenObserveCountsThePackets() throws {
        let root = try Self.tracefs()
        defer { try? FileManager.default.removeItem(at: root) }
        var configuration = ProbeConfiguration(pids: [], vsockPort: TestSupport.unusedVsockPort, countsProcesses: false, tracefsRoot: root.path)
        configuration.countsVsockPackets = false
        let plan = ProbePlan(configuration: configuration, tracefs: Tracefs(root: root.path), vsockDevice: nil)
        for program in [ProbeProgram.vsockTx, .vsockRx] {
            let entry = try #require(plan.entries.first { $0.program.name == program.name })
            #expect(!entry.enabled && entry.reason == "counted from observe's own packet events (observe_sent, observe_received)", "\(entry)")
        }
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
    }

    @Test("no vsock events (module not loaded): the raw vsock programs are off and say so, without a warning")
    func offWhenTheEventIsMissing() throws {
        let root = try Self.tracefs(vsock: false)
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = Self.plan(root)
        for program in [ProbeProgram.vsockTx, .vsockRx] {
            let entry = try #require(plan.entries.first { $0.program.name == program.name })
            #expect(Self.isRaw(entry.program) && !entry.enabled)
            #expect(entry.reason == "tracepoint \(program.tracepoint) does not exist on this kernel (vsock transport module not loaded)")
        }
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        let observe = ProbePlan.check(.observeReceived, on: Tracefs(root: root.path))
        #expect(observe.reason == "tracepoint vsock/virtio_transport_recv_pkt does not exist on this kernel (vsock transport module not loaded)")
    }

    @Test("recv_pkt's arguments reordered: the programs on it are off with the sentence and a warning, alloc_pkt's stay on")
    func offWhenTheArgumentsDiffer() throws {
        let swapped = Formats.recvPkt61.replacingOccurrences(of: "__u32 src_cid;", with: "__u32 SWAP;")
            .replacingOccurrences(of: "__u32 dst_cid;", with: "__u32 src_cid;")
            .replacingOccurrences(of: "__u32 SWAP;", with: "__u32 dst_cid;")
        let root = try Self.tracefs(recv: swapped)
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = Self.plan(root)
        let rx = try #require(plan.entries.first { $0.program.name == "count_vsock_rx" })
        let reason = "argument layout differs from what the program reads: "
            + "argument 1 is `dst_cid` (size 4), the program reads `src_cid` (size 4); "
            + "argument 3 is `src_cid` (size 4), the program reads `dst_cid` (size 4)"
        #expect(!rx.enabled && rx.reason == reason)
        #expect(plan.warnings == ["count_vsock_rx switched off rather than count garbage: vsock/virtio_transport_recv_pkt \(reason)"])
        #expect(plan.entries.first { $0.program.name == "count_vsock_tx" }?.enabled == true)
        #expect(ProbePlan.check(.observeReceived, on: Tracefs(root: root.path)).reason == reason)
    }

    @Test("recv_pkt without fwd_cnt: observe_received is refused, count_vsock_rx (eight arguments) is not")
    func observeNeedsAllTen() throws {
        let root = try Self.tracefs(recv: Formats.recvPkt61.replacingOccurrences(of: Formats.fwdCntLine, with: ""))
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(ProbePlan.check(.observeReceived, on: Tracefs(root: root.path)).reason
            == "argument layout differs from what the program reads: argument 10 is missing, the program reads `fwd_cnt` (size 4)")
        #expect(Self.plan(root).isEnabled(.vsockRx))
    }
}
