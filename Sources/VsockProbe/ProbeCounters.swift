/// Packets of one vsock op in one direction, and their payload bytes (the header's `len`).
public struct VsockPacketCount: Codable, Equatable, Sendable {
    /// Packets seen.
    public var packets: UInt64
    /// Their payload bytes (0 for control packets such as CREDIT_UPDATE).
    public var bytes: UInt64

    public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }
}

/// vsock packets by op name (`REQUEST` ... `CREDIT_REQUEST`), sent (`tx`, built by
/// virtio_transport_alloc_pkt) and received (`rx`, virtio_transport_recv_pkt). A direction is
/// nil when its tracepoint is not attached.
public struct VsockCounters: Codable, Equatable, Sendable {
    /// Packets built for sending, by op name.
    public var tx: [String: VsockPacketCount]?
    /// Packets received, by op name.
    public var rx: [String: VsockPacketCount]?

    public init(tx: [String: VsockPacketCount]?, rx: [String: VsockPacketCount]?) {
        self.tx = tx
        self.rx = rx
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tx, forKey: .tx)
        try container.encode(rx, forKey: .rx)
    }

    enum CodingKeys: String, CodingKey {
        case tx, rx
    }
}

/// What the probe counted since it was attached. Every figure is nil (JSON `null`) when its
/// program is not attached, so a missing figure is never mistaken for a zero; `sources` says why.
public struct ProbeCounters: Codable, Equatable, Sendable {
    /// KVM_RUN ioctls (exactly command 0xAE80) of the followed processes: one per entry into the
    /// guest, so on a KVM host one per return from the guest to the VMM in user space.
    public var kvmRun: UInt64?
    /// VM exits in the kernel (`kvm/kvm_exit`) on the followed VMM's vcpu threads, by reason
    /// (VMX names like `IO_INSTRUCTION`, `HLT`, `EPT_VIOLATION`; else the number). Most exits are
    /// handled in the kernel and never reach user space. Empty (`{}`) when it is attached and
    /// counted none; nil (`null`) only where it is not attached.
    public var kvmExits: [String: UInt64]?
    /// Returns from KVM_RUN to the VMM (`kvm/kvm_userspace_exit`) by `KVM_EXIT_*` reason
    /// (`IO`, `MMIO`, `HLT`...). Empty when attached and none counted; nil where not attached.
    public var kvmUserspaceExits: [String: UInt64]?
    /// vsock packets by direction and op, filtered by the configured CID/port.
    public var vsock: VsockCounters?
    /// System calls of the followed processes by name (x86_64 numbering), zeros left out.
    public var syscalls: [String: UInt64]
    /// Interrupts of the virtio vsock device's queues: host-to-guest notifications.
    public var vsockIRQs: UInt64?
    /// Kicks of the vsock device's virtqueues (`virtqueue_notify`): guest-to-host notifications,
    /// each a VM exit on most hypervisors. Needs fentry, which some kernels refuse.
    public var virtqueueKicks: UInt64?
    /// Which programs were attached and why the others were not.
    public var sources: [ProbeSource]

    public init(
        kvmRun: UInt64? = nil, kvmExits: [String: UInt64]? = nil, kvmUserspaceExits: [String: UInt64]? = nil,
        vsock: VsockCounters? = nil, syscalls: [String: UInt64] = [:], vsockIRQs: UInt64? = nil,
        virtqueueKicks: UInt64? = nil, sources: [ProbeSource] = []
    ) {
        self.kvmRun = kvmRun
        self.kvmExits = kvmExits
        self.kvmUserspaceExits = kvmUserspaceExits
        self.vsock = vsock
        self.syscalls = syscalls
        self.vsockIRQs = vsockIRQs
        self.virtqueueKicks = virtqueueKicks
        self.sources = sources
    }

    /// The stable JSON keys.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kvmRun = "kvm_run"
        case kvmExits = "kvm_exits"
        case kvmUserspaceExits = "kvm_userspace_exits"
        case vsock
        case syscalls
        case vsockIRQs = "vsock_irqs"
        case virtqueueKicks = "virtqueue_kicks"
        case sources
    }

    /// Writes every key, `null` included: consumers can rely on the keys being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kvmRun, forKey: .kvmRun)
        try container.encode(kvmExits, forKey: .kvmExits)
        try container.encode(kvmUserspaceExits, forKey: .kvmUserspaceExits)
        try container.encode(vsock, forKey: .vsock)
        try container.encode(syscalls, forKey: .syscalls)
        try container.encode(vsockIRQs, forKey: .vsockIRQs)
        try container.encode(virtqueueKicks, forKey: .virtqueueKicks)
        try container.encode(sources, forKey: .sources)
    }
}
