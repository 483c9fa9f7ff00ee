/// Probe counts divided by the messages of a measured interval: what one message costs below
/// the application. A figure is nil (JSON `null`) where its counter was not available.
public struct ProbePerMessage: Codable, Equatable, Sendable {
    /// System calls of the followed processes per message.
    public var syscalls: Double?
    /// KVM_RUN ioctls per message (a KVM host running the guest).
    public var kvmRun: Double?
    /// VM exits per message, from the best source available: see ``exitsSource``.
    public var exits: Double?
    /// vsock packets (both directions, all ops) per message.
    public var vsockPackets: Double?
    /// CREDIT_UPDATE packets (both directions) per message.
    public var creditUpdates: Double?
    /// virtio notifications per message: vsock queue IRQs plus virtqueue kicks.
    public var notifications: Double?
    /// Where ``exits`` came from: `kvm_exit` (exits counted in the kernel), `kvm_run` (returns to
    /// the VMM, a lower bound), or `virtio_notifications` (IRQs + kicks + vsock packets, a proxy
    /// inside a guest such as a Nitro parent, where there is no KVM_RUN). nil when none counted.
    public var exitsSource: String?

    public init(
        syscalls: Double? = nil, kvmRun: Double? = nil, exits: Double? = nil, vsockPackets: Double? = nil,
        creditUpdates: Double? = nil, notifications: Double? = nil, exitsSource: String? = nil
    ) {
        self.syscalls = syscalls
        self.kvmRun = kvmRun
        self.exits = exits
        self.vsockPackets = vsockPackets
        self.creditUpdates = creditUpdates
        self.notifications = notifications
        self.exitsSource = exitsSource
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case syscalls
        case kvmRun = "kvm_run"
        case exits
        case vsockPackets = "vsock_packets"
        case creditUpdates = "credit_updates"
        case notifications
        case exitsSource = "exits_source"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(syscalls, forKey: .syscalls)
        try container.encode(kvmRun, forKey: .kvmRun)
        try container.encode(exits, forKey: .exits)
        try container.encode(vsockPackets, forKey: .vsockPackets)
        try container.encode(creditUpdates, forKey: .creditUpdates)
        try container.encode(notifications, forKey: .notifications)
        try container.encode(exitsSource, forKey: .exitsSource)
    }
}

extension ProbeCounters {
    /// These counts (normally a ``subtracting(_:)`` delta over a measured interval) per message.
    /// All nil when `messages` is not positive.
    public func perMessage(_ messages: Int) -> ProbePerMessage {
        guard messages > 0 else { return ProbePerMessage() }
        let count = Double(messages)
        func per(_ value: UInt64?) -> Double? { value.map { Double($0) / count } }

        let attached = Set(sources.filter(\.attached).map(\.counts))
        let syscalls = attached.contains("syscalls") ? totalSyscalls : nil
        let packets = vsock.map { $0.packets() }
        let notifications: UInt64? =
            vsockIRQs == nil && virtqueueKicks == nil ? nil : (vsockIRQs ?? 0) &+ (virtqueueKicks ?? 0)

        var exits: UInt64?
        var source: String?
        if let total = totalKVMExits, total > 0 {
            (exits, source) = (total, "kvm_exit")
        } else if let runs = kvmRun, runs > 0 {
            (exits, source) = (runs, "kvm_run")
        } else {
            // Host-to-guest notifications are the device's IRQs; guest-to-host ones are kicks,
            // or where kicks cannot be counted, the packets sent (at most one kick each).
            // Received packets are not added: their IRQs already are.
            let guestToHost = virtqueueKicks ?? vsock.flatMap { $0.tx }.map { $0.values.reduce(0) { $0 &+ $1.packets } }
            let proxy = (vsockIRQs ?? 0) &+ (guestToHost ?? 0)
            if proxy > 0 { (exits, source) = (proxy, "virtio_notifications") }
        }
        return ProbePerMessage(
            syscalls: per(syscalls), kvmRun: per(kvmRun), exits: per(exits), vsockPackets: per(packets),
            creditUpdates: per(vsock.map { $0.packets(op: .creditUpdate) }), notifications: per(notifications),
            exitsSource: source)
    }
}
