/// Which programs of vsockbench.bpf.c load on this kernel with this configuration, and why the
/// others do not. Decided before load: a program whose tracepoint is missing, or whose record
/// layout (raw tracepoints: arguments) differs from what it reads, is switched off, so the rest
/// still load and count.
struct ProbePlan {
    struct Entry {
        var program: ProbeProgram
        var enabled: Bool
        var reason: String?
    }

    var entries: [Entry]
    var warnings: [String]

    init(configuration: ProbeConfiguration, tracefs: Tracefs, vsockDevice: VsockDevice?) {
        entries = []
        warnings = []
        for program in ProbeProgram.tracepointPrograms {
            if let reason = Self.configurationReason(program, configuration, vsockDevice) {
                entries.append(Entry(program: program, enabled: false, reason: reason))
            } else {
                let check = Self.check(program, on: tracefs)
                entries.append(Entry(program: program, enabled: check.reason == nil, reason: check.reason))
                if let warning = check.warning { warnings.append(warning) }
            }
        }
        reconcileForkLayouts()
        reconcileHostedCounters()
    }

    /// A counter inside another program is on only when its host is.
    private mutating func reconcileHostedCounters() {
        for index in entries.indices {
            guard case .within(let host) = entries[index].program.attachment, entries[index].enabled,
                let hostEntry = entries.first(where: { $0.program.name == host }), !hostEntry.enabled
            else { continue }
            entries[index].enabled = false
            entries[index].reason = "\(host), which counts it, is off: \(hostEntry.reason ?? "")"
        }
    }

    func isEnabled(_ program: ProbeProgram) -> Bool {
        entries.contains { $0.program.name == program.name && $0.enabled }
    }

    /// Off by configuration or by the machine, before the kernel is asked anything.
    private static func configurationReason(
        _ program: ProbeProgram, _ configuration: ProbeConfiguration, _ vsockDevice: VsockDevice?
    ) -> String? {
        if program.followsProcesses && !configuration.countsProcesses {
            return "no process is followed (observe without --pid or a command counts packets only)"
        }
        switch program.name {
        case ProbeProgram.followForkDataLoc.name, ProbeProgram.followForkFixedComm.name,
            ProbeProgram.forgetThreads.name:
            return configuration.followChildren ? nil : "children are not followed (--no-children)"
        case ProbeProgram.vsockTx.name, ProbeProgram.vsockRx.name:
            return configuration.countsVsockPackets
                ? nil : "counted from observe's own packet events (observe_sent, observe_received)"
        case ProbeProgram.vsockIRQs.name:
            guard let vsockDevice else {
                return "no virtio device is bound to vmw_vsock_virtio_transport on this machine"
            }
            return vsockDevice.irqs.isEmpty
                ? "no IRQ of virtio\(vsockDevice.virtioIndex) found in \(configuration.systemRoots.interruptsFile)" : nil
        default:
            return nil
        }
    }

    /// Whether the tracepoint exists and has the fields where the program reads them (for a raw
    /// tracepoint program, the arguments in the order and sizes it reads them). A raw tracepoint
    /// has a format file too: tracefs is where its existence and arguments are seen.
    static func check(_ program: ProbeProgram, on tracefs: Tracefs) -> (reason: String?, warning: String?) {
        guard tracefs.exists(category: program.category, event: program.event) else {
            var reason = "tracepoint \(program.tracepoint) does not exist on this kernel"
            if program.category == "vsock" { reason += " (vsock transport module not loaded)" }
            if program.category == "kvm" { reason += " (kvm module not loaded)" }
            return (reason, nil)
        }
        let format: TracepointFormat
        do {
            format = try tracefs.format(category: program.category, event: program.event)
        } catch {
            return ("cannot read the format of \(program.tracepoint): \(error)", nil)
        }
        let mismatches = LayoutCheck.mismatches(of: program, against: format)
        guard !mismatches.isEmpty else { return (nil, nil) }
        let layout = program.arguments.isEmpty ? "record layout" : "argument layout"
        let reason = "\(layout) differs from what the program reads: " + mismatches.joined(separator: "; ")
        return (reason, "\(program.name) switched off rather than count garbage: \(program.tracepoint) \(reason)")
    }

    /// sched_process_fork has two layouts and one program for each: the one that does not match
    /// this kernel is expected to be off and is not worth a warning, unless both are off.
    private mutating func reconcileForkLayouts() {
        let pair = [ProbeProgram.followForkDataLoc.name, ProbeProgram.followForkFixedComm.name]
        let indices = entries.indices.filter { pair.contains(entries[$0].program.name) }
        guard let used = indices.first(where: { entries[$0].enabled }) else {
            if indices.contains(where: { entries[$0].reason?.hasPrefix("record layout") == true }) {
                warnings.append("children are not followed: sched/sched_process_fork has neither known layout")
            }
            return
        }
        for index in indices where index != used && entries[index].reason?.hasPrefix("record layout") == true {
            entries[index].reason = "this kernel has the other layout of sched_process_fork (\(entries[used].program.name) is used)"
            warnings.removeAll { $0.hasPrefix("\(entries[index].program.name) switched off") }
        }
    }
}
