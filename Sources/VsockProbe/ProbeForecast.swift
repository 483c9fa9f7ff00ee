extension Probe {
    /// What ``init(configuration:)`` would attach on this machine, and why the rest would not,
    /// without loading the probe: the tracepoint programs are judged from tracefs alone (the
    /// tracepoint exists, its record layout matches). Only fentry cannot be known without the
    /// kernel's verdict: with `loadingFentry` its small object is loaded, attached and closed at
    /// once; without it, that program is reported as not tried.
    ///
    /// Reads tracefs at `configuration.tracefsRoot` as it is (nothing is mounted): call it with
    /// the place where tracefs is mounted. In the sources returned, `attached` means "would attach".
    public static func forecast(configuration: ProbeConfiguration, loadingFentry: Bool) -> [ProbeSource] {
        let device = VsockDevice.find(in: configuration.systemRoots)
        let plan = ProbePlan(
            configuration: configuration, tracefs: Tracefs(root: configuration.tracefsRoot), vsockDevice: device)
        var sources = plan.entries.map { ProbeSource($0.program, attached: $0.enabled, reason: $0.reason) }
        if loadingFentry || device == nil {
            let kicks = ProbeObjects.loadKicks(vsockDevice: device)
            kicks.object?.close()
            sources.append(kicks.source)
        } else {
            sources.append(
                ProbeSource(
                    ProbeProgram.virtqueueKicks, attached: false,
                    reason: "not tried: only loading it tells whether this kernel allows fentry (needs root and a working bpf())"))
        }
        return sources
    }
}
