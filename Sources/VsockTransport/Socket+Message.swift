#if canImport(Glibc)
import Glibc
#endif
import CShims
import SystemPackage
import VsockBenchSupport

/// What one `receiveMessage` brought.
public enum ReceivedMessage: Sendable, Equatable {
    /// A whole message of `count` bytes, at the start of the buffer.
    case message(count: Int)
    /// A message larger than the buffer: the kernel kept the first `capacity` bytes in the
    /// buffer and dropped the rest; `size` is the message's real length as the kernel
    /// reported it with MSG_TRUNC (nil if it did not). The connection's messages are still
    /// aligned, but this one is lost: callers fail.
    case truncated(size: Int?, capacity: Int)
    /// The peer closed the connection (a zero-length receive: vsockbench's messages are never
    /// empty; an empty packet from a peer that is not vsockbench reads the same, and
    /// `receivedEmptyMessage` tells the two apart).
    case endOfStream
}

/// Messages on a SOCK_SEQPACKET socket (`vsock+seqpacket://`, `unix+seqpacket://`): one send
/// syscall per message, one receive syscall per message, counted like the stream calls (a
/// send is a write, a receive a read, in `counters`). This is the API for any message-framed
/// workload (the frame protocol's packet mode, replay): no length prefix is needed, the kernel
/// keeps the boundaries.
extension Socket {
    /// True for SOCK_SEQPACKET: every send is one message, every receive one whole message.
    public var isMessageOriented: Bool { kind == .seqpacket }

    /// Sends `count` bytes as one message with one send syscall. The kernel takes a seqpacket
    /// message whole or not at all; a partial send (a timeout or signal in the middle of a
    /// large vsock message) cannot be completed by another send (that would be another
    /// message), so it is an error: the connection is unusable after it. A message larger than
    /// the socket can carry in one piece fails with EMSGSIZE, named with its size.
    @inline(__always)
    public func sendMessage(_ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        let start = timesSyscalls ? MonotonicClock.nanos() : 0
        let sent: Int
        do {
            sent = try Posix.send(descriptor, buffer, count)
        } catch {
            // Cut by the read watchdog after a stop: a timeout, as writeAll says it.
            throw readWatch.writesCut.load(ordering: .acquiring) ? readWatch.writeCutError() : Self.sendFailure(error, count: count)
        }
        counters.recordWrite(bytes: sent, nanos: timesSyscalls ? MonotonicClock.nanos() &- start : 0, short: sent < count)
        if sent < count { throw Self.partialSend(sent: sent, count: count) }
    }

    /// Receives one whole message into `buffer` (at most `capacity` bytes) with one recvmsg
    /// syscall; a larger message is reported as `.truncated` with its real size, never handed
    /// out as if it were whole.
    @inline(__always)
    public func receiveMessage(into buffer: UnsafeMutableRawPointer, capacity: Int) throws(SystemError) -> ReceivedMessage {
        if readWatch.hasFired { throw readWatch.timeoutError("recvmsg") }
        let start = timesSyscalls ? MonotonicClock.nanos() : 0
        let entered = readWatch.enter()
        let length: Int, truncated: Bool
        do {
            (length, truncated) = try Posix.receiveMessage(descriptor, buffer, capacity)
        } catch {
            readWatch.leave(entered)
            throw readWatch.hasFired ? readWatch.timeoutError("recvmsg") : error
        }
        readWatch.leave(entered)
        if length == 0, readWatch.hasFired { throw readWatch.timeoutError("recvmsg") }
        counters.recordRead(bytes: min(length, capacity), nanos: timesSyscalls ? MonotonicClock.nanos() &- start : 0)
        if truncated { return .truncated(size: length > capacity ? length : nil, capacity: capacity) }
        return length == 0 ? .endOfStream : .message(count: length)
    }

    /// After `receiveMessage` gave `.endOfStream`: true when that zero-length receive took an
    /// empty message, not the end (recvmsg returns 0 for both; Unix seqpacket delivers empty
    /// messages, vsock never sends one). Told apart while the peer's side is open, or with a
    /// non-empty message still queued (FIONREAD); empty messages followed by nothing but the
    /// close read as the end. A poll and an ioctl, not counted; call it on that path only.
    @inline(never)
    public func receivedEmptyMessage() -> Bool {
        cshims_seqpacket_empty_message(descriptor.rawValue) == 1
    }

    /// A connected pair of Unix seqpacket sockets (tests, and in-process plumbing).
    public static func makeSeqpacketPair() throws(SystemError) -> (Socket, Socket) {
        let (first, second) = try Posix.seqpacketPair()
        return (Socket(descriptor: first, family: AF_UNIX, kind: .seqpacket), Socket(descriptor: second, family: AF_UNIX, kind: .seqpacket))
    }

    @inline(never)
    static func sendFailure(_ error: SystemError, count: Int) -> SystemError {
        guard error.errno == .messageTooLong else { return error }
        return SystemError(
            "send", errno: .messageTooLong,
            context: "(one \(count)-byte message: more than this socket carries in one packet; raise sndbuf on unix, vsock_buffer_size on vsock)")
    }

    @inline(never)
    static func partialSend(sent: Int, count: Int) -> SystemError {
        SystemError("send", errno: .ioError, context: "(only \(sent) of a \(count)-byte message went: a seqpacket message cannot be finished by another send; the connection is unusable)")
    }
}
