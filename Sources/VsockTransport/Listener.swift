#if canImport(Glibc)
import Glibc
#endif
import CShims
import Synchronization
import SystemPackage
import VsockBenchSupport

/// A listening socket whose `accept` can be interrupted by `stop()` (from another thread or a
/// signal-handling thread), so a server shuts down without killing blocked threads.
///
/// Owns three descriptors (the socket and both ends of the wake-up pipe); `close()` must be
/// called exactly once (asserted in `deinit`).
public final class Listener: Sendable {
    /// Where it listens, with the real port when port 0 was asked for.
    public let endpoint: Endpoint
    /// The listening socket and the wake-up pipe's ends; only `close()` ends them, once.
    private let descriptor: FileDescriptor
    private let wakeRead: FileDescriptor
    private let wakeWrite: FileDescriptor
    private let family: Int32
    private let stopped = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)
    /// The Unix socket file this listener bound (device, inode): removed at close only if the
    /// path still names it (a newer server that took the path over keeps its file).
    private let boundFile: (device: UInt64, inode: UInt64)?

    public init(endpoint: Endpoint, options: SocketOptions = SocketOptions(), backlog: Int32 = 128) throws(TransportError) {
        let address = try SocketAddress.resolve(endpoint, passive: true)
        let descriptor = try Posix.connectionSocket(family: address.family, for: endpoint) { .listenFailed(endpoint, $0) }
        let wake: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do {
            wake = try Self.prepare(descriptor, address: address, endpoint: endpoint, options: options, backlog: backlog)
        } catch {
            Posix.close(descriptor)
            throw error
        }
        let bound = (try? Posix.localAddress(descriptor)).flatMap { SocketAddress.endpoint(of: $0, unixPath: endpoint.unixPath) }
        self.endpoint = bound?.with(kind: endpoint.socketKind) ?? endpoint
        self.descriptor = descriptor
        self.family = address.family
        self.wakeRead = wake.readEnd
        self.wakeWrite = wake.writeEnd
        boundFile = endpoint.unixPath.flatMap(Self.fileIdentity)
    }

    private static func fileIdentity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Options, bind and listen on a fresh socket, then the wake-up pipe.
    private static func prepare(
        _ descriptor: FileDescriptor, address: SocketAddress, endpoint: Endpoint, options: SocketOptions, backlog: Int32
    ) throws(TransportError) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        if address.family == AF_INET || address.family == AF_INET6 {
            do {
                try Posix.setOption(descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1), label: "SO_REUSEADDR")
            } catch {
                throw .optionFailed("SO_REUSEADDR on \(endpoint)", error)
            }
        }
        if let path = endpoint.unixPath {
            removeStaleSocket(at: path, kind: endpoint.socketKind)
        }
        // Buffer options on the listener are inherited by accepted sockets (needed before the
        // connection is established for TCP windows; vsock copies them too).
        try options.apply(to: descriptor, family: address.family)
        do {
            try Posix.bind(descriptor, to: address)
            try Posix.listen(descriptor, backlog: backlog)
            return try Posix.pipe()
        } catch {
            if let path = endpoint.unixPath, let problem = unixPathProblem(path, error.errno) {
                throw .listenPathUnusable(endpoint, error, problem: problem)
            }
            throw .listenFailed(endpoint, error)
        }
    }

    /// What is wrong with a Unix socket path bind failed on with `errno`, when it is the path
    /// itself: bind says EADDRINUSE for any file there (a symbolic link too: it does not follow
    /// one), and ENOENT for a missing directory.
    static func unixPathProblem(_ path: String, _ errno: Errno) -> String? {
        switch errno {
        case .addressInUse:
            nonSocket(at: path, following: false).map { "\(path) exists and is not a socket (it is \($0)); remove it or listen on another path" }
        case .noSuchFileOrDirectory:
            missingDirectory(of: path).map { "the directory \($0) does not exist; create it or listen on another path" }
        default:
            nil
        }
    }

    /// What is wrong with a Unix socket path connect failed on with `errno`, when it is the
    /// path itself: a file there that is not a socket (ECONNREFUSED; connect follows a symbolic
    /// link, so this looks through one), or a missing directory (ENOENT); nil for a socket
    /// nobody listens on, or a missing file in a directory that exists.
    static func unixConnectProblem(_ path: String, _ errno: Errno) -> String? {
        switch errno {
        case .connectionRefused:
            nonSocket(at: path, following: true).map { "\(path) is not a socket (it is \($0)): give the path the target listens on" }
        case .noSuchFileOrDirectory:
            missingDirectory(of: path).map { "the directory \($0) does not exist: give the path the target listens on" }
        default:
            nil
        }
    }

    /// What is at `path` as a phrase ("a regular file") when it is there and not a socket;
    /// nil for a socket or nothing. `following`: through a symbolic link (stat), or not (lstat).
    static func nonSocket(at path: String, following: Bool) -> String? {
        var info = stat()
        guard (following ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK: return nil
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a named pipe"
        default: return "a special file"
        }
    }

    /// The directory of `path` when it does not exist; nil when it does.
    static func missingDirectory(of path: String) -> String? {
        let directory = Self.directory(of: path)
        var info = stat()
        return stat(directory, &info) != 0 ? directory : nil
    }

    /// The directory part of a path ("." for a bare name, "/" for a file in the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        return head.isEmpty ? "/" : String(head)
    }

    deinit {
        assert(closed.load(ordering: .relaxed), "Listener on \(endpoint) deallocated without close()")
    }

    /// A Unix socket file left by a crashed server is removed; one that still has a listener
    /// is left alone so bind reports "address in use". The probe connects with the listener's
    /// own kind; a listener of the other kind (stream against seqpacket) answers EPROTOTYPE,
    /// and is alive too.
    private static func removeStaleSocket(at path: String, kind: SocketKind) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return }
        do {
            let probe = try Socket.connect(to: Endpoint.unix(path: path).with(kind: kind) ?? .unix(path: path))
            probe.close()
            return
        } catch {
            if case let .connectFailed(_, failure) = error, failure.errno == .protocolWrongTypeForSocket { return }
        }
        unlink(path)
    }

    /// Waits for the next connection. Returns nil once `stop()` was called.
    public func accept() throws(SystemError) -> Socket? {
        while true {
            if stopped.load(ordering: .acquiring) { return nil }
            var fds = [
                pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead.rawValue, events: Int16(POLLIN), revents: 0),
            ]
            _ = try Posix.poll(&fds, timeoutMillis: -1)
            if stopped.load(ordering: .acquiring) || fds[1].revents != 0 { return nil }
            if fds[0].revents == 0 { continue }
            var storage = sockaddr_storage()
            let client: FileDescriptor
            do {
                client = try Posix.accept(descriptor, peer: &storage)
            } catch {
                switch error.errno {
                case .connectionAbort, .resourceTemporarilyUnavailable, .wouldBlock, .protocolError:
                    // Transient: the peer gave up before we accepted; keep serving the others.
                    continue
                case .tooManyOpenFiles, .tooManyOpenFilesInSystem, .noBufferSpace, .noMemory:
                    // Out of descriptors or memory for a moment: wait, then keep serving.
                    MonotonicClock.sleep(nanos: 10_000_000)
                    continue
                default:
                    throw error
                }
            }
            var peerCID: UInt32?
            if family == cshims_af_vsock() {
                peerCID = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_vm.self, capacity: 1) { $0.pointee.svm_cid } }
            }
            return Socket(descriptor: client, family: family, peerCID: peerCID, kind: endpoint.socketKind)
        }
    }

    /// Makes `accept` return nil; safe from any thread.
    public func stop() {
        if stopped.exchange(true, ordering: .acquiringAndReleasing) == false {
            // One byte into an empty pipe cannot block; if it failed, accept still sees
            // `stopped` the next time poll returns.
            var byte: UInt8 = 1
            _ = try? Posix.write(wakeWrite, &byte, 1)
        }
    }

    /// Closes the descriptors and removes the Unix socket file.
    public func close() {
        stop()
        guard closed.exchange(true, ordering: .acquiringAndReleasing) == false else { return }
        Posix.close(descriptor)
        Posix.close(wakeRead)
        Posix.close(wakeWrite)
        // Only the file this listener bound: a server started later on the same path (this
        // one stopped, its file taken for stale) lost its socket file when this one exited.
        if let path = endpoint.unixPath, let bound = boundFile, let now = Self.fileIdentity(path), now == bound { unlink(path) }
    }
}
