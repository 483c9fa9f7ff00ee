
extension ProbeCounters {
    /// The counters without the vsock ones, for cases over unix or tcp: the vsock device's
    /// interrupts and packets there belong to other traffic on the machine, and reporting
    /// them per message would blame the run for them. They become null ("not counted").
    public func withoutVsockCounters() -> ProbeCounters {
        var copy = self
        copy.vsock = nil
        copy.vsockIRQs = nil
        copy.virtqueueKicks = nil
        return copy
    }
}

extension ProbeCounters {
    /// The counters without the `bpf` system calls: those are the probe reading its own maps
    /// at the interval's edges, not a cost of the workload.
    public func excludingProbeReads() -> ProbeCounters {
        var copy = self
        copy.syscalls["bpf"] = nil
        return copy
    }
}

extension ProbeCounters {
    /// The basis for per-message vsock figures when both ends are in one kernel (CID 1,
    /// vsock_loopback): each packet is seen twice, built (tx) and received (rx), so only the
    /// built ones count. The raw counters keep both directions.
    public func loopbackBasis() -> ProbeCounters {
        var copy = self
        if let vsock = copy.vsock { copy.vsock = VsockCounters(tx: vsock.tx, rx: nil) }
        return copy
    }
}

extension ProbeCounters {
    /// Per-message figures, with vsock loopback's rule where `loopback`: both ends share one
    /// kernel, so each packet counts once (`loopbackBasis`) and there is no VM boundary, so no
    /// exits: a virtio notification count there is packets, not exits. `run --probe` and
    /// `observe` both take it from here (observe said "exits 4.06 (virtio_notifications)" on
    /// loopback where the run it watched said none; review).
    public func perMessage(_ messages: Int, loopback: Bool) -> ProbePerMessage {
        guard loopback else { return perMessage(messages) }
        var figures = loopbackBasis().perMessage(messages)
        if figures.exitsSource == "virtio_notifications" {
            figures.exits = nil
            figures.exitsSource = nil
        }
        return figures
    }
}
