import CVsockProbe

#if canImport(Glibc)
import Glibc
#endif

/// What a process's descriptor is, told from outside it: `/proc/PID/fd/N`, and for a socket
/// its address family (a copy of the descriptor through `pidfd_getfd`, then `getsockname`).
/// observe uses it to keep a followed process's writes to vsock sockets apart from its writes
/// to files, pipes, terminals and other sockets (a parent that logs had its log lines counted
/// as writes per exchange).
public enum DescriptorKind: Sendable, Equatable {
    case socket(family: Int32)
    /// A socket whose family could not be read (no ptrace access, or a kernel before 5.6).
    case socketOfUnknownFamily
    /// A file, pipe, terminal, eventfd...: anything but a socket.
    case notSocket
    /// Closed (or its process gone) before it could be looked at.
    case gone
    /// Not readable here (no ptrace access to the process: observe run with capabilities
    /// rather than as root): it may be anything.
    case unknown

    /// Whether a write to it may be one to a vsock socket: a vsock socket, or a socket whose
    /// family could not be read.
    public var mayBeVsock: Bool {
        switch self {
        case let .socket(family): family == AF_VSOCK
        case .socketOfUnknownFamily, .unknown: true
        case .notSocket, .gone: false
        }
    }

    /// The kind of descriptor `fd` of process `pid` now.
    public static func of(pid: UInt32, fd: Int32) -> DescriptorKind {
        guard fd >= 0 else { return .gone }
        guard let link = FileSystem.linkTarget("/proc/\(pid)/fd/\(fd)", capacity: 64) else {
            return errno == ENOENT || errno == ESRCH ? .gone : .unknown
        }
        guard link.hasPrefix("socket:[") else { return .notSocket }
        let pidfd = cvp_pidfd_open(pid_t(pid))
        guard pidfd >= 0 else { return .socketOfUnknownFamily }
        defer { close(pidfd) }
        let copy = cvp_pidfd_getfd(pidfd, fd)
        guard copy >= 0 else { return .socketOfUnknownFamily }
        defer { close(copy) }
        var address = sockaddr_storage()
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(copy, $0, &size) }
        }
        return named == 0 ? .socket(family: Int32(address.ss_family)) : .socketOfUnknownFamily
    }
}
