import VsockProbe

/// Rebuilds the exchanges of one connection from its packets, in time order, knowing nothing of
/// the protocol's framing: a turn is a run of data packets one way; an exchange is a turn from
/// the parent followed by a turn back. Control packets (credit updates, the handshake,
/// shutdown) never start or end a turn; they are counted with the exchange they fall in.
public struct ConnectionTracker: Sendable {
    public let connection: VsockConnection
    /// Every packet seen, by direction and op.
    public private(set) var totals = ConnectionTotals()

    private enum Phase {
        /// No data yet, or only the peer spoke (a greeting before any request).
        case idle
        case request
        case response
    }

    private var phase = Phase.idle
    /// The exchange under way: meaningful only outside `.idle` (not an optional, so that each
    /// packet updates it in place).
    private var building = Exchange.empty
    private var lastResponseEndNanos: UInt64?
    private var inFlight = InFlightEstimator()

    public init(connection: VsockConnection) {
        self.connection = connection
    }

    /// The exchange the latest ``take(_:)`` that returned true completed.
    public private(set) var completed = Exchange.empty

    /// Takes the next packet (timestamps must not go backwards); returns the exchange it
    /// completes, if any: the previous one ends when the parent starts a new request.
    public mutating func add(_ packet: ObservedPacket) -> Exchange? {
        take(packet) ? completed : nil
    }

    /// ``add(_:)`` without an optional `Exchange` to build and copy for every packet (the
    /// reader's path): true when the packet completed an exchange, then in ``completed``.
    @inline(__always)
    public mutating func take(_ packet: ObservedPacket) -> Bool {
        totals.count(packet)
        var finished = false
        if packet.op == VsockOp.request.rawValue || packet.op == VsockOp.response.rawValue {
            // A REQUEST opens a connection: on ends already seen (a port bound again), a new one
            // whose fwd_cnt counts from 0 again, and whose first exchange follows no answer. The
            // exchange still open ends here, before the handshake, as at the end of observation.
            if packet.op == VsockOp.request.rawValue { finished = reopen() }
            inFlight.handshakeSeen()
        }
        if packet.isData {
            switch packet.direction {
            case .fromParent:
                inFlight.parentSent(bytes: packet.length)
                if phase == .response {
                    completed = building
                    finished = true
                }
                if phase != .request { startRequest(at: packet.timestampNanos) }
                phase = .request
                building.requestEndNanos = packet.timestampNanos
                building.requestBytes += UInt64(packet.length)
                building.requestDataPackets += 1
            case .toParent:
                let depth = packet.forwardCount.map { inFlight.peerRead(forwardCount: $0) } ?? 1
                switch phase {
                case .request:
                    phase = .response
                    building.responseStartNanos = packet.timestampNanos
                    building.inFlight = depth
                case .response:
                    building.inFlight = max(building.inFlight, depth)
                case .idle:
                    totals.unansweredTurnBytes += UInt64(packet.length)
                }
                if phase == .response {
                    building.responseEndNanos = packet.timestampNanos
                    building.responseBytes += UInt64(packet.length)
                    building.responseDataPackets += 1
                    lastResponseEndNanos = packet.timestampNanos
                }
            }
        } else if packet.direction == .toParent, let forwardCount = packet.forwardCount {
            inFlight.peerRead(forwardCount: forwardCount)
        }
        countControl(packet)
        return finished
    }

    /// Starts over for a new connection on the same ends: the open exchange is completed (true,
    /// then in ``completed``) or counted as unanswered, as ``finish()`` does.
    private mutating func reopen() -> Bool {
        let open = phase
        if let last = finish() { completed = last }
        lastResponseEndNanos = nil
        inFlight = InFlightEstimator()
        return open == .response
    }

    /// The exchange still open when observation stops, if its answer had begun.
    public mutating func finish() -> Exchange? {
        defer { phase = .idle }
        if phase == .request { totals.unansweredRequests += 1 }
        return phase == .response ? building : nil
    }

    private mutating func startRequest(at nanos: UInt64) {
        building = Exchange.empty
        building.requestStartNanos = nanos
        building.requestEndNanos = nanos
        building.responseStartNanos = nanos
        building.responseEndNanos = nanos
        building.thinkNanos = lastResponseEndNanos.map { nanos >= $0 ? nanos - $0 : 0 }
    }

    /// Every packet from a request's first packet to the next request belongs to its exchange.
    private mutating func countControl(_ packet: ObservedPacket) {
        guard phase != .idle else { return }
        switch packet.direction {
        case .fromParent: building.packetsFromParent += 1
        case .toParent: building.packetsToParent += 1
        }
        if packet.op == VsockOp.creditUpdate.rawValue { building.creditUpdates += 1 }
        if packet.op == VsockOp.creditRequest.rawValue { building.creditRequests += 1 }
    }
}

/// Every packet of a connection by direction and op, and its span in time.
public struct ConnectionTotals: Sendable, Equatable {
    /// Packets and payload bytes by op, from the parent and to it (index: the op, 0 for an
    /// op outside 1...7).
    public var fromParent: [OpCount] { (0..<8).map { counts[$0] } }
    public var toParent: [OpCount] { (8..<16).map { counts[$0] } }
    public var firstNanos: UInt64?
    public var lastNanos: UInt64?
    /// Data the peer sent before the parent's first request (a greeting, or a connection whose
    /// start was not observed).
    public var unansweredTurnBytes: UInt64 = 0
    /// A request turn with no answer when observation stopped.
    public var unansweredRequests = 0
    /// From the parent by op (0-7), then to it (8-15): inline, so that counting a packet
    /// allocates nothing and checks no buffer's uniqueness.
    private var counts = InlineArray<16, OpCount>(repeating: OpCount())

    public struct OpCount: Sendable, Equatable {
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0

        static func + (a: Self, b: Self) -> Self { OpCount(packets: a.packets + b.packets, bytes: a.bytes + b.bytes) }
    }

    public init() {}

    mutating func count(_ packet: ObservedPacket) {
        let op = packet.op < 8 ? Int(packet.op) : 0
        let index = packet.direction == .fromParent ? op : 8 + op
        counts[index].packets += 1
        counts[index].bytes += UInt64(packet.length)
        // The earliest and the latest: an event later than the builder's horizon is taken out
        // of order, and a span that went backwards once trapped (UInt64 underflow).
        let nanos = packet.timestampNanos
        if let first = firstNanos, let last = lastNanos {
            if nanos > last { lastNanos = nanos } else if nanos < first { firstNanos = nanos }
        } else {
            firstNanos = nanos
            lastNanos = nanos
        }
    }

    /// RW payload bytes each way: the application's bytes.
    public var payloadFromParent: UInt64 { counts[Int(VsockOp.rw.rawValue)].bytes }
    public var payloadToParent: UInt64 { counts[8 + Int(VsockOp.rw.rawValue)].bytes }
    public var packetsFromParent: UInt64 { (0..<8).reduce(0) { $0 + counts[$1].packets } }
    public var packetsToParent: UInt64 { (8..<16).reduce(0) { $0 + counts[$1].packets } }

    /// Packets of `op`, both ways.
    public func packets(_ op: VsockOp) -> UInt64 {
        counts[Int(op.rawValue)].packets + counts[8 + Int(op.rawValue)].packets
    }

    mutating func add(_ other: ConnectionTotals) {
        for index in 0..<16 { counts[index] = counts[index] + other.counts[index] }
        firstNanos = [firstNanos, other.firstNanos].compactMap { $0 }.min()
        lastNanos = [lastNanos, other.lastNanos].compactMap { $0 }.max()
        unansweredTurnBytes += other.unansweredTurnBytes
        unansweredRequests += other.unansweredRequests
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.fromParent == b.fromParent && a.toParent == b.toParent && a.firstNanos == b.firstNanos
            && a.lastNanos == b.lastNanos && a.unansweredTurnBytes == b.unansweredTurnBytes
            && a.unansweredRequests == b.unansweredRequests
    }
}
