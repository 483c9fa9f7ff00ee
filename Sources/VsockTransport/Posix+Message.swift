#if canImport(Glibc)
import Glibc
#endif
import CShims
import SystemPackage

/// The syscalls of message-oriented sockets (SOCK_SEQPACKET): the socket itself, one `send`
/// per message, one `recvmsg` per message with truncation reported. Kept apart from the stream
/// wrappers in `Posix.swift`; the same rules hold (EINTR retried in `retryingInterrupts`,
/// errors named by call, nothing allocated on the data path).
extension Posix {
    /// A connection socket for `endpoint`: SOCK_STREAM, or SOCK_SEQPACKET for the `+seqpacket`
    /// schemes. A kernel without AF_VSOCK, or without AF_VSOCK SOCK_SEQPACKET (before 5.14),
    /// is named as such.
    static func connectionSocket(family: Int32, for endpoint: Endpoint, failure: (SystemError) -> TransportError) throws(TransportError) -> FileDescriptor {
        guard endpoint.isMessageOriented else { return try streamSocket(family: family, for: endpoint, failure: failure) }
        _ = sigpipeIgnored
        do {
            return try socket(domain: family, type: Int32(SOCK_SEQPACKET.rawValue))
        } catch {
            if family == cshims_af_vsock() {
                switch error.errno {
                case .addressFamilyNotSupported: throw TransportError.vsockUnsupported(endpoint)
                case .socketTypeNotSupported, .protocolNotSupported, .invalidArgument: throw TransportError.seqpacketUnsupported(endpoint, error)
                default: break
                }
            }
            throw failure(error)
        }
    }

    /// A connected pair of Unix seqpacket sockets.
    static func seqpacketPair() throws(SystemError) -> (FileDescriptor, FileDescriptor) {
        _ = sigpipeIgnored
        var fds: (Int32, Int32) = (-1, -1)
        _ = try withUnsafeMutableBytes(of: &fds) { (raw) throws(SystemError) -> Int32 in
            let pair = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: Int32.self)
            return try retryingInterrupts("socketpair") {
                Glibc.socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, pair)
            }
        }
        return (FileDescriptor(rawValue: fds.0), FileDescriptor(rawValue: fds.1))
    }

    /// One recvmsg syscall into one buffer, with MSG_TRUNC: returns the message's real length
    /// (which may exceed `capacity`) and whether the kernel cut it to fit (msg_flags MSG_TRUNC;
    /// the rest of that message is gone). 0 is the end of the stream: frames are never empty.
    @inline(__always)
    package static func receiveMessage(
        _ descriptor: FileDescriptor, _ buffer: UnsafeMutableRawPointer, _ capacity: Int
    ) throws(SystemError) -> (length: Int, truncated: Bool) {
        var vector = iovec(iov_base: buffer, iov_len: capacity)
        var header = msghdr()
        let length = try withUnsafeMutablePointer(to: &vector) { (vector) throws(SystemError) -> Int in
            header.msg_iov = vector
            header.msg_iovlen = 1
            return try retryingInterrupts("recvmsg") { Glibc.recvmsg(descriptor.rawValue, &header, Int32(MSG_TRUNC)) }
        }
        return (length, header.msg_flags & Int32(MSG_TRUNC) != 0 || length > capacity)
    }
}
