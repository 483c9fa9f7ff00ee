import CLibbpf
import CVsockProbe

#if canImport(Glibc)
import Glibc
#endif

/// The loaded BPF objects of one probe: vsockbench.bpf.c and, where fentry is allowed,
/// virtqueue_kick.bpf.c. Built and used under ``Probe``'s lock only.
final class ProbeObjects {
    let main: BPFObject
    private(set) var kicks: BPFObject?
    private(set) var sources: [ProbeSource] = []
    private(set) var warnings: [String] = []

    /// Loads and attaches everything the plan enables; a program that fails to attach is
    /// switched off with its reason, a failed load of the main object throws.
    /// `eventsDescriptor`: a ring buffer (a ``VsockTap``'s) for the followed processes' writes.
    init(configuration: ProbeConfiguration, plan: ProbePlan, vsockDevice: VsockDevice?, eventsDescriptor: Int32? = nil) throws {
        warnings = plan.warnings
        main = try BPFObject(name: "vsockbench", base64: EmbeddedBPFObjects.vsockbench)
        do {
            var config = Self.config(configuration, vsockDevice: vsockDevice)
            config.count_kvm_run = plan.isEnabled(.kvmRun) ? 1 : 0
            if let eventsDescriptor, plan.isEnabled(.syscalls) {
                try main.reuseMap(named: "events", descriptor: eventsDescriptor)
                config.capture_writes = 1
            } else {
                try main.skipMap(named: "events")
            }
            try main.setReadOnlyData(config)
            for entry in plan.entries where entry.program.hasOwnCode {
                try main.setAutoload(program: entry.program.name, entry.enabled)
            }
            try main.load()
            for pid in configuration.pids.dropFirst(Int(VSB_MAX_TARGETS)) {
                try follow(pid: pid)
            }
            for entry in plan.entries where entry.program.hasOwnCode {
                sources.append(attach(entry))
            }
            // A counter inside another program is attached when its host is, and listed where
            // the plan lists it.
            for (index, entry) in plan.entries.enumerated() {
                guard case .within(let host) = entry.program.attachment else { continue }
                let hosted = entry.enabled && sources.contains { $0.program == host && $0.attached }
                let reason = entry.enabled ? (hosted ? nil : "\(host), which counts it, is not attached") : entry.reason
                sources.insert(ProbeSource(entry.program, attached: hosted, reason: reason), at: min(index, sources.count))
            }
        } catch {
            main.close()
            throw error
        }
        let kicks = Self.loadKicks(vsockDevice: vsockDevice)
        self.kicks = kicks.object
        sources.append(kicks.source)
    }

    func isAttached(_ program: ProbeProgram) -> Bool {
        sources.contains { $0.program == program.name && $0.attached }
    }

    func close() {
        kicks?.close()
        kicks = nil
        main.close()
    }

    /// Adds `pid` to the followed map, then bumps the user's generation slot so that no CPU
    /// keeps its remembered "not followed" verdict for it (see `struct vsb_verdict`).
    func follow(pid: Int32) throws {
        var key = UInt32(bitPattern: pid)
        var yes: UInt8 = 1
        let result = bpf_map_update_elem(try main.mapDescriptor(named: "followed"), &key, &yes, UInt64(BPF_ANY))
        guard result == 0 else {
            throw ProbeError(
                operation: "following pid \(pid) (bpf_map_update_elem)", errno: -result,
                detail: "at most \(VSB_MAX_FOLLOWED) processes and threads can be followed")
        }
        let generations = try main.mapDescriptor(named: "followed_generation")
        var slot = UInt32(VSB_GENERATION_USER.rawValue)
        var generation: UInt64 = 0
        _ = bpf_map_lookup_elem(generations, &slot, &generation)
        generation &+= 1
        let bumped = bpf_map_update_elem(generations, &slot, &generation, UInt64(BPF_ANY))
        guard bumped == 0 else {
            throw ProbeError(operation: "bumping followed_generation (bpf_map_update_elem)", errno: -bumped, detail: "")
        }
    }

    private func attach(_ entry: ProbePlan.Entry) -> ProbeSource {
        guard entry.enabled else { return ProbeSource(entry.program, attached: false, reason: entry.reason) }
        do {
            switch entry.program.attachment {
            case .tracepoint:
                try main.attachTracepoint(
                    program: entry.program.name, category: entry.program.category, event: entry.program.event)
            case .raw:
                try main.attachRawTracepoint(program: entry.program.name, event: entry.program.event)
            case .within:
                break
            }
            return ProbeSource(entry.program, attached: true)
        } catch {
            warnings.append("\(entry.program.name) not attached: \(error)")
            return ProbeSource(entry.program, attached: false, reason: "\(error)")
        }
    }

    /// The kick counter lives in its own object: fentry is refused on some kernels (EPERM), and
    /// libbpf loads an object all or nothing, so a refusal must not take the others down.
    /// Returns the attached object (nil when it is not) and its source line.
    static func loadKicks(vsockDevice: VsockDevice?) -> (object: BPFObject?, source: ProbeSource) {
        let program = ProbeProgram.virtqueueKicks
        guard let vsockDevice else {
            return (nil, ProbeSource(program, attached: false, reason: "no virtio device is bound to vmw_vsock_virtio_transport"))
        }
        var object: BPFObject?
        do {
            let opened = try BPFObject(name: "virtqueue_kick", base64: EmbeddedBPFObjects.virtqueueKick)
            object = opened
            try opened.setReadOnlyData(vsb_kick_config(virtio_index: vsockDevice.virtioIndex, reserved: 0))
            try opened.load()
            try opened.attachTrace(program: program.name)
            return (opened, ProbeSource(program, attached: true))
        } catch {
            object?.close()
            let refused = (error as? ProbeError)?.errno == EPERM
            let reason = refused
                ? "the kernel refuses fentry programs here (EPERM loading fentry/virtqueue_notify): kicks are not counted"
                : "fentry/virtqueue_notify did not load or attach: \(error)"
            return (nil, ProbeSource(program, attached: false, reason: reason))
        }
    }

    /// The `.rodata` filters for a configuration: the first pids, the vsock filters, the IRQs.
    static func config(_ configuration: ProbeConfiguration, vsockDevice: VsockDevice?) -> vsb_config {
        var config = vsb_config()
        let targets = configuration.pids.prefix(Int(VSB_MAX_TARGETS))
        withUnsafeMutableBytes(of: &config.target_tgids) { raw in
            for (index, pid) in targets.enumerated() {
                raw.storeBytes(of: UInt32(bitPattern: pid), toByteOffset: index * 4, as: UInt32.self)
            }
        }
        config.target_count = UInt32(targets.count)
        config.follow_children = configuration.followChildren ? 1 : 0
        if let port = configuration.vsockPort {
            config.vsock_filter_port = 1
            config.vsock_port = port
        }
        if let cid = configuration.vsockCID {
            config.vsock_filter_cid = 1
            config.vsock_cid = cid
        }
        let irqs = (vsockDevice?.irqs ?? []).prefix(Int(VSB_MAX_IRQS))
        withUnsafeMutableBytes(of: &config.irqs) { raw in
            for (index, irq) in irqs.enumerated() {
                raw.storeBytes(of: irq, toByteOffset: index * 4, as: UInt32.self)
            }
        }
        config.irq_count = UInt32(irqs.count)
        return config
    }
}
