#if canImport(Glibc)
import Glibc
#endif
import VsockProbe

/// Whether the eBPF probe can run here, and which of its programs would count.
public struct BPFFacts: Sendable, Equatable, Encodable {
    public var privileges: ProbePrivileges
    public var bpfSyscall: ProbeAvailability
    /// Where tracefs was found (a directory with `events/`); nil when nowhere.
    public var tracefs: String?
    /// The places looked at, in order.
    public var tracefsCandidates: [String]
    /// Where /proc/mounts lists a tracefs this user cannot read (root's alone), when none was
    /// found readable.
    public var tracefsUnreadable: String?
    /// Every program with whether it would attach (`attached`) and why not; nil when tracefs
    /// could not be read, so nothing can be said.
    public var programs: [ProbeSource]?

    public static func gather(_ environment: DoctorEnvironment) -> BPFFacts {
        let status = (try? FileSystem.readText(environment.proc("self/status"))) ?? ""
        let privileges = ProbePrivileges(effectiveUID: environment.effectiveUID ?? geteuid(), status: status)
        let bpf = environment.bpfSyscall
            ?? (privileges.sufficient
                ? Probe.checkBPFSyscall()
                : .unavailable(missing: "privileges to try bpf()", howToFix: privileges.isRoot
                    ? "give this root CAP_BPF+CAP_PERFMON (its set lacks them) to know whether bpf() works"
                    : "run doctor as root to know whether bpf() works"))
        let candidates = [environment.sys("kernel/tracing"), environment.sys("kernel/debug/tracing")]
        let tracefs = candidates.first { FileSystem.isDirectory("\($0)/events") }
        // The candidates' places on the machine, as /proc/mounts names them.
        let mounts = (try? FileSystem.readText(environment.proc("mounts"))) ?? ""
        let unreadable = tracefs != nil ? nil
            : zip(candidates, ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]).first { Probe.tracefsIsListed(at: $0.1, mounts: mounts) }?.0
        var programs: [ProbeSource]?
        if let tracefs {
            let roots = SystemRoots(
                vsockDriverDirectory: environment.sys("bus/virtio/drivers/vmw_vsock_virtio_transport"),
                interruptsFile: environment.proc("interrupts"))
            let configuration = ProbeConfiguration(pids: [], tracefsRoot: tracefs, systemRoots: roots)
            programs = Probe.forecast(
                configuration: configuration,
                loadingFentry: environment.loadsFentry && privileges.sufficient && bpf == .available)
        }
        return BPFFacts(
            privileges: privileges, bpfSyscall: bpf, tracefs: tracefs, tracefsCandidates: candidates, tracefsUnreadable: unreadable,
            programs: programs)
    }

    /// Root (or the capabilities), bpf() and tracefs: what `vsockbench probe` needs to start.
    public var probeReady: Bool { privileges.sufficient && bpfSyscall == .available && tracefs != nil }

    var checks: [DoctorCheck] {
        [privilegesCheck, syscallCheck, tracefsCheck, programsCheck]
    }

    private var privilegesCheck: DoctorCheck {
        let mask = privileges.effectiveCapabilities.map { "CapEff \(Self.hex($0))" } ?? "CapEff unreadable"
        var howToFix = ""
        if case let .unavailable(_, fix) = Probe.checkPrivileges(privileges) { howToFix = fix }
        return DoctorCheck.Template(id: "bpf_privileges", group: .bpf, title: "privileges").presence(
            privileges.sufficient, ok: "\(privileges.grantedBy ?? "") (euid \(privileges.effectiveUID), \(mask))",
            missing: privileges.isRootWithoutCapabilities
                ? "euid 0, \(mask): root, but without CAP_BPF+CAP_PERFMON (nor CAP_SYS_ADMIN)"
                : "euid \(privileges.effectiveUID), \(mask): neither root nor CAP_BPF+CAP_PERFMON (nor CAP_SYS_ADMIN)",
            advice: howToFix)
    }

    private var syscallCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "bpf_syscall", group: .bpf, title: "bpf()")
        switch bpfSyscall {
        case .available:
            return check(.ok, "works (a one-slot map created and closed)")
        case let .unavailable(missing, howToFix):
            return privileges.sufficient
                ? check(.missing, "missing \(missing)", advice: howToFix)
                : check(.warn, "not tried without the privileges above", advice: howToFix)
        }
    }

    private var tracefsCheck: DoctorCheck {
        if let tracefsUnreadable {
            return DoctorCheck.Template(id: "tracefs", group: .bpf, title: "tracefs")(
                .missing, privileges.isRoot
                    ? "mounted at \(tracefsUnreadable), but this process cannot read it (root without CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE in its set, or a masked mount)"
                    : "mounted at \(tracefsUnreadable), but this user cannot read it (root's alone; CAP_BPF and CAP_PERFMON give no read access)",
                advice: Probe.unreadableTracefsFix)
        }
        var missing = "no tracefs with events/ at \(tracefsCandidates.joined(separator: " or "))"
        if !privileges.sufficient { missing += " (tracefs is readable by root only, so it may be there)" }
        return DoctorCheck.Template(id: "tracefs", group: .bpf, title: "tracefs").presence(
            tracefs != nil, ok: "mounted at \(tracefs ?? "")", missing: missing,
            advice: "mount -t tracefs nodev \(ProbeConfiguration.defaultTracefsRoot) as root (`vsockbench probe` does it itself when run as root)")
    }

    private var programsCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "probe_programs", group: .bpf, title: "probe programs")
        guard let programs else {
            return tracefsUnreadable != nil
                ? check(.missing, "unknown: which programs would attach is read from tracefs, which this user cannot read",
                        advice: "give this user read access to tracefs (see above), then run doctor again")
                : check(.missing, "unknown: which programs would attach is read from tracefs, which was not found",
                        advice: "mount tracefs (see above), then run doctor again")
        }
        let units = Self.units(programs)
        let attaching = units.filter(\.attached)
        // What tracefs says would attach holds only where the probe can load at all: without
        // the privileges or bpf() nothing attaches ("9 of 11 would attach" beside a bpf()
        // refused, review).
        guard privileges.sufficient, bpfSyscall == .available else {
            let blocker = privileges.sufficient ? "bpf() does not work here" : "this process lacks the privileges"
            return check(.missing, "none can load: \(blocker) (see above); with \(privileges.sufficient ? "it" : "them"), \(attaching.count) of \(units.count) would attach",
                         advice: "fix the \(privileges.sufficient ? "bpf()" : "privileges") check above, then run doctor again")
        }
        let off = programs.filter { !$0.attached }
        let unexpected = off.filter { !Self.isExpectedOff($0) }
        // One name per program counted, so the number and the list agree.
        let detail = "\(attaching.count) of \(units.count) would attach: " + attaching.map(\.label).joined(separator: ", ")
        let notes = off.map { "off: \($0.program) (\($0.counts)): \($0.reason ?? "no reason given")" }
        let advice = unexpected.compactMap(Self.advice(for:)).uniqued()
        return check(
            unexpected.isEmpty ? .ok : .warn, detail, advice: advice.isEmpty ? nil : advice.joined(separator: "; "),
            notes: notes)
    }

    /// A program as a user counts them: the layouts of one tracepoint's program (the two of
    /// sched_process_fork, of which a kernel has one) are one program, which attaches with
    /// whichever layout the kernel has ("9 of 11 would attach" counted both, so 11 of 11 could
    /// never be). Named by what it counts, with its event where two programs count the same
    /// thing (children: on fork and on exit).
    struct Unit: Equatable {
        var label: String
        var attached: Bool
    }

    static func units(_ programs: [ProbeSource]) -> [Unit] {
        var keys: [String] = []
        var byKey: [String: (counts: String, tracepoint: String, attached: Bool)] = [:]
        for program in programs {
            let key = "\(program.tracepoint) \(program.counts)"
            if let seen = byKey[key] {
                byKey[key]?.attached = seen.attached || program.attached
            } else {
                keys.append(key)
                byKey[key] = (program.counts, program.tracepoint, program.attached)
            }
        }
        let grouped = keys.compactMap { byKey[$0] }
        return grouped.map { unit in
            let shared = grouped.filter { $0.counts == unit.counts }.count > 1
            let event = unit.tracepoint.split(separator: "/").last.map(String.init) ?? unit.tracepoint
            return Unit(label: shared ? "\(unit.counts) (\(event))" : unit.counts, attached: unit.attached)
        }
    }

    /// Off by design on every kernel: the sched_process_fork program of the layout this kernel does not have.
    private static func isExpectedOff(_ source: ProbeSource) -> Bool {
        source.reason?.contains("other layout") == true
    }

    /// What a user can do about a program that would not attach.
    private static func advice(for source: ProbeSource) -> String? {
        let reason = source.reason ?? ""
        if reason.contains("layout differs") {
            return "a counter whose record layout or tracepoint arguments differ is switched off rather than count garbage: report the kernel release"
        }
        if source.tracepoint.hasPrefix("vsock/") {
            return "vsock packets need the virtio vsock transport's tracepoints (modprobe vmw_vsock_virtio_transport, or vsock_loopback in the lab VM)"
        }
        if source.tracepoint.hasPrefix("kvm/") {
            return "kvm_exit counts need the kvm module (only where this machine runs guests)"
        }
        if reason.contains("no virtio device") || reason.contains("no IRQ") {
            return "vsock IRQs and kicks are counted inside a guest with a virtio vsock device (a Nitro parent, a QEMU guest with vhost-vsock-pci)"
        }
        if reason.contains("fentry") && reason.contains("refuses") {
            return "virtqueue kicks are not counted on this kernel; vsock_irqs and vsock packets remain as notification proxies"
        }
        if reason.hasPrefix("not tried") {
            return "run doctor as root to learn whether fentry loads"
        }
        return nil
    }

    private static func hex(_ mask: UInt64) -> String {
        let digits = String(mask, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    enum CodingKeys: String, CodingKey {
        case euid, capEff = "cap_eff", privileged, privilegedBy = "privileged_by", bpfSyscall = "bpf_syscall"
        case bpfError = "bpf_error", tracefs, tracefsCandidates = "tracefs_candidates", tracefsUnreadable = "tracefs_unreadable", programs
        case probeReady = "probe_ready"
    }

    private struct Program: Encodable {
        var source: ProbeSource
        enum CodingKeys: String, CodingKey { case program, tracepoint, counts, wouldAttach = "would_attach", reason }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source.program, forKey: .program)
            try container.encode(source.tracepoint, forKey: .tracepoint)
            try container.encode(source.counts, forKey: .counts)
            try container.encode(source.attached, forKey: .wouldAttach)
            try container.encode(source.reason, forKey: .reason)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(privileges.effectiveUID, forKey: .euid)
        try container.encode(privileges.effectiveCapabilities.map(Self.hex), forKey: .capEff)
        try container.encode(privileges.sufficient, forKey: .privileged)
        try container.encode(privileges.grantedBy, forKey: .privilegedBy)
        try container.encode(bpfSyscall == .available, forKey: .bpfSyscall)
        try container.encode(bpfSyscall == .available ? nil : bpfSyscall.message, forKey: .bpfError)
        try container.encode(tracefs, forKey: .tracefs)
        try container.encode(tracefsCandidates, forKey: .tracefsCandidates)
        try container.encode(tracefsUnreadable, forKey: .tracefsUnreadable)
        try container.encode(programs?.map(Program.init), forKey: .programs)
        try container.encode(probeReady, forKey: .probeReady)
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each kept once.
    fileprivate func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
