import VsockProbe

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
