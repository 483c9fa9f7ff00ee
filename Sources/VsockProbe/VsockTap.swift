import CLibbpf
import CVsockProbe
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Every vsock packet from or to one port, as ``TapEvent``s through a BPF ring buffer
/// (observe.bpf.c): what `vsockbench observe` rebuilds exchanges from. A ``Probe`` loaded with
/// ``ProbeConfiguration/capturesWrites`` and this tap adds the followed processes' writes to the
/// same buffer.
///
/// One reader: ``poll(timeoutMilliseconds:)`` is called from one thread at a time. The BPF side
/// never wakes the reader (a wake-up decision per packet costs a helper call): the reader polls
/// on a timer, and the 8 MiB buffer holds about 116,000 events (20 ms of 5.8 million a second;
/// the reader's period is its timer plus the time it takes to process what came).
public final class VsockTap: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// The service port: packets from or to it.
        public var port: UInt32
        /// Only packets from or to this CID; nil: any.
        public var cid: UInt32?
        public var tracefsRoot: String

        public init(port: UInt32, cid: UInt32? = nil, tracefsRoot: String = ProbeConfiguration.defaultTracefsRoot) {
            self.port = port
            self.cid = cid
            self.tracefsRoot = tracefsRoot
        }
    }

    /// The two packet programs, attached.
    public let sources: [ProbeSource]
    private let state: Mutex<State?>

    /// `@unchecked Sendable`: owned by the tap's lock; the ring buffer is read under it.
    private final class State: @unchecked Sendable {
        let object: BPFObject
        let ring: OpaquePointer
        let sink: Unmanaged<EventSink>

        init(object: BPFObject, ring: OpaquePointer, sink: Unmanaged<EventSink>) {
            self.object = object
            self.ring = ring
            self.sink = sink
        }
    }

    /// Where the ring buffer's callback puts events; read and emptied under the tap's lock.
    /// The callback runs for every packet: no exclusivity check (the lock already makes the
    /// accesses exclusive) and no retain of the sink.
    private final class EventSink {
        @exclusivity(unchecked) var events: [TapEvent] = []
    }

    /// Loads observe.bpf.c and attaches it. Throws, saying what is missing, when the kernel has
    /// no BPF ring buffer (Linux 5.8+), no vsock tracepoints, or a record layout that differs.
    public init(configuration: Configuration) throws {
        if configuration.tracefsRoot == ProbeConfiguration.defaultTracefsRoot {
            try Tracefs.ensureMounted(at: configuration.tracefsRoot)
        }
        guard libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nil) == 1 else {
            throw ProbeError(
                operation: "creating a BPF ring buffer",
                detail: "this kernel has no BPF ring buffer (Linux 5.8 or later): observe needs one to see each packet; "
                    + "`vsockbench probe --vsock-port PORT` still counts packets by op")
        }
        let tracefs = Tracefs(root: configuration.tracefsRoot)
        for program in [ProbeProgram.observeSent, ProbeProgram.observeReceived] {
            if let reason = ProbePlan.check(program, on: tracefs).reason {
                throw ProbeError(operation: "watching \(program.tracepoint)", detail: reason)
            }
        }
        let object = try BPFObject(name: "observe", base64: EmbeddedBPFObjects.observe)
        do {
            var config = vsb_observe_config()
            config.port = configuration.port
            config.filter_cid = configuration.cid == nil ? 0 : 1
            config.cid = configuration.cid ?? 0
            try object.setReadOnlyData(config)
            try object.load()
            var sources: [ProbeSource] = []
            for program in [ProbeProgram.observeSent, ProbeProgram.observeReceived] {
                try object.attachRawTracepoint(program: program.name, event: program.event)
                sources.append(ProbeSource(program, attached: true))
            }
            let sink = Unmanaged.passRetained(EventSink())
            let callback: ring_buffer_sample_fn = { context, data, size in
                guard let context, let data, size >= MemoryLayout<vsb_event>.size else { return 0 }
                let raw = data.loadUnaligned(as: vsb_event.self)
                if let event = TapEvent(raw) {
                    Unmanaged<EventSink>.fromOpaque(context)._withUnsafeGuaranteedRef { $0.events.append(event) }
                }
                return 0
            }
            guard let ring = ring_buffer__new(try object.mapDescriptor(named: "events"), callback, sink.toOpaque(), nil) else {
                let error = errno
                sink.release()
                throw ProbeError(operation: "ring_buffer__new(events)", errno: error, detail: "")
            }
            self.sources = sources
            state = Mutex(State(object: object, ring: ring, sink: sink))
        } catch {
            object.close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// The ring buffer's map, for a ``Probe`` that adds writes to it.
    var eventsDescriptor: Int32 {
        get throws {
            try state.withLock { state in
                guard let state else { throw Self.closedError }
                return try state.object.mapDescriptor(named: "events")
            }
        }
    }

    /// The events that arrived, after waiting `timeoutMilliseconds` (the BPF side does not wake
    /// the reader); empty when none came.
    public func poll(timeoutMilliseconds: Int32) throws -> [TapEvent] {
        try state.withLock { state in
            guard let state else { throw Self.closedError }
            // Waits for the timeout (events are submitted without waking the reader), then takes
            // what came.
            let result = ring_buffer__poll(state.ring, timeoutMilliseconds)
            if result < 0 && result != -EINTR {
                throw ProbeError(operation: "ring_buffer__poll(events)", errno: -result, detail: "")
            }
            let consumed = ring_buffer__consume(state.ring)
            if consumed < 0 && consumed != -EINTR {
                throw ProbeError(operation: "ring_buffer__consume(events)", errno: -consumed, detail: "")
            }
            // The events leave with their buffer; the next ones get a new one as large as this
            // batch (not as large as the largest batch ever: the reader may keep a few).
            let sink = state.sink.takeUnretainedValue()
            let taken = sink.events
            sink.events = []
            sink.events.reserveCapacity(taken.count)
            return taken
        }
    }

    /// Packets the BPF side dropped because the ring buffer was full (the reader fell behind).
    public func lostPackets() throws -> UInt64 {
        try state.withLock { state in
            guard let state else { throw Self.closedError }
            let map = try PerCPUMap(
                fd: state.object.mapDescriptor(named: "observe_lost"), name: "observe_lost", valueSize: 8)
            return try map.sum(key: UInt32(VSB_LOST_PACKETS.rawValue))?.first ?? 0
        }
    }

    /// Detaches the programs and frees the buffer; safe to call twice.
    public func close() {
        state.withLock { state in
            guard let current = state else { return }
            ring_buffer__free(current.ring)
            current.sink.release()
            current.object.close()
            state = nil
        }
    }

    private static let closedError = ProbeError(operation: "using the vsock tap", detail: "it is closed")
}
