extension ProbeCounters {
    /// The counts between `earlier` and this reading (both from the same probe): what a measured
    /// interval cost, without setup or warmup. Counters only grow; a smaller later value (another
    /// probe's reading) gives 0 rather than wrapping. Zero entries are left out of the
    /// dictionaries; a dictionary left empty stays empty (counted, none in the interval: `{}`),
    /// and only a counter not attached is nil.
    public func subtracting(_ earlier: ProbeCounters) -> ProbeCounters {
        ProbeCounters(
            kvmRun: kvmRun.map { $0.minusSaturating(earlier.kvmRun ?? 0) },
            kvmExits: kvmExits.map { $0.minus(earlier.kvmExits ?? [:]) },
            kvmUserspaceExits: kvmUserspaceExits.map { $0.minus(earlier.kvmUserspaceExits ?? [:]) },
            vsock: vsock.map { $0.subtracting(earlier.vsock) },
            syscalls: syscalls.minus(earlier.syscalls),
            vsockIRQs: vsockIRQs.map { $0.minusSaturating(earlier.vsockIRQs ?? 0) },
            virtqueueKicks: virtqueueKicks.map { $0.minusSaturating(earlier.virtqueueKicks ?? 0) },
            sources: sources)
    }

    /// All system calls counted.
    public var totalSyscalls: UInt64 { syscalls.values.reduce(0, &+) }

    /// All VM exits counted by `kvm_exit` (0 when it counted none), nil where it is not attached.
    public var totalKVMExits: UInt64? { kvmExits.map { $0.values.reduce(0, &+) } }
}

extension VsockCounters {
    func subtracting(_ earlier: VsockCounters?) -> VsockCounters {
        VsockCounters(
            tx: tx.map { Self.minus($0, earlier?.tx ?? [:]) },
            rx: rx.map { Self.minus($0, earlier?.rx ?? [:]) })
    }

    /// Keeps every op key of `later` (the seven ops are always reported), zeros included.
    private static func minus(
        _ later: [String: VsockPacketCount], _ earlier: [String: VsockPacketCount]
    ) -> [String: VsockPacketCount] {
        later.reduce(into: [:]) { result, entry in
            let before = earlier[entry.key] ?? VsockPacketCount()
            result[entry.key] = VsockPacketCount(
                packets: entry.value.packets.minusSaturating(before.packets),
                bytes: entry.value.bytes.minusSaturating(before.bytes))
        }
    }

    /// Packets in both directions, optionally of one op only.
    public func packets(op: VsockOp? = nil) -> UInt64 {
        [tx, rx].compactMap { $0 }.reduce(0) { total, direction in
            total &+ direction.reduce(0) { sum, entry in
                op == nil || entry.key == op?.name ? sum &+ entry.value.packets : sum
            }
        }
    }
}

extension UInt64 {
    fileprivate func minusSaturating(_ other: UInt64) -> UInt64 {
        self >= other ? self - other : 0
    }
}

extension Dictionary where Value == UInt64 {
    fileprivate func minus(_ earlier: [Key: UInt64]) -> [Key: UInt64] {
        reduce(into: [:]) { result, entry in
            let difference = entry.value.minusSaturating(earlier[entry.key] ?? 0)
            if difference > 0 { result[entry.key] = difference }
        }
    }
}
