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
    private var building: Exchange?
    private var lastResponseEndNanos: UInt64?
    private var inFlight = InFlightEstimator()

    public init(connection: VsockConnection) {
        self.connection = connection
    }

    /// Takes the next packet (timestamps must not go backwards); returns the exchange it
    /// completes, if any: the previous one ends when the parent starts a new request.
    public mutating func add(_ packet: ObservedPacket) -> Exchange? {
        totals.count(packet)
        if packet.op == VsockOp.request.rawValue || packet.op == VsockOp.response.rawValue {
            inFlight.handshakeSeen()
        }
        var completed: Exchange?
        if packet.isData {
            switch packet.direction {
            case .fromParent:
                inFlight.parentSent(bytes: packet.length)
                if phase == .response { completed = building }
                if phase != .request { startRequest(at: packet.timestampNanos) }
                phase = .request
                building?.requestEndNanos = packet.timestampNanos
                building?.requestBytes += UInt64(packet.length)
                building?.requestDataPackets += 1
            case .toParent:
                let depth = packet.forwardCount.map { inFlight.peerRead(forwardCount: $0) } ?? 1
                switch phase {
                case .request:
                    phase = .response
                    building?.responseStartNanos = packet.timestampNanos
                    building?.inFlight = depth
                case .response:
                    let deepest = max(building?.inFlight ?? 1, depth)
                    building?.inFlight = deepest
                case .idle:
                    totals.unansweredTurnBytes += UInt64(packet.length)
                }
                if phase == .response {
                    building?.responseEndNanos = packet.timestampNanos
                    building?.responseBytes += UInt64(packet.length)
                    building?.responseDataPackets += 1
                    lastResponseEndNanos = packet.timestampNanos
                }
            }
        } else if packet.direction == .toParent, let forwardCount = packet.forwardCount {
            inFlight.peerRead(forwardCount: forwardCount)
        }
        countControl(packet)
        return completed
    }

    /// The exchange still open when observation stops, if its answer had begun.
    public mutating func finish() -> Exchange? {
        defer {
            building = nil
            phase = .idle
        }
        if phase == .request { totals.unansweredRequests += 1 }
        return phase == .response ? building : nil
    }

    private mutating func startRequest(at nanos: UInt64) {
        building = Exchange(
            requestStartNanos: nanos, requestEndNanos: nanos, responseStartNanos: nanos, responseEndNanos: nanos,
            requestBytes: 0, responseBytes: 0, requestDataPackets: 0, responseDataPackets: 0, packetsFromParent: 0,
            packetsToParent: 0, creditUpdates: 0, creditRequests: 0,
            thinkNanos: lastResponseEndNanos.map { nanos >= $0 ? nanos - $0 : 0 }, inFlight: 1)
    }

    /// Every packet from a request's first packet to the next request belongs to its exchange.
    private mutating func countControl(_ packet: ObservedPacket) {
        guard building != nil else { return }
        switch packet.direction {
        case .fromParent: building?.packetsFromParent += 1
        case .toParent: building?.packetsToParent += 1
        }
        if packet.op == VsockOp.creditUpdate.rawValue { building?.creditUpdates += 1 }
        if packet.op == VsockOp.creditRequest.rawValue { building?.creditRequests += 1 }
    }
}

/// Every packet of a connection by direction and op, and its span in time.
public struct ConnectionTotals: Sendable, Equatable {
    /// Packets and payload bytes by op, from the parent and to it (index: the op, 0 for an
    /// op outside 1...7).
    public var fromParent = [OpCount](repeating: OpCount(), count: 8)
    public var toParent = [OpCount](repeating: OpCount(), count: 8)
    public var firstNanos: UInt64?
    public var lastNanos: UInt64?
    /// Data the peer sent before the parent's first request (a greeting, or a connection whose
    /// start was not observed).
    public var unansweredTurnBytes: UInt64 = 0
    /// A request turn with no answer when observation stopped.
    public var unansweredRequests = 0

    public struct OpCount: Sendable, Equatable {
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0
    }

    mutating func count(_ packet: ObservedPacket) {
        let op = packet.op < 8 ? Int(packet.op) : 0
        switch packet.direction {
        case .fromParent:
            fromParent[op].packets += 1
            fromParent[op].bytes += UInt64(packet.length)
        case .toParent:
            toParent[op].packets += 1
            toParent[op].bytes += UInt64(packet.length)
        }
        if firstNanos == nil { firstNanos = packet.timestampNanos }
        lastNanos = packet.timestampNanos
    }

    /// RW payload bytes each way: the application's bytes.
    public var payloadFromParent: UInt64 { fromParent[Int(VsockOp.rw.rawValue)].bytes }
    public var payloadToParent: UInt64 { toParent[Int(VsockOp.rw.rawValue)].bytes }
    public var packetsFromParent: UInt64 { fromParent.reduce(0) { $0 + $1.packets } }
    public var packetsToParent: UInt64 { toParent.reduce(0) { $0 + $1.packets } }

    /// Packets of `op`, both ways.
    public func packets(_ op: VsockOp) -> UInt64 {
        fromParent[Int(op.rawValue)].packets + toParent[Int(op.rawValue)].packets
    }

    mutating func add(_ other: ConnectionTotals) {
        for op in 0..<8 {
            fromParent[op].packets += other.fromParent[op].packets
            fromParent[op].bytes += other.fromParent[op].bytes
            toParent[op].packets += other.toParent[op].packets
            toParent[op].bytes += other.toParent[op].bytes
        }
        firstNanos = [firstNanos, other.firstNanos].compactMap { $0 }.min()
        lastNanos = [lastNanos, other.lastNanos].compactMap { $0 }.max()
        unansweredTurnBytes += other.unansweredTurnBytes
        unansweredRequests += other.unansweredRequests
    }
}
