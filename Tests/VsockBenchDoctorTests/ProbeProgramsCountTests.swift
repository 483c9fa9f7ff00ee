import Testing
import VsockProbe

@testable import VsockBenchDoctor

/// The probe programs line: "N of M would attach: names", where the two sched_process_fork
/// layouts (a kernel has one) are one program, and N is the number of names listed.
@Suite struct ProbeProgramsCountTests {
    /// The forecast of a machine without a virtio vsock device, fentry refused, the data_loc
    /// layout of sched_process_fork in its kernel: the programs in the probe's order.
    static func programs(irqs: Bool, kicks: Bool) -> [ProbeSource] {
        [
            ProbeSource(program: "count_kvm_run", tracepoint: "raw_syscalls/sys_enter", counts: "kvm_run", attached: true),
            ProbeSource(program: "count_syscall", tracepoint: "raw_syscalls/sys_enter", counts: "syscalls", attached: true),
            ProbeSource(program: "count_userspace_exit", tracepoint: "kvm/kvm_userspace_exit", counts: "kvm_userspace_exits", attached: true),
            ProbeSource(program: "count_kvm_exit", tracepoint: "kvm/kvm_exit", counts: "kvm_exits", attached: true),
            ProbeSource(program: "count_vsock_tx", tracepoint: "vsock/virtio_transport_alloc_pkt", counts: "vsock.tx", attached: true),
            ProbeSource(program: "count_vsock_rx", tracepoint: "vsock/virtio_transport_recv_pkt", counts: "vsock.rx", attached: true),
            ProbeSource(program: "count_vsock_irq", tracepoint: "irq/irq_handler_entry", counts: "vsock_irqs", attached: irqs,
                        reason: irqs ? nil : "no virtio device of the vmw_vsock_virtio_transport driver"),
            ProbeSource(program: "follow_fork_data_loc", tracepoint: "sched/sched_process_fork", counts: "children", attached: true),
            ProbeSource(program: "follow_fork_fixed_comm", tracepoint: "sched/sched_process_fork", counts: "children", attached: false,
                        reason: "this kernel has the other layout of sched_process_fork (follow_fork_data_loc is used)"),
            ProbeSource(program: "forget_thread", tracepoint: "sched/sched_process_exit", counts: "children", attached: true),
            ProbeSource(program: "count_virtqueue_kick", tracepoint: "fentry/virtqueue_notify", counts: "virtqueue_kicks", attached: kicks,
                        reason: kicks ? nil : "the kernel refuses fentry"),
        ]
    }

    static func detail(_ programs: [ProbeSource]) throws -> String {
        let facts = BPFFacts(
            privileges: ProbePrivileges(effectiveUID: 0, effectiveCapabilities: ~0), bpfSyscall: .available,
            tracefs: "/sys/kernel/tracing", tracefsCandidates: ["/sys/kernel/tracing"], tracefsUnreadable: nil, programs: programs)
        return try #require(facts.checks.first { $0.id == "probe_programs" }).detail
    }

    /// It said "9 of 11 would attach" and listed 8 names: the fork layouts counted twice, and
    /// fork and exit both listed as "children" once.
    @Test("the fork layouts count as one program, and the count is the number of names listed")
    func countAgreesWithNames() throws {
        let partial = try Self.detail(Self.programs(irqs: false, kicks: false))
        #expect(partial == "8 of 10 would attach: kvm_run, syscalls, kvm_userspace_exits, kvm_exits, vsock.tx, vsock.rx, children (sched_process_fork), children (sched_process_exit)", "\(partial)")
        let whole = try Self.detail(Self.programs(irqs: true, kicks: true))
        #expect(whole.hasPrefix("10 of 10 would attach: "), "\(whole)")
        let names = whole.dropFirst("10 of 10 would attach: ".count).split(separator: ", ")
        #expect(names.count == 10, "\(names)")
    }
}
