#if canImport(Glibc)
import Glibc
#endif
import CShims
import SystemPackage

/// Per-socket options a case or a flag may set. `nil` leaves the kernel default alone.
public struct SocketOptions: Sendable, Equatable, Codable {
    /// SO_SNDBUF in bytes (the kernel doubles what it is given; reports show what it kept).
    public var sendBuffer: Int?
    /// SO_RCVBUF in bytes.
    public var receiveBuffer: Int?
    /// SO_VM_SOCKETS_BUFFER_SIZE (vsock only): the receive buffer the peer's credit is based on.
    public var vsockBufferSize: UInt64?
    /// SO_VM_SOCKETS_BUFFER_MIN_SIZE (vsock only).
    public var vsockBufferMin: UInt64?
    /// SO_VM_SOCKETS_BUFFER_MAX_SIZE (vsock only).
    public var vsockBufferMax: UInt64?
    /// TCP_NODELAY (tcp only). nil: the tool's default, which is on.
    public var noDelay: Bool?

    public init(sendBuffer: Int? = nil, receiveBuffer: Int? = nil, vsockBufferSize: UInt64? = nil,
                vsockBufferMin: UInt64? = nil, vsockBufferMax: UInt64? = nil, noDelay: Bool? = nil) {
        self.sendBuffer = sendBuffer
        self.receiveBuffer = receiveBuffer
        self.vsockBufferSize = vsockBufferSize
        self.vsockBufferMin = vsockBufferMin
        self.vsockBufferMax = vsockBufferMax
        self.noDelay = noDelay
    }

    enum CodingKeys: String, CodingKey {
        case sendBuffer = "sndbuf", receiveBuffer = "rcvbuf", vsockBufferSize = "vsock_buffer_size"
        case vsockBufferMin = "vsock_buffer_min", vsockBufferMax = "vsock_buffer_max", noDelay = "nodelay"
    }

    /// Applies the options that fit the socket's family; options for other families are ignored
    /// (a tcp case may run against a vsock target and the reverse).
    package func apply(to descriptor: FileDescriptor, family: Int32) throws(TransportError) {
        func set<T>(_ level: Int32, _ name: Int32, _ value: T, _ label: String) throws(TransportError) {
            do { try Posix.setOption(descriptor, level: level, name: name, value: value, label: label) }
            catch { throw TransportError.optionFailed(label, error) }
        }
        if let sendBuffer { try set(SOL_SOCKET, SO_SNDBUF, Int32(clamping: sendBuffer), "SO_SNDBUF=\(sendBuffer)") }
        if let receiveBuffer { try set(SOL_SOCKET, SO_RCVBUF, Int32(clamping: receiveBuffer), "SO_RCVBUF=\(receiveBuffer)") }
        if family == cshims_af_vsock() {
            let level = cshims_af_vsock()
            // The kernel clamps SIZE into [MIN, MAX]: widen the bounds first.
            if let vsockBufferMax { try set(level, cshims_so_vm_sockets_buffer_max_size(), vsockBufferMax, "SO_VM_SOCKETS_BUFFER_MAX_SIZE=\(vsockBufferMax)") }
            if let vsockBufferMin { try set(level, cshims_so_vm_sockets_buffer_min_size(), vsockBufferMin, "SO_VM_SOCKETS_BUFFER_MIN_SIZE=\(vsockBufferMin)") }
            if let size = vsockBufferSize {
                if vsockBufferMin == nil, size < 128 * 1024 {
                    try set(level, cshims_so_vm_sockets_buffer_min_size(), size, "SO_VM_SOCKETS_BUFFER_MIN_SIZE=\(size)")
                }
                if vsockBufferMax == nil, size > 256 * 1024 {
                    try set(level, cshims_so_vm_sockets_buffer_max_size(), size, "SO_VM_SOCKETS_BUFFER_MAX_SIZE=\(size)")
                }
                try set(level, cshims_so_vm_sockets_buffer_size(), size, "SO_VM_SOCKETS_BUFFER_SIZE=\(size)")
            }
        }
        if family == AF_INET || family == AF_INET6 {
            try set(Int32(IPPROTO_TCP), TCP_NODELAY, Int32((noDelay ?? true) ? 1 : 0), "TCP_NODELAY")
        }
    }
}

/// What the kernel actually applied, read back after setting (the kernel doubles and clamps).
public struct EffectiveSocketOptions: Sendable, Equatable, Codable {
    public var sndbuf: Int?
    public var rcvbuf: Int?
    public var vsockBufferSize: UInt64?
    public var nodelay: Bool?

    enum CodingKeys: String, CodingKey {
        case sndbuf, rcvbuf, vsockBufferSize = "vsock_buffer_size", nodelay
    }

    /// Every key, null where the socket's family has no such option (nodelay off TCP,
    /// vsock_buffer_size off vsock): results and the target's ack keep one shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sndbuf, forKey: .sndbuf)
        try c.encode(rcvbuf, forKey: .rcvbuf)
        try c.encode(vsockBufferSize, forKey: .vsockBufferSize)
        try c.encode(nodelay, forKey: .nodelay)
    }

    public init(sndbuf: Int? = nil, rcvbuf: Int? = nil, vsockBufferSize: UInt64? = nil, nodelay: Bool? = nil) {
        self.sndbuf = sndbuf
        self.rcvbuf = rcvbuf
        self.vsockBufferSize = vsockBufferSize
        self.nodelay = nodelay
    }

    static func read(from descriptor: FileDescriptor, family: Int32) -> EffectiveSocketOptions {
        var result = EffectiveSocketOptions()
        result.sndbuf = (try? Posix.getOption(descriptor, level: SOL_SOCKET, name: SO_SNDBUF, initial: Int32(0), label: "SO_SNDBUF")).map(Int.init)
        result.rcvbuf = (try? Posix.getOption(descriptor, level: SOL_SOCKET, name: SO_RCVBUF, initial: Int32(0), label: "SO_RCVBUF")).map(Int.init)
        if family == cshims_af_vsock() {
            result.vsockBufferSize = try? Posix.getOption(descriptor, level: cshims_af_vsock(), name: cshims_so_vm_sockets_buffer_size(), initial: UInt64(0), label: "SO_VM_SOCKETS_BUFFER_SIZE")
        }
        if family == AF_INET || family == AF_INET6 {
            result.nodelay = (try? Posix.getOption(descriptor, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, initial: Int32(0), label: "TCP_NODELAY")).map { $0 != 0 }
        }
        return result
    }
}
