/// Why a connection could not be made or used, in words a user can act on.
public enum TransportError: Error, CustomStringConvertible, Sendable {
    /// The kernel has no AF_VSOCK (module not loaded, or not Linux).
    case vsockUnsupported(Endpoint)
    /// AF_VSOCK is there but not with SOCK_SEQPACKET (a kernel before 5.14), or the transport
    /// to that CID does not carry it.
    case seqpacketUnsupported(Endpoint, SystemError)
    case unresolvable(Endpoint, reason: String)
    case connectFailed(Endpoint, SystemError)
    case listenFailed(Endpoint, SystemError)
    /// Listening on a Unix socket path failed because of the path itself (`problem`: what is
    /// wrong with it, e.g. a file there that is not a socket, a missing directory).
    case listenPathUnusable(Endpoint, SystemError, problem: String)
    case optionFailed(String, SystemError)
    case peerRejected(String)
    /// A timeout the kernel cannot take (what was given, and why not).
    case invalidTimeout(String, reason: String)

    public var description: String {
        switch self {
        case let .vsockUnsupported(endpoint):
            return "\(endpoint): this machine has no AF_VSOCK support (socket(AF_VSOCK) failed); load the vsock modules (modprobe vsock, vmw_vsock_virtio_transport or vsock_loopback) or use unix:// or tcp:// instead"
        case let .seqpacketUnsupported(endpoint, error):
            return "\(endpoint): this machine's AF_VSOCK has no SOCK_SEQPACKET (\(error.reason)); it needs Linux 5.14+ and a vsock transport that carries it (virtio: the device's SEQPACKET feature); use vsock:// instead"
        case let .unresolvable(endpoint, reason):
            return "cannot resolve \(endpoint): \(reason)"
        case let .connectFailed(endpoint, error):
            // What is at the path, when that is the reason (as serve says of a path it cannot
            // listen on): connect says ECONNREFUSED for a regular file, ENOENT for a missing
            // directory, and "nothing listens there" would send the user looking for a target.
            if let path = endpoint.unixPath, let problem = Listener.unixConnectProblem(path, error.errno) {
                return "cannot connect to \(endpoint): \(problem) (\(error.reason), errno \(error.errno.rawValue))"
            }
            switch error.errno {
            case .connectionRefused: return "cannot connect to \(endpoint): connection refused (nothing listens there: start `vsockbench serve`, or your own service for a replay or raw case)"
            case .connectionReset: return "cannot connect to \(endpoint): connection reset by the peer (nothing listening on that port, or the peer rejected us)"
            case .noSuchFileOrDirectory: return "cannot connect to \(endpoint): no such socket file (nothing listens there: start `vsockbench serve`, or your own service for a replay or raw case)"
            case .timedOut: return "cannot connect to \(endpoint): timed out"
            case .socketTypeNotSupported where endpoint.isVsock:
                return "cannot connect to \(endpoint): the vsock transport to that CID does not carry SOCK_SEQPACKET (ESOCKTNOSUPPORT: a kernel before 5.14 on either side, or a device without the SEQPACKET feature); use vsock://"
            case .protocolWrongTypeForSocket where endpoint.unixPath != nil:
                return "cannot connect to \(endpoint): the socket there is of another type (a \(endpoint.isMessageOriented ? "stream" : "seqpacket") listener); use \(endpoint.with(kind: endpoint.isMessageOriented ? .stream : .seqpacket)?.description ?? "the other scheme")"
            default: return "cannot connect to \(endpoint): \(error.reason) (errno \(error.errno.rawValue))"
            }
        case let .listenFailed(endpoint, error):
            return "cannot listen on \(endpoint): \(error.reason) (errno \(error.errno.rawValue))"
        case let .listenPathUnusable(endpoint, error, problem):
            return "cannot listen on \(endpoint): \(problem) (\(error.reason), errno \(error.errno.rawValue))"
        case let .optionFailed(option, error):
            return "cannot set \(option): \(error.reason) (errno \(error.errno.rawValue))"
        case let .peerRejected(reason):
            return "the target rejected the connection: \(reason)"
        case let .invalidTimeout(given, reason):
            return "invalid timeout \(given): \(reason)"
        }
    }
}
