import CVsockProbe

/// One event of the observe ring buffer (`struct vsb_event`): a vsock packet to or from the
/// watched port, or a write-family system call of a followed process.
public struct TapEvent: Sendable, Equatable {
    public enum Kind: UInt32, Sendable {
        /// Built to be sent (`vsock/virtio_transport_alloc_pkt`): from this machine.
        case sent = 1
        /// Received (`vsock/virtio_transport_recv_pkt`): to this machine.
        case received = 2
        /// A followed process entered write, writev, sendto, sendmsg, sendmmsg or pwrite*.
        case write = 3
    }

    /// CLOCK_MONOTONIC nanoseconds (`bpf_ktime_get_ns`).
    public var timestampNanos: UInt64
    public var kind: Kind
    public var sourceCID: UInt32
    public var sourcePort: UInt32
    public var destinationCID: UInt32
    public var destinationPort: UInt32
    /// Packets: the payload bytes the header announces. Writes: the bytes asked to be sent.
    public var length: UInt32
    /// The socket type of a packet (1 stream, 2 seqpacket).
    public var type: UInt16
    /// The packet's op (see ``VsockOp``); 0 for writes.
    public var op: UInt16
    public var flags: UInt32
    /// The sender's buffer size and bytes consumed, as a received packet announces them; 0 for
    /// sent packets (their tracepoint does not carry them).
    public var bufferAllocation: UInt32
    public var forwardCount: UInt32
    /// Writes: the process. Packets: 0 (it would be whoever ran, often a kworker: not read).
    public var tgid: UInt32
    /// Writes: the x86_64 (or arm64) system call number.
    public var syscallNumber: UInt32
    /// Writes: the descriptor written to.
    public var descriptor: Int32

    public init(
        timestampNanos: UInt64, kind: Kind, sourceCID: UInt32 = 0, sourcePort: UInt32 = 0, destinationCID: UInt32 = 0,
        destinationPort: UInt32 = 0, length: UInt32 = 0, type: UInt16 = 1, op: UInt16 = 0, flags: UInt32 = 0,
        bufferAllocation: UInt32 = 0, forwardCount: UInt32 = 0, tgid: UInt32 = 0, syscallNumber: UInt32 = 0,
        descriptor: Int32 = -1
    ) {
        self.timestampNanos = timestampNanos
        self.kind = kind
        self.sourceCID = sourceCID
        self.sourcePort = sourcePort
        self.destinationCID = destinationCID
        self.destinationPort = destinationPort
        self.length = length
        self.type = type
        self.op = op
        self.flags = flags
        self.bufferAllocation = bufferAllocation
        self.forwardCount = forwardCount
        self.tgid = tgid
        self.syscallNumber = syscallNumber
        self.descriptor = descriptor
    }

    /// The event as the ring buffer holds it; nil for an unknown kind.
    init?(_ raw: vsb_event) {
        guard let kind = Kind(rawValue: raw.kind) else { return nil }
        self.init(
            timestampNanos: raw.timestamp_ns, kind: kind, sourceCID: raw.src_cid, sourcePort: raw.src_port,
            destinationCID: raw.dst_cid, destinationPort: raw.dst_port, length: raw.len, type: raw.type, op: raw.op,
            flags: raw.flags, bufferAllocation: raw.buf_alloc, forwardCount: raw.fwd_cnt, tgid: raw.tgid,
            syscallNumber: raw.syscall_nr, descriptor: raw.fd)
    }

    /// The system call's name for a write event (`write`, `writev`...).
    public var syscallName: String { Self.syscallName(syscallNumber) }

    /// The name of system call `number` as a write event carries it.
    public static func syscallName(_ number: UInt32) -> String { SyscallNames.name(ofX86_64: Int(number)) }
}
