import CVsockProbe

/// A field a BPF program reads from a tracepoint record: where the hand-written context struct
/// of bpf/vsockbench.h puts it, to compare with the kernel's `format` file.
struct ExpectedField: Equatable, Sendable {
    /// The field's name in the format file.
    var name: String
    var offset: Int
    var size: Int

    /// Offset and size taken from the C struct Swift imports, so they cannot drift from the BPF side.
    init<Context, Value>(_ name: String, _ path: KeyPath<Context, Value>) {
        self.name = name
        self.offset = MemoryLayout<Context>.offset(of: path) ?? -1
        self.size = MemoryLayout<Value>.size
    }
}

/// An argument a raw tracepoint program reads (`ctx->args[index]`), for a tracepoint whose record
/// copies each argument of its prototype in order (the vsock packet tracepoints): the format
/// file's fields after the `common_` ones are then the prototype's arguments, to compare with
/// what the program reads.
struct ExpectedArgument: Equatable, Sendable {
    /// The argument's name in the prototype, which is its field's name in the format file.
    var name: String
    /// Its position in the prototype, from 0 (the index into `ctx->args`).
    var index: Int
    /// The size the program truncates it to.
    var size: Int

    /// Position from the enum of bpf/vsockbench.h that the program indexes `ctx->args` with, size
    /// from the field of the C struct the program reads it into: neither can drift from the BPF side.
    init<Value>(_ name: String, _ index: vsb_vsock_pkt_arg, _ path: KeyPath<vsb_vsock_pkt, Value>) {
        self.name = name
        self.index = Int(index.rawValue)
        self.size = MemoryLayout<Value>.size
    }
}

/// One BPF program of the probe: which tracepoint it attaches to, what it reads, what it counts.
struct ProbeProgram: Sendable {
    /// How a program hooks its tracepoint.
    enum Attachment: Sendable {
        /// A classic tracepoint (perf event): the kernel builds the record the program reads.
        case tracepoint
        /// A raw tracepoint: the program gets the tracepoint's C arguments and no record is
        /// built, which matters for a tracepoint that fires on every system call or packet.
        case raw
        /// Counted by another program (named here) rather than attached on its own: a second
        /// program on a system call tracepoint would cost every system call of the machine again.
        case within(String)
    }

    /// The function name in the BPF object.
    var name: String
    var category: String
    var event: String
    /// The record fields the program reads (none for a raw tracepoint: it reads no record).
    var fields: [ExpectedField]
    /// The counter it feeds, as named in the JSON output.
    var counts: String
    var attachment: Attachment = .tracepoint
    /// The arguments a raw tracepoint program reads, checked against the order of the format
    /// file's fields; empty where the record does not mirror the prototype (sys_enter's does not).
    var arguments: [ExpectedArgument] = []

    var tracepoint: String { "\(category)/\(event)" }

    /// Whether the BPF object has a function of this name (not a counter inside another program).
    var hasOwnCode: Bool {
        if case .within = attachment { return false }
        return true
    }

    /// Programs filtered on the followed processes: pointless when none is followed.
    var followsProcesses: Bool { ["kvm_run", "syscalls", "kvm_userspace_exits", "kvm_exits", "children"].contains(counts) }
}

extension ProbeProgram {
    /// KVM_RUN ioctls, counted inside count_syscall (`vsb_config.count_kvm_run`).
    static let kvmRun = ProbeProgram(
        name: "count_kvm_run", category: "raw_syscalls", event: "sys_enter", fields: [], counts: "kvm_run",
        attachment: .within("count_syscall"))

    /// Runs for every system call of every task on the machine: a raw tracepoint (no record
    /// built), and tasks that are not followed are turned away by a per-CPU verdict.
    static let syscalls = ProbeProgram(
        name: "count_syscall", category: "raw_syscalls", event: "sys_enter", fields: [], counts: "syscalls",
        attachment: .raw)

    static let userspaceExits = ProbeProgram(
        name: "count_userspace_exit", category: "kvm", event: "kvm_userspace_exit",
        fields: [
            ExpectedField("reason", \vsb_ctx_kvm_userspace_exit.reason),
            ExpectedField("errno", \vsb_ctx_kvm_userspace_exit.errno_value),
        ],
        counts: "kvm_userspace_exits")

    static let kvmExits = ProbeProgram(
        name: "count_kvm_exit", category: "kvm", event: "kvm_exit",
        fields: [
            ExpectedField("exit_reason", \vsb_ctx_kvm_exit.exit_reason),
            ExpectedField("isa", \vsb_ctx_kvm_exit.isa),
        ],
        counts: "kvm_exits")

    /// Every packet, twice on loopback (built, then received): raw tracepoints, no record built.
    static let vsockTx = ProbeProgram(
        name: "count_vsock_tx", category: "vsock", event: "virtio_transport_alloc_pkt", fields: [],
        counts: "vsock.tx", attachment: .raw, arguments: packetArguments)

    /// Reads the same eight arguments as count_vsock_tx: the packet's direction is the tracepoint's.
    static let vsockRx = ProbeProgram(
        name: "count_vsock_rx", category: "vsock", event: "virtio_transport_recv_pkt", fields: [],
        counts: "vsock.rx", attachment: .raw, arguments: packetArguments)

    static let vsockIRQs = ProbeProgram(
        name: "count_vsock_irq", category: "irq", event: "irq_handler_entry",
        fields: [ExpectedField("irq", \vsb_ctx_irq_handler_entry.irq)], counts: "vsock_irqs")

    static let followForkDataLoc = ProbeProgram(
        name: "follow_fork_data_loc", category: "sched", event: "sched_process_fork",
        fields: [ExpectedField("child_pid", \vsb_ctx_sched_fork_data_loc.child_pid)], counts: "children")

    static let followForkFixedComm = ProbeProgram(
        name: "follow_fork_fixed_comm", category: "sched", event: "sched_process_fork",
        fields: [ExpectedField("child_pid", \vsb_ctx_sched_fork_fixed_comm.child_pid)], counts: "children")

    static let forgetThreads = ProbeProgram(
        name: "forget_thread", category: "sched", event: "sched_process_exit", fields: [], counts: "children")

    /// fentry program of the separate virtqueue_kick object; no tracepoint record to check.
    static let virtqueueKicks = ProbeProgram(
        name: "count_virtqueue_kick", category: "fentry", event: "virtqueue_notify", fields: [],
        counts: "virtqueue_kicks")

    /// observe.bpf.c: every packet to or from the watched port, into the `events` ring buffer.
    static let observeSent = ProbeProgram(
        name: "observe_sent", category: "vsock", event: "virtio_transport_alloc_pkt", fields: [],
        counts: "observe.sent", attachment: .raw, arguments: packetArguments)

    /// recv_pkt's prototype adds the header's buf_alloc and fwd_cnt after the eight of alloc_pkt.
    static let observeReceived = ProbeProgram(
        name: "observe_received", category: "vsock", event: "virtio_transport_recv_pkt", fields: [],
        counts: "observe.received", attachment: .raw,
        arguments: packetArguments + [
            ExpectedArgument("buf_alloc", VSB_PKT_ARG_BUF_ALLOC, \vsb_vsock_pkt.buf_alloc),
            ExpectedArgument("fwd_cnt", VSB_PKT_ARG_FWD_CNT, \vsb_vsock_pkt.fwd_cnt),
        ])

    /// The programs of vsockbench.bpf.c, in the order the report lists them.
    static let tracepointPrograms: [ProbeProgram] = [
        kvmRun, userspaceExits, kvmExits, vsockTx, vsockRx, syscalls, vsockIRQs,
        followForkDataLoc, followForkFixedComm, forgetThreads,
    ]

    /// The eight arguments of both vsock tracepoints, as vsb_read_pkt reads them.
    private static let packetArguments = [
        ExpectedArgument("src_cid", VSB_PKT_ARG_SRC_CID, \vsb_vsock_pkt.src_cid),
        ExpectedArgument("src_port", VSB_PKT_ARG_SRC_PORT, \vsb_vsock_pkt.src_port),
        ExpectedArgument("dst_cid", VSB_PKT_ARG_DST_CID, \vsb_vsock_pkt.dst_cid),
        ExpectedArgument("dst_port", VSB_PKT_ARG_DST_PORT, \vsb_vsock_pkt.dst_port),
        ExpectedArgument("len", VSB_PKT_ARG_LEN, \vsb_vsock_pkt.len),
        ExpectedArgument("type", VSB_PKT_ARG_TYPE, \vsb_vsock_pkt.type),
        ExpectedArgument("op", VSB_PKT_ARG_OP, \vsb_vsock_pkt.op),
        ExpectedArgument("flags", VSB_PKT_ARG_FLAGS, \vsb_vsock_pkt.flags),
    ]
}
