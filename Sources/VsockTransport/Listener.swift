#if canImport(Glibc)
import Glibc
#endif
import CShims
import Synchronization
import VsockBenchSupport

/// A listening socket whose `accept` can be interrupted by `stop()` (from another thread or a
/// signal-handling thread), so a server shuts down without killing blocked threads.
public final class Listener: Sendable {
    public let fd: Int32
    /// Where it listens, with the real port when port 0 was asked for.
    public let endpoint: Endpoint
    private let family: Int32
    private let options: SocketOptions
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = Atomic<Bool>(false)

    public init(endpoint: Endpoint, options: SocketOptions = SocketOptions(), backlog: Int32 = 128) throws(TransportError) {
        let address = try SocketAddress.resolve(endpoint, passive: true)
        let fd = try Posix.streamSocket(family: address.family, for: endpoint) { .listenFailed(endpoint, $0) }
        var one: Int32 = 1
        if address.family == AF_INET || address.family == AF_INET6 {
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        if case let .unix(path) = endpoint {
            Self.removeStaleSocket(at: path)
        }
        // Buffer options on the listener are inherited by accepted sockets (needed before the
        // connection is established for TCP windows; vsock copies them too).
        do { try options.apply(to: fd, family: address.family) } catch {
            Posix.close(fd)
            throw error
        }
        let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        if bound != 0 || Glibc.listen(fd, backlog) != 0 {
            let code = Glibc.errno
            Posix.close(fd)
            throw TransportError.listenFailed(endpoint, SystemError(bound != 0 ? "bind" : "listen", errno: code))
        }
        var pipeFDs: [Int32] = [0, 0]
        guard cshims_pipe_cloexec(&pipeFDs) == 0 else {
            let code = Glibc.errno
            Posix.close(fd)
            throw TransportError.listenFailed(endpoint, SystemError("pipe2", errno: code))
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let resolved = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var unixPath: String?
        if case let .unix(path) = endpoint { unixPath = path }
        self.fd = fd
        self.endpoint = resolved == 0 ? (SocketAddress.endpoint(of: storage, unixPath: unixPath) ?? endpoint) : endpoint
        self.family = address.family
        self.options = options
        self.wakeRead = pipeFDs[0]
        self.wakeWrite = pipeFDs[1]
    }

    /// A Unix socket file left by a crashed server is removed; one that still has a listener
    /// is left alone so bind reports "address in use".
    private static func removeStaleSocket(at path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return }
        if let probe = try? Socket.connect(to: .unix(path: path)) {
            probe.close()
            return
        }
        unlink(path)
    }

    /// Waits for the next connection. Returns nil once `stop()` was called.
    public func accept() throws(SystemError) -> Socket? {
        while true {
            if stopped.load(ordering: .acquiring) { return nil }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            _ = try Posix.poll(&fds, timeoutMillis: -1)
            if stopped.load(ordering: .acquiring) || fds[1].revents != 0 { return nil }
            if fds[0].revents == 0 { continue }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { cshims_accept_cloexec(fd, $0, &length) }
            }
            if client < 0 {
                let code = Glibc.errno
                // Transient: the peer gave up before we accepted, or we ran out of descriptors
                // for a moment; keep serving the others.
                if code == EINTR || code == ECONNABORTED || code == EAGAIN || code == EPROTO { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    MonotonicClock.sleep(nanos: 10_000_000)
                    continue
                }
                throw SystemError("accept", errno: code)
            }
            var peerCID: UInt32?
            if family == cshims_af_vsock() {
                peerCID = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_vm.self, capacity: 1) { $0.pointee.svm_cid } }
            }
            return Socket(fd: client, family: family, peerCID: peerCID)
        }
    }

    /// Makes `accept` return nil; safe from any thread.
    public func stop() {
        if stopped.exchange(true, ordering: .acquiringAndReleasing) == false {
            var byte: UInt8 = 1
            _ = Glibc.write(wakeWrite, &byte, 1)
        }
    }

    /// Closes the descriptors and removes the Unix socket file.
    public func close() {
        stop()
        Posix.close(fd)
        Posix.close(wakeRead)
        Posix.close(wakeWrite)
        if case let .unix(path) = endpoint { unlink(path) }
    }
}
