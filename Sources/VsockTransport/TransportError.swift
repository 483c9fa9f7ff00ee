/// Why a connection could not be made or used, in words a user can act on.
public enum TransportError: Error, CustomStringConvertible, Sendable {
    /// The kernel has no AF_VSOCK (module not loaded, or not Linux).
    case vsockUnsupported(Endpoint)
    case unresolvable(Endpoint, reason: String)
    case connectFailed(Endpoint, SystemError)
    case listenFailed(Endpoint, SystemError)
    case optionFailed(String, SystemError)
    case peerRejected(String)
    /// A timeout the kernel cannot take (what was given, and why not).
    case invalidTimeout(String, reason: String)

    public var description: String {
        switch self {
        case let .vsockUnsupported(endpoint):
            return "\(endpoint): this machine has no AF_VSOCK support (socket(AF_VSOCK) failed); load the vsock modules (modprobe vsock, vmw_vsock_virtio_transport or vsock_loopback) or use unix:// or tcp:// instead"
        case let .unresolvable(endpoint, reason):
            return "cannot resolve \(endpoint): \(reason)"
        case let .connectFailed(endpoint, error):
            switch error.errno {
            case .connectionRefused: return "cannot connect to \(endpoint): connection refused (is `vsockbench serve` listening there?)"
            case .connectionReset: return "cannot connect to \(endpoint): connection reset by the peer (nothing listening on that port, or the peer rejected us)"
            case .noSuchFileOrDirectory: return "cannot connect to \(endpoint): no such socket file (is `vsockbench serve` running?)"
            case .timedOut: return "cannot connect to \(endpoint): timed out"
            default: return "cannot connect to \(endpoint): \(error.reason) (errno \(error.errno.rawValue))"
            }
        case let .listenFailed(endpoint, error):
            return "cannot listen on \(endpoint): \(error.reason) (errno \(error.errno.rawValue))"
        case let .optionFailed(option, error):
            return "cannot set \(option): \(error.reason) (errno \(error.errno.rawValue))"
        case let .peerRejected(reason):
            return "the target rejected the connection: \(reason)"
        case let .invalidTimeout(given, reason):
            return "invalid timeout \(given): \(reason)"
        }
    }
}
