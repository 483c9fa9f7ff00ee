@testable import VsockObserve

/// Builds the packets of a connection as the parent would see them, in time order.
struct PacketScript {
    static let connection = VsockConnection(parentCID: 3, parentPort: 49152, peerCID: 16, peerPort: 5005)
    var now: UInt64 = 1_000_000_000
    var packets: [ObservedPacket] = []
    /// RW bytes the peer has read (its fwd_cnt) and has been sent.
    var peerRead: UInt32 = 0
    var sentToPeer: UInt32 = 0
    var parentRead: UInt32 = 0

    mutating func wait(_ nanos: UInt64) { now += nanos }

    mutating func handshake() {
        packets.append(ObservedPacket(timestampNanos: now, direction: .fromParent, connection: Self.connection, op: 1, length: 0))
        now += 1000
        packets.append(ObservedPacket(
            timestampNanos: now, direction: .toParent, connection: Self.connection, op: 2, length: 0, bufferAllocation: 262_144,
            forwardCount: peerRead))
        now += 1000
    }

    /// The parent sends `bytes` in `pieces` data packets, `gap` apart.
    mutating func parentSends(_ bytes: UInt32, pieces: Int = 1, gap: UInt64 = 1000) {
        let each = bytes / UInt32(pieces)
        for index in 0..<pieces {
            let size = index == pieces - 1 ? bytes - each * UInt32(pieces - 1) : each
            packets.append(ObservedPacket(timestampNanos: now, direction: .fromParent, connection: Self.connection, op: 5, length: size))
            sentToPeer &+= size
            if index < pieces - 1 { now += gap }
        }
    }

    /// The peer reads what it was sent (its next packets announce it) and says so with a credit update.
    mutating func peerReadsAll(creditUpdate: Bool = true) {
        peerRead = sentToPeer
        if creditUpdate {
            now += 500
            packets.append(ObservedPacket(
                timestampNanos: now, direction: .toParent, connection: Self.connection, op: 6, length: 0,
                bufferAllocation: 262_144, forwardCount: peerRead))
        }
    }

    /// The peer reads `bytes` more of what it was sent.
    mutating func peerReads(_ bytes: UInt32) { peerRead &+= bytes }

    /// The peer answers `bytes` in one data packet.
    mutating func peerSends(_ bytes: UInt32, pieces: Int = 1, gap: UInt64 = 1000) {
        let each = bytes / UInt32(pieces)
        for index in 0..<pieces {
            let size = index == pieces - 1 ? bytes - each * UInt32(pieces - 1) : each
            packets.append(ObservedPacket(
                timestampNanos: now, direction: .toParent, connection: Self.connection, op: 5, length: size,
                bufferAllocation: 262_144, forwardCount: peerRead))
            if index < pieces - 1 { now += gap }
        }
    }

    /// The parent reads the answer and its kernel sends a credit update.
    mutating func parentCreditUpdate() {
        now += 300
        packets.append(ObservedPacket(timestampNanos: now, direction: .fromParent, connection: Self.connection, op: 6, length: 0))
    }

    /// A stop-and-wait exchange: request, the peer's work, the answer, the parent's work.
    mutating func exchange(request: UInt32, response: UInt32, work: UInt64, think: UInt64, requestPieces: Int = 1) {
        parentSends(request, pieces: requestPieces)
        peerReadsAll()
        let requestEnd = packets.last { $0.direction == .fromParent && $0.op == 5 }?.timestampNanos ?? now
        now = requestEnd + work
        peerSends(response)
        parentCreditUpdate()
        now = (packets.last { $0.direction == .toParent && $0.op == 5 }?.timestampNanos ?? now) + think
    }

    func run() -> (exchanges: [Exchange], tracker: ConnectionTracker) {
        var tracker = ConnectionTracker(connection: Self.connection)
        var exchanges: [Exchange] = []
        for packet in packets {
            if let done = tracker.add(packet) { exchanges.append(done) }
        }
        if let last = tracker.finish() { exchanges.append(last) }
        return (exchanges, tracker)
    }
}
