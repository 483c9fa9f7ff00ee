#if canImport(Glibc)
import Glibc
#endif
import VsockProbe

/// Writes observed packets as a pcap file of link type LINKTYPE_VSOCK (271), as a vsockmon
/// capture would: per packet the vsockmon header (`struct af_vsockmon_hdr`), then the virtio
/// header (`struct virtio_vsock_hdr`), both little-endian. The payload is left out: the
/// user's data never leaves the kernel. Each record says so the standard way, with a captured
/// length shorter than the original length (header plus payload), so tcpdump and Wireshark
/// show the packets as truncated by the snapshot length.
///
/// Sent packets carry `buf_alloc` and `fwd_cnt` 0: their tracepoint does not record them.
public final class PcapWriter {
    /// LINKTYPE_VSOCK in the pcap link-type registry.
    public static let linkType: UInt32 = 271
    /// `struct af_vsockmon_hdr`: 2 CIDs (8 bytes each), 2 ports, op, transport, len, reserved.
    static let monitorHeaderBytes = 32
    /// `struct virtio_vsock_hdr` (packed).
    static let virtioHeaderBytes = 44
    /// What each record holds, and so the file's snapshot length: the two headers.
    static let capturedBytes = monitorHeaderBytes + virtioHeaderBytes

    /// -1 once closed, so the deinit never closes the number again (another file's by then).
    private(set) var fd: Int32
    private let path: String
    /// CLOCK_REALTIME minus CLOCK_MONOTONIC, to date packets stamped by bpf_ktime_get_ns.
    private let realtimeOffsetNanos: Int64
    private var buffer: [UInt8] = []
    public private(set) var packets = 0

    /// Creates (or truncates) `path` and writes the file header. Nanosecond timestamps.
    public init(path: String, realtimeOffsetNanos: Int64) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ObserveError(operation: "creating \(path)", errno: errno) }
        self.fd = fd
        self.path = path
        self.realtimeOffsetNanos = realtimeOffsetNanos
        buffer.reserveCapacity(1 << 16)
        Self.put32(&buffer, 0xa1b2_3c4d)  // nanosecond-resolution pcap
        Self.put16(&buffer, 2)
        Self.put16(&buffer, 4)
        Self.put32(&buffer, 0)  // thiszone
        Self.put32(&buffer, 0)  // sigfigs
        // snaplen: every record is cut to the two headers (its len stays the packet's own).
        Self.put32(&buffer, UInt32(Self.capturedBytes))
        Self.put32(&buffer, Self.linkType)
    }

    deinit {
        if fd >= 0 { _ = try? close() }
    }

    /// Appends one packet.
    public func write(_ packet: ObservedPacket) throws {
        let source = packet.direction == .fromParent
            ? (packet.connection.parentCID, packet.connection.parentPort) : (packet.connection.peerCID, packet.connection.peerPort)
        let destination = packet.direction == .fromParent
            ? (packet.connection.peerCID, packet.connection.peerPort) : (packet.connection.parentCID, packet.connection.parentPort)
        let nanos = Int64(bitPattern: packet.timestampNanos) &+ realtimeOffsetNanos
        let captured = Self.capturedBytes
        Self.put32(&buffer, UInt32(truncatingIfNeeded: nanos / 1_000_000_000))
        Self.put32(&buffer, UInt32(truncatingIfNeeded: nanos % 1_000_000_000))
        Self.put32(&buffer, UInt32(captured))
        Self.put32(&buffer, UInt32(captured) &+ packet.length)
        // struct af_vsockmon_hdr
        Self.put64(&buffer, UInt64(source.0))
        Self.put64(&buffer, UInt64(destination.0))
        Self.put32(&buffer, source.1)
        Self.put32(&buffer, destination.1)
        Self.put16(&buffer, Self.monitorOp(packet.op))
        Self.put16(&buffer, 2)  // AF_VSOCK_TRANSPORT_VIRTIO
        Self.put16(&buffer, UInt16(Self.virtioHeaderBytes))
        Self.put16(&buffer, 0)
        // struct virtio_vsock_hdr
        Self.put64(&buffer, UInt64(source.0))
        Self.put64(&buffer, UInt64(destination.0))
        Self.put32(&buffer, source.1)
        Self.put32(&buffer, destination.1)
        Self.put32(&buffer, packet.length)
        Self.put16(&buffer, packet.type)
        Self.put16(&buffer, packet.op)
        Self.put32(&buffer, packet.flags)
        Self.put32(&buffer, packet.bufferAllocation ?? 0)
        Self.put32(&buffer, packet.forwardCount ?? 0)
        packets += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Flushes and closes the file; throws when a write or the close failed (a full disk).
    /// The descriptor is closed once, even when the flush failed; later calls do nothing.
    public func close() throws {
        guard fd >= 0 else { return }
        var flushError: (any Error)?
        do { try flush() } catch { flushError = error }
        let closed = Glibc.close(fd)
        let closeErrno = errno
        fd = -1
        if let flushError { throw flushError }
        guard closed == 0 else { throw ObserveError(operation: "closing \(path)", errno: closeErrno) }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ObserveError(operation: "writing \(path)", errno: errno)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// The vsockmon op of a virtio op, as the kernel maps them (virtio_transport_build_skb).
    static func monitorOp(_ op: UInt16) -> UInt16 {
        switch VsockOp(rawValue: op) {
        case .request, .response: 1  // AF_VSOCK_OP_CONNECT
        case .rst, .shutdown: 2  // AF_VSOCK_OP_DISCONNECT
        case .creditUpdate, .creditRequest: 3  // AF_VSOCK_OP_CONTROL
        case .rw: 4  // AF_VSOCK_OP_PAYLOAD
        case nil: 0  // AF_VSOCK_OP_UNKNOWN
        }
    }

    static func put16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value & 0xff))
        bytes.append(UInt8(value >> 8))
    }

    static func put32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }

    static func put64(_ bytes: inout [UInt8], _ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xff)) }
    }
}
