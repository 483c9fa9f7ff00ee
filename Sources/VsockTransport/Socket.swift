#if canImport(Glibc)
import Glibc
#endif
import CShims
import Synchronization
import VsockBenchSupport

/// A connected stream socket: owns its descriptor and counts every read and write syscall it
/// makes (calls, bytes, time inside the call).
///
/// One thread reads and at most one other thread writes; the counters for each direction have
/// that single writer. `close()` must be called exactly once (asserted in `deinit`).
public final class Socket: Sendable {
    public let fd: Int32
    /// The address family (AF_UNIX, AF_INET, AF_INET6, AF_VSOCK).
    public let family: Int32
    /// The peer's CID for vsock sockets (from accept or the connected endpoint).
    public let peerCID: UInt32?
    public let counters = IOCounters()
    /// Whether each syscall's duration is measured (two clock reads per call). The target
    /// needs it for its I/O-wait share; the driver, whose latency clock already brackets the
    /// exchange, does not pay for it.
    public let timesSyscalls: Bool
    private let closed = Atomic<Bool>(false)

    init(fd: Int32, family: Int32, peerCID: UInt32? = nil, timesSyscalls: Bool = true) {
        self.fd = fd
        self.family = family
        self.peerCID = peerCID
        self.timesSyscalls = timesSyscalls
    }

    @inline(__always)
    private func now() -> UInt64 { timesSyscalls ? MonotonicClock.nanos() : 0 }

    deinit {
        assert(closed.load(ordering: .relaxed), "Socket \(fd) deallocated without close()")
    }

    /// Opens a connection, applying `options` before connecting (buffer sizes must be set first
    /// to take effect on vsock and tcp windows).
    public static func connect(to endpoint: Endpoint, options: SocketOptions = SocketOptions(), timesSyscalls: Bool = true) throws(TransportError) -> Socket {
        let address = try SocketAddress.resolve(endpoint, passive: false)
        let fd = try Posix.streamSocket(family: address.family, for: endpoint) { .connectFailed(endpoint, $0) }
        do {
            try options.apply(to: fd, family: address.family)
        } catch {
            Posix.close(fd)
            throw error
        }
        while true {
            let r = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if r == 0 { break }
            let code = Glibc.errno
            if code == EINTR { continue }
            Posix.close(fd)
            throw TransportError.connectFailed(endpoint, SystemError("connect", errno: code, context: endpoint.description))
        }
        var peer: UInt32?
        if case let .vsock(cid, _) = endpoint { peer = cid }
        return Socket(fd: fd, family: address.family, peerCID: peer, timesSyscalls: timesSyscalls)
    }

    /// A connected pair of Unix stream sockets (tests, and in-process plumbing).
    public static func makePair() throws(SystemError) -> (Socket, Socket) {
        _ = Posix.sigpipeIgnored
        var fds: [Int32] = [0, 0]
        let r = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
        _ = try Posix.check("socketpair", Int(r))
        return (Socket(fd: fds[0], family: AF_UNIX), Socket(fd: fds[1], family: AF_UNIX))
    }

    /// One read syscall into `buffer`; returns 0 at end of stream.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemError) -> Int {
        let start = now()
        let n = try Posix.read(fd, buffer, count)
        counters.recordRead(bytes: n, nanos: now() &- start)
        return n
    }

    /// Blocks until the peer half-closes (or the connection fails), discarding anything it
    /// sends. Not counted and not timed: it is the stream target's stop signal, not I/O of the
    /// workload. A receive timeout only makes it wait again.
    public func waitForEndOfStream() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while true {
            let n = scratch.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n < 0, Glibc.errno == EINTR || Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK { continue }
            return
        }
    }

    /// Writes every byte, one write syscall at a time (a short write is followed by another).
    @inline(__always)
    public func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        var offset = 0
        while offset < count {
            let start = now()
            let n = try Posix.write(fd, buffer + offset, count - offset)
            counters.recordWrite(bytes: n, nanos: now() &- start, short: n < count - offset)
            offset += n
        }
    }

    /// Writes every byte in pieces of at most `chunk` bytes, each its own write (an application
    /// that writes small pieces: the `write_chunk` knob).
    public func writeAll(_ buffer: UnsafeRawPointer, count: Int, chunk: Int) throws(SystemError) {
        var offset = 0
        while offset < count {
            let piece = min(chunk, count - offset)
            try writeAll(buffer + offset, count: piece)
            offset += piece
        }
    }

    /// Writes every byte of the vectors with writev, continuing after short writes. The array
    /// of `iovec` is modified in place as the kernel consumes bytes.
    public func writevAll(_ vectors: UnsafeMutableBufferPointer<iovec>) throws(SystemError) {
        guard var base = vectors.baseAddress else { return }
        var remaining = vectors.count
        while remaining > 0 {
            let start = now()
            var total = 0
            for i in 0..<min(remaining, 1024) { total += base[i].iov_len }
            var n = try Posix.writev(fd, base, Int32(min(remaining, 1024)))
            counters.recordWrite(bytes: n, nanos: now() &- start, short: n < total)
            while remaining > 0, n >= base.pointee.iov_len {
                n -= base.pointee.iov_len
                base += 1
                remaining -= 1
            }
            if remaining > 0, n > 0 {
                base.pointee.iov_base = base.pointee.iov_base.map { $0 + n }
                base.pointee.iov_len -= n
            }
        }
    }

    /// Waits until the socket has bytes to read (or the peer closed), at most `timeoutNanos`.
    /// Used to linger before flushing a batch; not counted as a read.
    public func waitReadable(timeoutNanos: UInt64) -> Bool {
        // ppoll: nanosecond timeout (lingers are often below a millisecond).
        cshims_wait_readable(fd, timeoutNanos) > 0
    }

    /// Blocks reads for at most `seconds` (0: forever); a timeout surfaces as `SystemError.isTimeout`.
    public func setReceiveTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Bounds writes blocked on a peer that stopped reading.
    public func setSendTimeout(seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// What the kernel applied for the buffer and delay options.
    public func effectiveOptions() -> EffectiveSocketOptions {
        EffectiveSocketOptions.read(from: fd, family: family)
    }

    /// Half-close: the peer reads end of stream, we can still read.
    public func shutdownWrite() { Posix.shutdown(fd, Int32(SHUT_WR)) }

    /// Wakes any thread blocked on this socket (used on shutdown); the descriptor stays open.
    public func shutdownBoth() { Posix.shutdown(fd, Int32(SHUT_RDWR)) }

    public func close() {
        if closed.exchange(true, ordering: .acquiringAndReleasing) == false {
            Posix.close(fd)
        }
    }

    public var isClosed: Bool { closed.load(ordering: .relaxed) }
}
