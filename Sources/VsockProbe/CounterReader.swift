import CVsockProbe

/// Reads the per-CPU counter maps of loaded ``ProbeObjects`` into ``ProbeCounters``.
/// Only counters whose program is attached are read; the others are nil.
struct CounterReader {
    let objects: ProbeObjects

    func read() throws -> ProbeCounters {
        let scalars = try PerCPUMap(
            fd: objects.main.mapDescriptor(named: "scalars"), name: "scalars", valueSize: 8)
        var counters = ProbeCounters(sources: objects.sources)
        if objects.isAttached(.kvmRun) {
            counters.kvmRun = try scalar(scalars, VSB_SCALAR_KVM_RUN)
        }
        if objects.isAttached(.vsockIRQs) {
            counters.vsockIRQs = try scalar(scalars, VSB_SCALAR_VSOCK_IRQ)
        }
        if objects.isAttached(.kvmExits) {
            counters.kvmExits = try hashCounts(map: "kvm_exits", zero: UInt64(0), name: KVMExitReasons.name(ofExitKey:))
        }
        if objects.isAttached(.userspaceExits) {
            counters.kvmUserspaceExits = try hashCounts(
                map: "userspace_exits", zero: UInt32(0), name: KVMExitReasons.name(ofUserspaceKey:))
        }
        if objects.isAttached(.syscalls) {
            counters.syscalls = try syscalls()
        }
        let tx = objects.isAttached(.vsockTx)
        let rx = objects.isAttached(.vsockRx)
        if tx || rx {
            counters.vsock = VsockCounters(
                tx: tx ? try vsockPackets(direction: UInt32(VSB_VSOCK_TX)) : nil,
                rx: rx ? try vsockPackets(direction: UInt32(VSB_VSOCK_RX)) : nil)
        }
        if let kicks = objects.kicks {
            let map = try PerCPUMap(fd: kicks.mapDescriptor(named: "kicks"), name: "kicks", valueSize: 8)
            counters.virtqueueKicks = try map.sum(key: UInt32(0))?.first ?? 0
        }
        return counters
    }

    /// Children the fork program could not add because the followed map was full.
    func followOverflow() throws -> UInt64 {
        let scalars = try PerCPUMap(
            fd: objects.main.mapDescriptor(named: "scalars"), name: "scalars", valueSize: 8)
        return try scalar(scalars, VSB_SCALAR_FOLLOW_OVERFLOW)
    }

    private func scalar(_ map: PerCPUMap, _ key: vsb_scalar) throws -> UInt64 {
        try map.sum(key: UInt32(key.rawValue))?.first ?? 0
    }

    private func syscalls() throws -> [String: UInt64] {
        let map = try PerCPUMap(fd: objects.main.mapDescriptor(named: "syscalls"), name: "syscalls", valueSize: 8)
        var counts: [String: UInt64] = [:]
        for number in 0..<Int(VSB_SYSCALL_SLOTS) {
            guard let count = try map.sum(key: UInt32(number))?.first, count > 0 else { continue }
            let name = number == Int(VSB_SYSCALL_SLOTS) - 1 ? "other" : SyscallNames.name(ofX86_64: number)
            counts[name, default: 0] += count
        }
        return counts
    }

    private func vsockPackets(direction: UInt32) throws -> [String: VsockPacketCount] {
        let map = try PerCPUMap(
            fd: objects.main.mapDescriptor(named: "vsock_packets"), name: "vsock_packets",
            valueSize: MemoryLayout<vsb_packet_count>.size)
        var counts: [String: VsockPacketCount] = [:]
        for op in VsockOp.allCases {
            let words = try map.sum(key: VsockOp.slot(direction: direction, op: op.rawValue)) ?? [0, 0]
            counts[op.name] = VsockPacketCount(packets: words[0], bytes: words[1])
        }
        if let invalid = try map.sum(key: VsockOp.slot(direction: direction, op: 0)), invalid[0] > 0 {
            counts[VsockOp.invalidName] = VsockPacketCount(packets: invalid[0], bytes: invalid[1])
        }
        return counts
    }

    /// A per-CPU hash of u64 counts by key, named; empty when the tracepoint never fired (a
    /// zero: the program is attached, or this is not called).
    private func hashCounts<Key: BitwiseCopyable>(
        map name: String, zero: Key, name keyName: (Key) -> String
    ) throws -> [String: UInt64] {
        let map = try PerCPUMap(fd: objects.main.mapDescriptor(named: name), name: name, valueSize: 8)
        var counts: [String: UInt64] = [:]
        for key in try map.keys(of: Key.self, zero: zero) {
            guard let count = try map.sum(key: key)?.first, count > 0 else { continue }
            counts[keyName(key), default: 0] += count
        }
        return counts
    }
}
