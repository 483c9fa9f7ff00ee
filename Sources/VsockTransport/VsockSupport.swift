#if canImport(Glibc)
import Glibc
#endif
import CShims

/// What the kernel's AF_VSOCK offers this process, learnt without connecting, binding or
/// listening: whether the socket can be created, the buffer sizes a fresh socket starts with,
/// and the local CID (`IOCTL_VM_SOCKETS_GET_LOCAL_CID` on /dev/vsock, which talks to nobody).
public struct VsockSupport: Sendable, Equatable {
    /// socket(AF_VSOCK, SOCK_STREAM) succeeded.
    public var socketSupported: Bool
    /// Why it failed, e.g. `socket (AF_VSOCK): Address family not supported by protocol (errno 97)`.
    public var socketError: String?
    /// socket(AF_VSOCK, SOCK_SEQPACKET) succeeded (Linux 5.14+); nil when not tried (no AF_VSOCK).
    public var seqpacketSupported: Bool?
    /// Why it failed (a kernel before 5.14: `Socket type not supported`).
    public var seqpacketError: String?
    /// SO_VM_SOCKETS_BUFFER_SIZE, _MIN_SIZE and _MAX_SIZE of a fresh, unconnected socket.
    public var bufferSize: UInt64?
    public var bufferMinSize: UInt64?
    public var bufferMaxSize: UInt64?
    /// The CID the ioctl returned (VMADDR_CID_ANY, 0xFFFFFFFF, when no transport is loaded).
    public var localCID: UInt32?
    /// Why the CID could not be read (no device, permission...).
    public var localCIDError: String?

    public init(
        socketSupported: Bool, socketError: String? = nil, bufferSize: UInt64? = nil, bufferMinSize: UInt64? = nil,
        bufferMaxSize: UInt64? = nil, localCID: UInt32? = nil, localCIDError: String? = nil,
        seqpacketSupported: Bool? = nil, seqpacketError: String? = nil
    ) {
        self.socketSupported = socketSupported
        self.socketError = socketError
        self.seqpacketSupported = seqpacketSupported
        self.seqpacketError = seqpacketError
        self.bufferSize = bufferSize
        self.bufferMinSize = bufferMinSize
        self.bufferMaxSize = bufferMaxSize
        self.localCID = localCID
        self.localCIDError = localCIDError
    }

    /// VMADDR_CID_ANY: what the ioctl gives when no guest-to-host nor host-to-guest transport is loaded.
    public static let noTransportCID = cshims_vmaddr_cid_any()

    /// Asks this kernel; `device` is the vsock character device (normally /dev/vsock).
    public static func inspect(device: String) -> VsockSupport {
        var result = VsockSupport(socketSupported: false)
        do {
            let descriptor = try Posix.socket(domain: cshims_af_vsock(), type: Int32(SOCK_STREAM.rawValue))
            defer { Posix.close(descriptor) }
            result.socketSupported = true
            func option(_ name: Int32, _ label: String) -> UInt64? {
                try? Posix.getOption(descriptor, level: cshims_af_vsock(), name: name, initial: UInt64(0), label: label)
            }
            result.bufferSize = option(cshims_so_vm_sockets_buffer_size(), "SO_VM_SOCKETS_BUFFER_SIZE")
            result.bufferMinSize = option(cshims_so_vm_sockets_buffer_min_size(), "SO_VM_SOCKETS_BUFFER_MIN_SIZE")
            result.bufferMaxSize = option(cshims_so_vm_sockets_buffer_max_size(), "SO_VM_SOCKETS_BUFFER_MAX_SIZE")
        } catch {
            result.socketError = error.description
        }
        if result.socketSupported {
            // Created and closed at once: never connected, bound or listening.
            do {
                Posix.close(try Posix.socket(domain: cshims_af_vsock(), type: Int32(SOCK_SEQPACKET.rawValue)))
                result.seqpacketSupported = true
            } catch {
                result.seqpacketSupported = false
                result.seqpacketError = error.description
            }
        }
        switch localCID(device: device) {
        case let .success(cid): result.localCID = cid
        case let .failure(error): result.localCIDError = error.description
        }
        return result
    }

    /// This machine's CID (IOCTL_VM_SOCKETS_GET_LOCAL_CID on `device`, which talks to
    /// nobody); nil when it cannot be read or no vsock transport is loaded.
    public static func readLocalCID(device: String = "/dev/vsock") -> UInt32? {
        guard case let .success(cid) = localCID(device: device), cid != noTransportCID else { return nil }
        return cid
    }

    /// IOCTL_VM_SOCKETS_GET_LOCAL_CID on the device, opened read-only and closed at once.
    static func localCID(device: String) -> Result<UInt32, SystemError> {
        Result { () throws(SystemError) -> UInt32 in
            try Posix.withOpened(device, O_RDONLY) { (descriptor) throws(SystemError) -> UInt32 in
                var cid: UInt32 = 0
                _ = try Posix.ioctl(descriptor, cshims_ioctl_vm_sockets_get_local_cid(), &cid, label: "ioctl(IOCTL_VM_SOCKETS_GET_LOCAL_CID)", context: device)
                return cid
            }
        }
    }
}

/// What the kernel's AF_UNIX offers beyond streams.
public enum UnixSocketSupport {
    /// Whether this kernel creates AF_UNIX SOCK_SEQPACKET sockets (Linux always has): nil when
    /// it does, else why not. Created and closed at once.
    public static func seqpacketProblem() -> String? {
        do {
            Posix.close(try Posix.socket(domain: AF_UNIX, type: Int32(SOCK_SEQPACKET.rawValue)))
            return nil
        } catch {
            return error.description
        }
    }
}
