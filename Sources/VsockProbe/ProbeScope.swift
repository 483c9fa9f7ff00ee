
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
