/// How many requests were in flight when the peer answered, from the credit fields of the
/// packets it sent: every packet carries `fwd_cnt`, the bytes its application had read from
/// this connection so far. Whatever the parent had sent beyond that was not yet read when the
/// answer went out: those requests were sent before the answer, so they overlapped.
///
/// Requests are counted as the parent's data packets (one per write below 64 KiB): the depth is
/// exact when each request is one write, an upper bound when a request takes several writes to
/// a pipelined peer. A stop-and-wait peer has read everything before it answers: depth 1.
struct InFlightEstimator: Sendable {
    /// RW payload bytes the parent has sent on the connection.
    private(set) var sentBytes: UInt64 = 0
    /// `sentBytes` at the end of each parent data packet the peer may not have read yet.
    private var packetEnds: [UInt64] = []
    private var firstUnread = 0
    /// Whether the connection's handshake was seen: then `fwd_cnt` counts from our first byte.
    private var countsFromStart = false
    /// Where `fwd_cnt` starts when the handshake was not seen: the least (sent - fwd_cnt) so far.
    private var offset: Int64?

    /// Packets kept at most (a one-way stream to a peer that never answers must not grow this).
    static let limit = 65_536

    mutating func handshakeSeen() {
        if sentBytes == 0 { countsFromStart = true }
    }

    mutating func parentSent(bytes: UInt32) {
        sentBytes &+= UInt64(bytes)
        packetEnds.append(sentBytes)
        if packetEnds.count - firstUnread > Self.limit { firstUnread += 1 }
        compact()
    }

    /// The peer says it has read `forwardCount` bytes (mod 2^32): forget what it has read, and
    /// return the depth: the parent packets it had not read yet, plus the one it answers.
    @discardableResult
    mutating func peerRead(forwardCount: UInt32) -> Int {
        let difference = Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: sentBytes) &- forwardCount))
        let unread: Int64
        if countsFromStart {
            unread = max(0, difference)
        } else {
            let least = min(offset ?? difference, difference)
            offset = least
            unread = difference - least
        }
        let readUpTo = sentBytes &- UInt64(max(0, unread))
        while firstUnread < packetEnds.count && packetEnds[firstUnread] <= readUpTo { firstUnread += 1 }
        compact()
        return 1 + (packetEnds.count - firstUnread)
    }

    private mutating func compact() {
        if firstUnread > 4096 && firstUnread * 2 > packetEnds.count {
            packetEnds.removeFirst(firstUnread)
            firstUnread = 0
        }
    }
}
