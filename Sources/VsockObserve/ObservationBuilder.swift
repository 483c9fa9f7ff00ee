import VsockProbe

/// Turns the tap's events, as they come out of the ring buffer, into each connection's
/// exchanges and the followed processes' writes. Events from different CPUs can arrive slightly
/// out of time order: they wait ``horizonNanos`` behind the newest before they are taken, in
/// time order. Streaming: memory holds the connections' state, not the events.
///
/// This runs for every packet of the watched port, on a CPU the observed exchange may need: it
/// keeps its per-event path free of allocation, copies and hashing (the connection of the
/// previous packet is remembered; waiting events stay in the batches they came in, sorted only
/// when a batch is out of order). `Benchmarks/Profiling/ObserveProfile`
/// counts its instructions per event.
public struct ObservationBuilder {
    /// How long an event waits for earlier ones from other CPUs.
    public var horizonNanos: UInt64 = 20_000_000
    /// Events before this (CLOCK_MONOTONIC nanoseconds) are left out: the observation's span,
    /// over which its rates and the probe's counters are taken, starts here; what the programs
    /// sent while observe was still attaching (they wait in the buffer) is not part of it.
    public var startNanos: UInt64 = 0
    /// The followed processes' writes to vsock sockets (or to sockets whose family could not
    /// be read): sizes.
    public private(set) var writeSizes = SizeDistribution()
    /// Events taken (packets and writes); `writes` counts those to vsock sockets only.
    public private(set) var packets: UInt64 = 0
    public private(set) var writes: UInt64 = 0
    /// The followed processes' writes left out: to files, pipes, terminals, other sockets, or
    /// to descriptors closed before they could be looked at.
    public private(set) var otherWrites: UInt64 = 0
    /// What a process's descriptor is (``DescriptorKind``), asked as its writes arrive.
    private let kindOf: (_ pid: UInt32, _ fd: Int32) -> DescriptorKind
    /// The answers so far, by pid and descriptor, with when they were given (event time): an
    /// answer older than ``descriptorAnswerNanos`` is asked again (a descriptor number closed
    /// and opened again may be another file by then). The previous write's is remembered (a
    /// process writes to one socket in runs), others are hashed.
    private var descriptors: [UInt64: (isVsock: Bool, atNanos: UInt64)] = [:]
    private var lastDescriptor: UInt64 = .max
    private var lastDescriptorAnswer: (isVsock: Bool, atNanos: UInt64) = (false, 0)
    static let descriptorAnswerNanos: UInt64 = 1_000_000_000

    /// The connections in the order their first packet came; `slots` finds one by its ends.
    private var records: [ConnectionRecord] = []
    private var slots: [VsockConnection: Int] = [:]
    /// The previous packet's connection and slot; slot -1 before the first packet.
    private var lastConnection = VsockConnection(parentCID: 0, parentPort: 0, peerCID: 0, peerPort: 0)
    private var lastSlot = -1
    /// Writes by system call number, in the order the numbers first came: a process uses one or
    /// two of the eight write-family calls, so a short search beats hashing every write.
    private var writesByNumber: [(number: UInt32, count: UInt64)] = []
    /// Events not taken yet, in time order: the batches as they came (not copied), from
    /// `batches[firstBatch][firstIndex]` on. A batch out of order is merged with what waits
    /// into one sorted batch.
    private var batches: [[TapEvent]] = []
    private var firstBatch = 0
    private var firstIndex = 0
    /// The newest timestamp waiting; 0 when nothing waits.
    private var lastWaitingNanos: UInt64 = 0
    private var newestNanos: UInt64 = 0
    private let pcap: PcapWriter?

    /// One connection's tracker and what its exchanges added up to.
    public struct ConnectionRecord: Sendable {
        public var tracker: ConnectionTracker
        public var statistics = ExchangeStatistics()

        mutating func add(_ packet: ObservedPacket) {
            if tracker.take(packet) { statistics.record(tracker.completed) }
        }
    }

    /// `kindOf`: what a followed process's descriptor is, asked when a batch with its writes
    /// comes out of the ring buffer (within a poll of the write, not after the horizon: a
    /// socket closed by then reads as gone), at most once a second per descriptor.
    public init(pcap: PcapWriter? = nil, kindOf: @escaping (_ pid: UInt32, _ fd: Int32) -> DescriptorKind = { DescriptorKind.of(pid: $0, fd: $1) }) {
        self.pcap = pcap
        self.kindOf = kindOf
    }

    /// Every connection seen, by its ends.
    public var connections: [VsockConnection: ConnectionRecord] {
        Dictionary(uniqueKeysWithValues: records.map { ($0.tracker.connection, $0) })
    }

    /// The followed processes' writes, by system call name.
    public var writesBySyscall: [String: UInt64] {
        writesByNumber.reduce(into: [:]) { $0[TapEvent.syscallName($1.number), default: 0] += $1.count }
    }

    /// Takes a batch of events; those older than the horizon behind the newest are processed.
    public mutating func take(_ events: [TapEvent]) throws {
        guard !events.isEmpty else { return }
        var inOrder = true
        var earliest = UInt64.max
        var latest: UInt64 = 0
        var hasWrites = false
        for event in events {
            if event.timestampNanos < latest { inOrder = false }
            latest = max(latest, event.timestampNanos)
            earliest = min(earliest, event.timestampNanos)
            if event.kind == .write { hasWrites = true }
        }
        if earliest < startNanos {
            // Only the batches taken first reach back before the start: filtered once, here.
            let start = startNanos
            let inSpan = events.filter { $0.timestampNanos >= start }
            if !inSpan.isEmpty { try take(inSpan) }
            return
        }
        // A write's descriptor is looked at now, as it arrives (its answer rides in the
        // event's `op`, 0 for writes from the kernel): after the horizon, a socket of a short
        // connection would be closed already.
        var events = events
        if hasWrites {
            for index in events.indices where events[index].kind == .write {
                events[index].op = toVsock(pid: events[index].tgid, fd: events[index].descriptor, at: events[index].timestampNanos) ? Self.vsockWrite : 0
            }
        }
        if earliest >= lastWaitingNanos {
            // After everything waiting: the batch goes at the end, sorted if it must be.
            batches.append(inOrder ? events : events.sorted { $0.timestampNanos < $1.timestampNanos })
        } else {
            mergeWaiting(with: events)
        }
        newestNanos = max(newestNanos, latest)
        lastWaitingNanos = max(lastWaitingNanos, latest)
        let cutoff = newestNanos > horizonNanos ? newestNanos - horizonNanos : 0
        try processWaiting(through: cutoff)
    }

    /// Processes what is still waiting and closes every connection's open exchange.
    public mutating func finish() throws {
        try processWaiting(through: .max)
        for slot in records.indices {
            if let last = records[slot].tracker.finish() { records[slot].statistics.record(last) }
        }
    }

    /// Every connection's exchanges together.
    public var total: ExchangeStatistics {
        records.reduce(into: ExchangeStatistics()) { $0.add($1.statistics) }
    }

    /// Every connection's packets together.
    public var totals: ConnectionTotals {
        records.reduce(into: ConnectionTotals()) { $0.add($1.tracker.totals) }
    }

    /// The waiting events up to `cutoff`, in order; batches used up are dropped.
    private mutating func processWaiting(through cutoff: UInt64) throws {
        while firstBatch < batches.count {
            let batch = batches[firstBatch]
            var index = firstIndex
            while index < batch.count && batch[index].timestampNanos <= cutoff {
                try process(batch[index])
                index += 1
            }
            guard index == batch.count else {
                firstIndex = index
                break
            }
            batches[firstBatch] = []  // its events go now, not when the list is trimmed
            firstBatch += 1
            firstIndex = 0
        }
        if firstBatch == batches.count {
            batches.removeAll(keepingCapacity: true)
            firstBatch = 0
            lastWaitingNanos = 0
        } else if firstBatch >= 64 {
            batches.removeFirst(firstBatch)
            firstBatch = 0
        }
    }

    /// What waits and `events` as one batch in time order, for a batch that reaches back
    /// before the newest event waiting (another CPU's events, late out of the ring buffer):
    /// the batch is sorted alone and merged with what waits, which is in order already.
    /// Stable: events with the same timestamp keep the order they came in.
    private mutating func mergeWaiting(with events: [TapEvent]) {
        let incoming = events.sorted { $0.timestampNanos < $1.timestampNanos }
        var merged: [TapEvent] = []
        merged.reserveCapacity(incoming.count + batches[firstBatch...].reduce(0) { $0 + $1.count } - firstIndex)
        var next = 0
        for (position, batch) in batches.enumerated().dropFirst(firstBatch) {
            for event in batch[(position == firstBatch ? firstIndex : 0)...] {
                while next < incoming.count && incoming[next].timestampNanos < event.timestampNanos {
                    merged.append(incoming[next])
                    next += 1
                }
                merged.append(event)
            }
        }
        merged += incoming[next...]
        batches = [merged]
        firstBatch = 0
        firstIndex = 0
    }

    private mutating func process(_ event: TapEvent) throws {
        if event.kind == .write {
            guard event.op == Self.vsockWrite else {
                otherWrites += 1
                return
            }
            writes += 1
            writeSizes.record(UInt64(event.length))
            countWrite(number: event.syscallNumber)
            return
        }
        guard let packet = ObservedPacket(event) else { return }
        packets += 1
        try pcap?.write(packet)
        // In place: a copy taken out of the array would share the histograms' storage with the
        // record still in it, and recording an exchange would then copy all four histograms.
        records[slot(of: packet.connection)].add(packet)
    }

    @inline(__always)
    private mutating func countWrite(number: UInt32) {
        if let index = writesByNumber.firstIndex(where: { $0.number == number }) {
            writesByNumber[index].count += 1
        } else {
            writesByNumber.append((number, 1))
        }
    }

    /// A write event's `op` once its descriptor may be a vsock socket.
    static let vsockWrite: UInt16 = 1

    @inline(__always)
    private mutating func toVsock(pid: UInt32, fd: Int32, at nanos: UInt64) -> Bool {
        let key = UInt64(pid) << 32 | UInt64(UInt32(bitPattern: fd))
        if key == lastDescriptor, nanos &- lastDescriptorAnswer.atNanos < Self.descriptorAnswerNanos { return lastDescriptorAnswer.isVsock }
        if let known = descriptors[key], nanos &- known.atNanos < Self.descriptorAnswerNanos {
            lastDescriptor = key
            lastDescriptorAnswer = known
            return known.isVsock
        }
        let kind = kindOf(pid, fd)
        // Gone: not kept (the number may be a socket's at the next write).
        guard kind != .gone else { return false }
        let answer = (isVsock: kind.mayBeVsock, atNanos: nanos)
        descriptors[key] = answer
        lastDescriptor = key
        lastDescriptorAnswer = answer
        return answer.isVsock
    }

    /// Where `connection`'s record is, added if it is new: the previous packet's connection is
    /// remembered (packets come in runs of one connection), others are hashed.
    @inline(__always)
    private mutating func slot(of connection: VsockConnection) -> Int {
        if lastSlot >= 0 && connection == lastConnection { return lastSlot }
        return newSlot(of: connection)
    }

    private mutating func newSlot(of connection: VsockConnection) -> Int {
        let slot: Int
        if let known = slots[connection] {
            slot = known
        } else {
            slot = records.count
            records.append(ConnectionRecord(tracker: ConnectionTracker(connection: connection)))
            slots[connection] = slot
        }
        lastConnection = connection
        lastSlot = slot
        return slot
    }
}
