#if canImport(Glibc)
import Glibc
#endif
import CShims
import SystemPackage

/// The one place that calls socket and descriptor syscalls.
///
/// Every wrapper goes through `retryingInterrupts`, the one loop that calls again when a signal
/// interrupted the call (EINTR), and fails through `failure`, which names the call and its
/// `Errno`. Errnos that can only mean a bug in this program (EBADF, EFAULT) stop the process:
/// continuing would measure garbage. The data-path wrappers (`receive`, `send`, `writev`) are
/// one syscall each, allocate nothing and inline into their caller.
package enum Posix {
    /// Runs `body`, a system call that returns -1 and sets `errno` on failure, again for as long
    /// as a signal interrupts it (EINTR); any other failure throws `SystemError` naming `call`.
    @inline(__always)
    package static func retryingInterrupts<Result: FixedWidthInteger & SignedInteger>(
        _ call: StaticString, context: @autoclosure () -> String? = nil, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Errno(rawValue: Glibc.errno)
            if code == .interrupted { continue }
            throw failure(call, code, context: context())
        }
    }

    /// The error for a failed call; a bug (EBADF, EFAULT) stops the process here.
    @inline(never)
    package static func failure(_ call: StaticString, _ code: Errno, context: String? = nil) -> SystemError {
        precondition(
            code != .badFileDescriptor && code != .badAddress,
            "\(call) failed with \(code == .badFileDescriptor ? "EBADF" : "EFAULT"): a descriptor or buffer bug")
        return SystemError("\(call)", errno: code, context: context)
    }

    // MARK: Descriptors

    /// Closes a descriptor. EINTR (or EIO) from close on Linux still releases the descriptor:
    /// never retried, nothing to report; EBADF is a bug.
    package static func close(_ descriptor: FileDescriptor) {
        do {
            try descriptor.close()
        } catch let error as Errno {
            _ = failure("close", error)
        } catch {
            preconditionFailure("close threw \(error), not an Errno")
        }
    }

    /// One read syscall; 0 at end of file.
    @inline(__always)
    package static func read(_ descriptor: FileDescriptor, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> Int {
        try retryingInterrupts("read") { Glibc.read(descriptor.rawValue, buffer, count) }
    }

    /// One write syscall; the count the kernel took (maybe fewer bytes than asked).
    @inline(__always)
    package static func write(_ descriptor: FileDescriptor, _ buffer: UnsafeRawPointer, _ count: Int) throws(SystemError) -> Int {
        try retryingInterrupts("write") { Glibc.write(descriptor.rawValue, buffer, count) }
    }

    /// One recv syscall on a socket; 0 at end of stream. The socket data path uses recv and send
    /// rather than read and write: the same socket code in the kernel, without the file-layer
    /// steps a read or write takes first (on this machine about 1% of an 8 KiB loopback round
    /// trip per side; see `Socket.read`). A bare system call, without glibc's cancellation-point
    /// bracket (`cshims_recv`).
    @inline(__always)
    package static func receive(_ descriptor: FileDescriptor, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> Int {
        try retryingInterrupts("recv") { cshims_recv(descriptor.rawValue, buffer, count, 0) }
    }

    /// Whether bytes wait to be read, without taking them or waiting: one recv of a byte with
    /// MSG_PEEK | MSG_DONTWAIT. False at end of stream and when nothing is there (EAGAIN).
    package static func hasQueuedBytes(_ descriptor: FileDescriptor) throws(SystemError) -> Bool {
        var byte: UInt8 = 0
        let got = cshims_recv(descriptor.rawValue, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if got >= 0 { return got > 0 }
        let code = Errno(rawValue: Glibc.errno)
        if code == .wouldBlock || code == .interrupted { return false }
        throw failure("recv", code, context: "peeking")
    }

    /// One send syscall on a socket; the count the kernel took. MSG_NOSIGNAL: a vanished peer is
    /// an EPIPE to report, never a signal. A bare system call, as `receive`.
    @inline(__always)
    package static func send(_ descriptor: FileDescriptor, _ buffer: UnsafeRawPointer, _ count: Int) throws(SystemError) -> Int {
        try retryingInterrupts("send") { cshims_send(descriptor.rawValue, buffer, count, Int32(MSG_NOSIGNAL)) }
    }

    /// One writev syscall.
    @inline(__always)
    package static func writev(_ descriptor: FileDescriptor, _ vectors: UnsafePointer<iovec>, _ count: Int32) throws(SystemError) -> Int {
        try retryingInterrupts("writev") { Glibc.writev(descriptor.rawValue, vectors, count) }
    }

    /// Writes every byte, write after write (a short write is followed by another).
    package static func writeAll(_ descriptor: FileDescriptor, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            offset += try write(descriptor, base + offset, bytes.count - offset)
        }
    }

    /// A pipe whose ends are closed on exec.
    package static func pipe() throws(SystemError) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        do {
            return try FileDescriptor.pipe(options: .closeOnExec)
        } catch {
            throw failure("pipe2", error)
        }
    }

    /// Opens a file (or a device) with O_CLOEXEC; the caller owns the descriptor.
    package static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingInterrupts("open", context: path) { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }

    /// Opens `path`, lends the descriptor to `body` and closes it, whatever `body` does.
    package static func withOpened<R>(
        _ path: String, _ flags: Int32, _ body: (FileDescriptor) throws(SystemError) -> R
    ) throws(SystemError) -> R {
        let descriptor = try open(path, flags)
        defer { close(descriptor) }
        return try body(descriptor)
    }

    /// ioctl with a pointer argument (`label` names the request in errors).
    package static func ioctl(
        _ descriptor: FileDescriptor, _ request: UInt, _ argument: UnsafeMutableRawPointer?, label: StaticString,
        context: @autoclosure () -> String? = nil
    ) throws(SystemError) -> Int32 {
        try retryingInterrupts(label, context: context()) { cshims_ioctl_ptr(descriptor.rawValue, request, argument) }
    }

    /// poll(2). A retry after EINTR waits the whole timeout again (callers loop on a deadline).
    package static func poll(_ fds: inout [pollfd], timeoutMillis: Int32) throws(SystemError) -> Int {
        Int(try fds.withUnsafeMutableBufferPointer { (fds) throws(SystemError) -> Int32 in
            try retryingInterrupts("poll") { Glibc.poll(fds.baseAddress, nfds_t(fds.count), timeoutMillis) }
        })
    }

    /// ppoll on one descriptor for POLLIN with a nanosecond timeout: true when readable (or
    /// closed by the peer), false when the timeout passed. After EINTR it waits the whole
    /// timeout again (a linger of microseconds, so at worst a little late).
    package static func waitReadable(_ descriptor: FileDescriptor, timeoutNanos: UInt64) throws(SystemError) -> Bool {
        try retryingInterrupts("ppoll") { cshims_wait_readable(descriptor.rawValue, timeoutNanos) } > 0
    }

    // MARK: Sockets

    /// SIGPIPE off, once per process: a peer that vanished is an EPIPE to report, never a
    /// signal that kills the process (writes stay plain write(2), the syscall under study).
    static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// A socket with SOCK_CLOEXEC.
    static func socket(domain: Int32, type: Int32) throws(SystemError) -> FileDescriptor {
        let context = domain == cshims_af_vsock() ? "(AF_VSOCK)" : nil
        return FileDescriptor(rawValue: try retryingInterrupts("socket", context: context) { Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), 0) })
    }

    /// A stream socket for `endpoint`; a kernel without AF_VSOCK is named as such.
    static func streamSocket(family: Int32, for endpoint: Endpoint, failure: (SystemError) -> TransportError) throws(TransportError) -> FileDescriptor {
        _ = sigpipeIgnored
        do {
            return try socket(domain: family, type: Int32(SOCK_STREAM.rawValue))
        } catch {
            if family == cshims_af_vsock(), error.errno == .addressFamilyNotSupported || error.errno == .invalidArgument {
                throw TransportError.vsockUnsupported(endpoint)
            }
            throw failure(error)
        }
    }

    /// A connected pair of Unix stream sockets.
    static func socketPair() throws(SystemError) -> (FileDescriptor, FileDescriptor) {
        _ = sigpipeIgnored
        var fds: (Int32, Int32) = (-1, -1)
        _ = try withUnsafeMutableBytes(of: &fds) { (raw) throws(SystemError) -> Int32 in
            let pair = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: Int32.self)
            return try retryingInterrupts("socketpair") { Glibc.socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, pair) }
        }
        return (FileDescriptor(rawValue: fds.0), FileDescriptor(rawValue: fds.1))
    }

    /// connect(2) on a blocking socket. A connect a signal interrupts goes on in the kernel
    /// (calling it again would fail with EALREADY): wait for it to finish and read its outcome.
    static func connect(_ descriptor: FileDescriptor, to address: SocketAddress, context: String) throws(SystemError) {
        let result = address.withSockaddr { Glibc.connect(descriptor.rawValue, $0, $1) }
        if result == 0 { return }
        let code = Errno(rawValue: Glibc.errno)
        guard code == .interrupted else { throw failure("connect", code, context: context) }
        var fds = [pollfd(fd: descriptor.rawValue, events: Int16(POLLOUT), revents: 0)]
        _ = try poll(&fds, timeoutMillis: -1)
        let pending = try getOption(descriptor, level: SOL_SOCKET, name: SO_ERROR, initial: Int32(0), label: "SO_ERROR")
        if pending != 0 { throw failure("connect", Errno(rawValue: pending), context: context) }
    }

    static func bind(_ descriptor: FileDescriptor, to address: SocketAddress) throws(SystemError) {
        _ = try retryingInterrupts("bind") { address.withSockaddr { Glibc.bind(descriptor.rawValue, $0, $1) } }
    }

    static func listen(_ descriptor: FileDescriptor, backlog: Int32) throws(SystemError) {
        _ = try retryingInterrupts("listen") { Glibc.listen(descriptor.rawValue, backlog) }
    }

    /// accept4(SOCK_CLOEXEC); the peer's address lands in `storage`.
    static func accept(_ descriptor: FileDescriptor, peer storage: inout sockaddr_storage) throws(SystemError) -> FileDescriptor {
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) -> Int32 in
                try retryingInterrupts("accept4") { cshims_accept_cloexec(descriptor.rawValue, address, &length) }
            }
        }
        return FileDescriptor(rawValue: client)
    }

    /// The address a socket is bound to (the real port after binding port 0).
    static func localAddress(_ descriptor: FileDescriptor) throws(SystemError) -> sockaddr_storage {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) -> Int32 in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (address) throws(SystemError) -> Int32 in
                try retryingInterrupts("getsockname") { getsockname(descriptor.rawValue, address, &length) }
            }
        }
        return storage
    }

    static func shutdown(_ descriptor: FileDescriptor, _ how: Int32) throws(SystemError) {
        _ = try retryingInterrupts("shutdown") { Glibc.shutdown(descriptor.rawValue, how) }
    }

    static func setOption<T>(_ descriptor: FileDescriptor, level: Int32, name: Int32, value: T, label: String) throws(SystemError) {
        var value = value
        _ = try withUnsafePointer(to: &value) { (pointer) throws(SystemError) -> Int32 in
            try retryingInterrupts("setsockopt", context: label) { Glibc.setsockopt(descriptor.rawValue, level, name, pointer, socklen_t(MemoryLayout<T>.size)) }
        }
    }

    static func getOption<T>(_ descriptor: FileDescriptor, level: Int32, name: Int32, initial: T, label: String) throws(SystemError) -> T {
        var value = initial
        var length = socklen_t(MemoryLayout<T>.size)
        _ = try withUnsafeMutablePointer(to: &value) { (pointer) throws(SystemError) -> Int32 in
            try retryingInterrupts("getsockopt", context: label) { Glibc.getsockopt(descriptor.rawValue, level, name, pointer, &length) }
        }
        return value
    }
}
