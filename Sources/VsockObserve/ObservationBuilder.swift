import VsockProbe

/// Turns the tap's events, as they come out of the ring buffer, into each connection's
/// exchanges and the followed processes' writes. Events from different CPUs can arrive slightly
/// out of time order: they wait ``horizonNanos`` behind the newest before they are taken, in
/// time order. Streaming: memory holds the connections' state, not the events.
public struct ObservationBuilder {
    /// How long an event waits for earlier ones from other CPUs.
    public var horizonNanos: UInt64 = 20_000_000
    public private(set) var connections: [VsockConnection: ConnectionRecord] = [:]
    /// The followed processes' writes: sizes, and how many of each system call.
    public private(set) var writeSizes = SizeDistribution()
    public private(set) var writesBySyscall: [String: UInt64] = [:]
    /// Events taken (packets and writes).
    public private(set) var packets: UInt64 = 0
    public private(set) var writes: UInt64 = 0
    private var pending: [TapEvent] = []
    private var newestNanos: UInt64 = 0
    private let pcap: PcapWriter?

    /// One connection's tracker and what its exchanges added up to.
    public struct ConnectionRecord: Sendable {
        public var tracker: ConnectionTracker
        public var statistics = ExchangeStatistics()

        mutating func add(_ packet: ObservedPacket) {
            if let exchange = tracker.add(packet) { statistics.record(exchange) }
        }
    }

    public init(pcap: PcapWriter? = nil) {
        self.pcap = pcap
    }

    /// Takes a batch of events; those older than the horizon behind the newest are processed.
    public mutating func take(_ events: [TapEvent]) throws {
        guard !events.isEmpty else { return }
        pending.append(contentsOf: events)
        newestNanos = max(newestNanos, events.map(\.timestampNanos).max() ?? 0)
        let cutoff = newestNanos > horizonNanos ? newestNanos - horizonNanos : 0
        pending.sort { $0.timestampNanos < $1.timestampNanos }
        let ready = pending.prefix { $0.timestampNanos <= cutoff }
        try process(ready)
        pending.removeFirst(ready.count)
    }

    /// Processes what is still waiting and closes every connection's open exchange.
    public mutating func finish() throws {
        pending.sort { $0.timestampNanos < $1.timestampNanos }
        try process(pending[...])
        pending = []
        for key in connections.keys {
            if let last = connections[key]?.tracker.finish() { connections[key]?.statistics.record(last) }
        }
    }

    /// Every connection's exchanges together.
    public var total: ExchangeStatistics {
        connections.values.reduce(into: ExchangeStatistics()) { $0.add($1.statistics) }
    }

    /// Every connection's packets together.
    public var totals: ConnectionTotals {
        connections.values.reduce(into: ConnectionTotals()) { $0.add($1.tracker.totals) }
    }

    private mutating func process(_ events: ArraySlice<TapEvent>) throws {
        for event in events {
            if event.kind == .write {
                writes += 1
                writeSizes.record(UInt64(event.length))
                writesBySyscall[event.syscallName, default: 0] += 1
                continue
            }
            guard let packet = ObservedPacket(event) else { continue }
            packets += 1
            try pcap?.write(packet)
            // In place: a copy taken out of the dictionary would share the histograms' storage
            // with the entry still in it, and recording an exchange would then copy all four
            // (about 1 MB) on every exchange.
            connections[packet.connection, default: ConnectionRecord(tracker: ConnectionTracker(connection: packet.connection))]
                .add(packet)
        }
    }
}
