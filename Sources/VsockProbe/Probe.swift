import CVsockProbe
import Synchronization

/// The eBPF probe: counts, below the application, what the followed processes cost — KVM_RUN
/// ioctls, VM exits, system calls — and what crosses the vsock device: packets by op, IRQs,
/// virtqueue kicks. Counters are per-CPU map slots summed on ``read()``; nothing is sent to
/// user space per event, so the probe stays cheap on the data path.
///
///     let probe = try Probe(configuration: ProbeConfiguration(pids: [target]))
///     let before = try probe.read()
///     // ... the measured interval ...
///     let cost = try probe.read().subtracting(before).perMessage(messages)
///     probe.close()
public final class Probe: Sendable {
    /// Every program, attached or not, with the reason for those that are not.
    public let sources: [ProbeSource]
    /// What the configuration asked for.
    public let configuration: ProbeConfiguration
    private let setupWarnings: [String]
    private let objects: Mutex<ProbeObjects?>

    /// Loads and attaches the probe. Needs root (or CAP_BPF and CAP_PERFMON) and tracefs, which
    /// is mounted at /sys/kernel/tracing when missing; ``checkAvailability()`` says what is
    /// missing without throwing. Programs this kernel cannot run are switched off (see
    /// ``sources`` and ``warnings``); only a failure to load the core object throws. With
    /// ``ProbeConfiguration/capturesWrites``, the followed processes' writes go to `tap`'s ring buffer.
    public init(configuration: ProbeConfiguration, tap: VsockTap? = nil) throws {
        if configuration.tracefsRoot == ProbeConfiguration.defaultTracefsRoot {
            try Tracefs.ensureMounted(at: configuration.tracefsRoot)
        }
        let device = VsockDevice.find(in: configuration.systemRoots)
        let plan = ProbePlan(
            configuration: configuration, tracefs: Tracefs(root: configuration.tracefsRoot), vsockDevice: device)
        let events = configuration.capturesWrites ? try tap?.eventsDescriptor : nil
        let loaded = try ProbeObjects(configuration: configuration, plan: plan, vsockDevice: device, eventsDescriptor: events)
        self.configuration = configuration
        sources = loaded.sources
        setupWarnings = loaded.warnings
        objects = Mutex(loaded)
    }

    deinit {
        close()
    }

    /// Problems worth telling the user: programs switched off because the kernel's record layout
    /// differs or attaching failed, children that could not be followed.
    public var warnings: [String] {
        let overflow = objects.withLock { objects in
            objects.flatMap { try? CounterReader(objects: $0).followOverflow() } ?? 0
        }
        guard overflow > 0 else { return setupWarnings }
        return setupWarnings + ["\(overflow) new processes or threads were not followed: the map of followed ids is full"]
    }

    /// Starts counting another process (e.g. a target started after the probe). Its children are
    /// followed from then on when ``ProbeConfiguration/followChildren`` is set.
    public func follow(pid: Int32) throws {
        try objects.withLock { objects in
            guard let objects else { throw Self.closedError }
            try objects.follow(pid: pid)
        }
    }

    /// The counts since the probe was attached; subtract two readings for an interval.
    public func read() throws -> ProbeCounters {
        try objects.withLock { objects in
            guard let objects else { throw Self.closedError }
            return try CounterReader(objects: objects).read()
        }
    }

    /// Writes of the followed processes that did not reach the tap's ring buffer (it was full).
    public func lostWrites() throws -> UInt64 {
        try objects.withLock { objects in
            guard let objects else { throw Self.closedError }
            let scalars = try PerCPUMap(
                fd: objects.main.mapDescriptor(named: "scalars"), name: "scalars", valueSize: 8)
            return try scalars.sum(key: UInt32(VSB_SCALAR_WRITES_LOST.rawValue))?.first ?? 0
        }
    }

    /// Detaches every program and frees the maps; later reads throw. Safe to call twice.
    public func close() {
        objects.withLock { objects in
            objects?.close()
            objects = nil
        }
    }

    private static let closedError = ProbeError(operation: "using the probe", detail: "it is closed")
}
