import VsockBenchSupport
import VsockTransport

/// The buffer sizes a socket starts with: vsock's own (read back from a fresh AF_VSOCK socket)
/// and the net.core and net.ipv4 sysctls that bound the unix and tcp runs they are compared to.
/// Read from /proc/sys directly: a busybox initramfs has no sysctl binary.
public struct SocketBufferFacts: Sendable, Equatable, Encodable {
    /// The kernel's vsock default (VSOCK_DEFAULT_BUFFER_SIZE), what a peer's credit starts from.
    public static let vsockDefaultBufferSize: UInt64 = 256 * 1024

    /// net.core.* in bytes, by sysctl name.
    public static let coreNames = ["rmem_default", "wmem_default", "rmem_max", "wmem_max"]

    public var vsockBufferSize: UInt64?
    public var vsockBufferMinSize: UInt64?
    public var vsockBufferMaxSize: UInt64?
    public var core: [String: Int]
    /// net.ipv4.tcp_rmem and tcp_wmem: min, default, max.
    public var tcpRmem: [Int]?
    public var tcpWmem: [Int]?

    public static func gather(_ environment: DoctorEnvironment, vsock: VsockSupport) -> SocketBufferFacts {
        func numbers(_ name: String) -> [Int]? {
            let values = environment.readTrimmed(environment.proc("sys/\(name)"))?
                .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            return values?.isEmpty == false ? values : nil
        }
        var core: [String: Int] = [:]
        for name in coreNames { core[name] = numbers("net/core/\(name)")?.first }
        return SocketBufferFacts(
            vsockBufferSize: vsock.bufferSize, vsockBufferMinSize: vsock.bufferMinSize,
            vsockBufferMaxSize: vsock.bufferMaxSize, core: core, tcpRmem: numbers("net/ipv4/tcp_rmem"),
            tcpWmem: numbers("net/ipv4/tcp_wmem"))
    }

    var checks: [DoctorCheck] {
        [vsockCheck, coreCheck, tcpCheck]
    }

    private var vsockCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "vsock_buffer", group: .socketBuffers, title: "vsock buffer")
        guard let size = vsockBufferSize else {
            return check(
                .warn, "cannot read SO_VM_SOCKETS_BUFFER_SIZE from a fresh AF_VSOCK socket; the kernel default is \(Self.size(Self.vsockDefaultBufferSize))",
                advice: "needs AF_VSOCK (see the vsock lines); scenarios can still set vsock_buffer_size")
        }
        var detail = "\(Self.size(size))"
        if let low = vsockBufferMinSize, let high = vsockBufferMaxSize {
            detail += " (min \(Self.size(low)), max \(Self.size(high)))"
        }
        detail += " on a fresh socket: a peer's starting credit"
        guard size == Self.vsockDefaultBufferSize else {
            return check(
                .warn, detail + " (the kernel default is 256KiB)",
                advice: "this kernel starts vsock sockets at a size other than 256KiB: say so next to its figures")
        }
        return check(.ok, detail)
    }

    private var coreCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "net_core_buffers", group: .socketBuffers, title: "net.core")
        let found = Self.coreNames.compactMap { name in core[name].map { "\(name) \(Self.size(UInt64($0)))" } }
        guard found.count == Self.coreNames.count else {
            return check(
                .warn, "cannot read all of /proc/sys/net/core/{\(Self.coreNames.joined(separator: ","))}" + (found.isEmpty ? "" : "; read: " + found.joined(separator: ", ")),
                advice: "mount procfs (mount -t proc proc /proc); the unix and tcp comparisons depend on these")
        }
        return check(.ok, found.joined(separator: ", "))
    }

    private var tcpCheck: DoctorCheck {
        let check = DoctorCheck.Template(id: "tcp_buffers", group: .socketBuffers, title: "net.ipv4.tcp")
        guard let tcpRmem, let tcpWmem else {
            return check(
                .warn, "cannot read /proc/sys/net/ipv4/tcp_rmem and tcp_wmem",
                advice: "mount procfs; only the tcp:// comparison depends on these")
        }
        func triple(_ values: [Int]) -> String { values.map { Self.size(UInt64(max(0, $0))) }.joined(separator: " ") }
        return check(
            .ok, "tcp_rmem \(triple(tcpRmem)), tcp_wmem \(triple(tcpWmem)) (min default max)")
    }

    private static func size(_ bytes: UInt64) -> String { Quantities.formatSize(Int(clamping: bytes)) }

    enum CodingKeys: String, CodingKey {
        case vsockBufferSize = "vsock_buffer_size", vsockBufferMinSize = "vsock_buffer_min_size"
        case vsockBufferMaxSize = "vsock_buffer_max_size", vsockDefault = "vsock_default_buffer_size"
        case rmemDefault = "rmem_default", wmemDefault = "wmem_default", rmemMax = "rmem_max", wmemMax = "wmem_max"
        case tcpRmem = "tcp_rmem", tcpWmem = "tcp_wmem"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vsockBufferSize, forKey: .vsockBufferSize)
        try container.encode(vsockBufferMinSize, forKey: .vsockBufferMinSize)
        try container.encode(vsockBufferMaxSize, forKey: .vsockBufferMaxSize)
        try container.encode(Self.vsockDefaultBufferSize, forKey: .vsockDefault)
        try container.encode(core["rmem_default"], forKey: .rmemDefault)
        try container.encode(core["wmem_default"], forKey: .wmemDefault)
        try container.encode(core["rmem_max"], forKey: .rmemMax)
        try container.encode(core["wmem_max"], forKey: .wmemMax)
        try container.encode(tcpRmem, forKey: .tcpRmem)
        try container.encode(tcpWmem, forKey: .tcpWmem)
    }
}
