import VsockProbe

/// Which way a packet went, seen from the parent (this machine's side of the connection).
public enum PacketDirection: Sendable, Equatable {
    /// From the parent to the peer (the enclave): requests.
    case fromParent
    /// From the peer to the parent: responses.
    case toParent
}

/// One vsock connection, by its two ends: the parent's and the peer's (the side on `--port`).
public struct VsockConnection: Hashable, Sendable, Comparable {
    public var parentCID: UInt32
    public var parentPort: UInt32
    public var peerCID: UInt32
    public var peerPort: UInt32

    public init(parentCID: UInt32, parentPort: UInt32, peerCID: UInt32, peerPort: UInt32) {
        self.parentCID = parentCID
        self.parentPort = parentPort
        self.peerCID = peerCID
        self.peerPort = peerPort
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.parentCID, a.parentPort, a.peerCID, a.peerPort) < (b.parentCID, b.parentPort, b.peerCID, b.peerPort)
    }

    /// `3:49152 -> 16:5005`.
    public var description: String { "\(parentCID):\(parentPort) -> \(peerCID):\(peerPort)" }
}

/// A vsock packet as the parent saw it: sent when it was built here, received when it arrived.
public struct ObservedPacket: Sendable, Equatable {
    public var timestampNanos: UInt64
    public var direction: PacketDirection
    public var connection: VsockConnection
    /// The header's op (1 REQUEST ... 7 CREDIT_REQUEST).
    public var op: UInt16
    /// Payload bytes the header announces (only RW packets carry any).
    public var length: UInt32
    public var type: UInt16
    public var flags: UInt32
    /// The sender's `buf_alloc` and `fwd_cnt` (received packets only: the sent packets'
    /// tracepoint does not carry them).
    public var bufferAllocation: UInt32?
    public var forwardCount: UInt32?

    public init(
        timestampNanos: UInt64, direction: PacketDirection, connection: VsockConnection, op: UInt16, length: UInt32,
        type: UInt16 = 1, flags: UInt32 = 0, bufferAllocation: UInt32? = nil, forwardCount: UInt32? = nil
    ) {
        self.timestampNanos = timestampNanos
        self.direction = direction
        self.connection = connection
        self.op = op
        self.length = length
        self.type = type
        self.flags = flags
        self.bufferAllocation = bufferAllocation
        self.forwardCount = forwardCount
    }

    /// A data packet: RW with payload. Only these make turns.
    public var isData: Bool { op == VsockOp.rw.rawValue && length > 0 }

    /// The packet of a tap event; nil for a write event. A sent packet went from the parent
    /// (its source is the parent's end), a received one to it (the BPF side already kept one
    /// copy of each loopback packet, see observe.bpf.c).
    public init?(_ event: TapEvent) {
        switch event.kind {
        case .sent:
            self.init(
                timestampNanos: event.timestampNanos, direction: .fromParent,
                connection: VsockConnection(
                    parentCID: event.sourceCID, parentPort: event.sourcePort, peerCID: event.destinationCID,
                    peerPort: event.destinationPort),
                op: event.op, length: event.length, type: event.type, flags: event.flags)
        case .received:
            self.init(
                timestampNanos: event.timestampNanos, direction: .toParent,
                connection: VsockConnection(
                    parentCID: event.destinationCID, parentPort: event.destinationPort, peerCID: event.sourceCID,
                    peerPort: event.sourcePort),
                op: event.op, length: event.length, type: event.type, flags: event.flags,
                bufferAllocation: event.bufferAllocation, forwardCount: event.forwardCount)
        case .write:
            return nil
        }
    }
}
