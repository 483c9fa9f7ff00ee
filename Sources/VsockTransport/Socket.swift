#if canImport(Glibc)
import Glibc
#endif
import CShims
import Synchronization
import SystemPackage
import VsockBenchSupport

/// A connected stream socket: owns its descriptor and counts every read and write syscall it
/// makes (calls, bytes, time inside the call). Reads are recv(2) and writes send(2) (`Posix`).
///
/// One thread reads and at most one other thread writes; the counters for each direction have
/// that single writer. `close()` must be called exactly once (asserted in `deinit`); the
/// descriptor is never handed out, so nothing else can close it or use it after `close()`
/// (the read watchdog, which may shut a watched socket's receive side down, lets go of it
/// under its lock before `close()` closes it).
public final class Socket: Sendable {
    /// The descriptor this socket owns; only `close()` ends it, once.
    let descriptor: FileDescriptor
    /// The address family (AF_UNIX, AF_INET, AF_INET6, AF_VSOCK).
    public let family: Int32
    /// The peer's CID for vsock sockets (from accept or the connected endpoint).
    public let peerCID: UInt32?
    public let counters = IOCounters()
    /// Whether each syscall's duration is measured (two clock reads per call). The target
    /// needs it for its I/O-wait share; the driver, whose latency clock already brackets the
    /// exchange, does not pay for it.
    public let timesSyscalls: Bool
    /// SOCK_STREAM, or SOCK_SEQPACKET (one message per send and per receive: `Socket+Message`).
    public let kind: SocketKind
    private let closed = Atomic<Bool>(false)
    /// This socket's side of the read watchdog (`watchReads`).
    let readWatch = ReadWatch()
    /// `chainReadsToWrites()` was called: a timed write leaves its end in `chainedReadStart`.
    private let chainsReads = Atomic<Bool>(false)
    /// `chainReadsToWrites(untimedWrites: true)`: a write's own time goes to the next read.
    private let untimedWrites = Atomic<Bool>(false)
    /// When the last timed write returned, for the next read to take as its start (0: none).
    private let chainedReadStart = Atomic<UInt64>(0)
    /// The SO_SNDTIMEO set (`setSendTimeout`; 0: none): a short write then means it ran out.
    private let sendTimeoutNanos = Atomic<UInt64>(0)

    init(descriptor: FileDescriptor, family: Int32, peerCID: UInt32? = nil, timesSyscalls: Bool = true, kind: SocketKind = .stream) {
        self.descriptor = descriptor
        self.family = family
        self.peerCID = peerCID
        self.timesSyscalls = timesSyscalls
        self.kind = kind
    }

    @inline(__always)
    private func now() -> UInt64 { timesSyscalls ? MonotonicClock.nanos() : 0 }

    /// From now on a read that follows a timed write takes that write's end as its own start,
    /// one clock read fewer a request/response exchange: the read's time then runs from the
    /// response's departure to the next request's arrival, the little bookkeeping between the
    /// two syscalls included, so that processing and I/O wait partition the thread's time.
    /// Only for a socket whose reads and writes are made by one thread (the target's
    /// stop-and-wait path with a sink that writes on the caller's thread).
    ///
    /// `untimedWrites`: one clock read fewer again. `writeAll` reads the clock once, before its
    /// first send, counts no time for itself and leaves that start as its end and as the next
    /// read's start: the write's time is counted in that read's. What was I/O stays I/O (the
    /// sum of read and write time is the same), and the end of a write is never read. Only
    /// where each message is one `writeAll` (with pieces, each piece's send would be counted
    /// in the next piece's caller as processing).
    public func chainReadsToWrites(untimedWrites: Bool = false) {
        self.untimedWrites.store(untimedWrites, ordering: .relaxed)
        chainsReads.store(true, ordering: .relaxed)
    }

    @inline(__always)
    private func readStart() -> UInt64 {
        let chained = chainedReadStart.load(ordering: .relaxed)
        if chained == 0 { return now() }
        chainedReadStart.store(0, ordering: .relaxed)
        return chained
    }

    deinit {
        assert(closed.load(ordering: .relaxed), "Socket \(descriptor.rawValue) deallocated without close()")
    }

    /// Opens a connection, applying `options` before connecting (buffer sizes must be set first
    /// to take effect on vsock and tcp windows).
    public static func connect(to endpoint: Endpoint, options: SocketOptions = SocketOptions(), timesSyscalls: Bool = true) throws(TransportError) -> Socket {
        let address = try SocketAddress.resolve(endpoint, passive: false)
        let descriptor = try Posix.connectionSocket(family: address.family, for: endpoint) { .connectFailed(endpoint, $0) }
        do {
            try options.apply(to: descriptor, family: address.family)
        } catch {
            Posix.close(descriptor)
            throw error
        }
        do {
            try Posix.connect(descriptor, to: address, context: endpoint.description)
        } catch {
            Posix.close(descriptor)
            throw .connectFailed(endpoint, error)
        }
        return Socket(descriptor: descriptor, family: address.family, peerCID: endpoint.vsockAddress?.cid, timesSyscalls: timesSyscalls, kind: endpoint.socketKind)
    }

    /// A connected pair of Unix stream sockets (tests, and in-process plumbing).
    public static func makePair() throws(SystemError) -> (Socket, Socket) {
        let (first, second) = try Posix.socketPair()
        return (Socket(descriptor: first, family: AF_UNIX), Socket(descriptor: second, family: AF_UNIX))
    }

    /// One read syscall into `buffer` (recv: see `Posix.receive`); returns 0 at end of stream.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(SystemError) -> Int {
        if readWatch.hasFired { throw readWatch.timeoutError("recv") }
        let start = readStart()
        let entered = readWatch.enter()
        let n: Int
        do {
            n = try Posix.receive(descriptor, buffer, count)
        } catch {
            readWatch.leave(entered)
            throw readWatch.hasFired ? readWatch.timeoutError("recv") : error
        }
        readWatch.leave(entered)
        if n == 0, readWatch.hasFired { throw readWatch.timeoutError("recv") }
        let end = now()
        counters.recordRead(bytes: n, nanos: end &- start, end: end)
        return n
    }

    /// Blocks until the peer half-closes (or the connection fails), discarding anything it
    /// sends. Not counted and not timed: it is the stream target's stop signal, not I/O of the
    /// workload. A receive timeout only makes it wait again. The bytes are never kept (a small
    /// scratch buffer, cleared).
    public func waitForEndOfStream() {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { scratch in
            defer { scratch.initializeMemory(as: UInt8.self, repeating: 0) }
            while true {
                do throws(SystemError) {
                    if try Posix.receive(descriptor, scratch.baseAddress.unsafelyUnwrapped, scratch.count) == 0 { return }
                } catch {
                    if !error.isTimeout { return }
                }
            }
        }
    }

    /// Reads and discards what the peer sends until it closes, at most `maxBytes` or
    /// `maxNanos`, whichever comes first; returns the bytes discarded. Before closing a
    /// connection that has just sent its error frame: a Unix socket closed with unread data
    /// resets its peer, whose next receive then fails (ECONNRESET) before it reads that frame
    /// (a seqpacket peer that sent packets after a bad one lost the reason). Not counted; the
    /// bytes are never kept (a small scratch buffer, cleared).
    @discardableResult
    public func discardUntilEnd(maxBytes: Int, maxNanos: UInt64) -> Int {
        let deadline = MonotonicClock.nanos() &+ maxNanos
        var total = 0
        withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { scratch in
            defer { scratch.initializeMemory(as: UInt8.self, repeating: 0) }
            while total < maxBytes {
                let now = MonotonicClock.nanos()
                guard now < deadline, waitReadable(timeoutNanos: deadline - now) else { return }
                guard let n = try? Posix.receive(descriptor, scratch.baseAddress.unsafelyUnwrapped, scratch.count), n > 0 else { return }
                total += n
            }
        }
        return total
    }

    /// Writes every byte, one write syscall (send) at a time; a short write is followed by another.
    @inline(__always)
    public func writeAll(_ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        if untimedWrites.load(ordering: .relaxed) { return try writeAllUntimed(buffer, count: count) }
        var offset = 0
        while offset < count {
            let start = now()
            let n: Int
            do { n = try Posix.send(descriptor, buffer + offset, count - offset) } catch { throw writeError(error) }
            let end = now()
            counters.recordWrite(bytes: n, nanos: end &- start, short: n < count - offset, end: end)
            offset += n
            if offset < count { try checkShortWrite() }
        }
        if count > 0, chainsReads.load(ordering: .relaxed) { chainedReadStart.store(counters.lastWriteEndNanos, ordering: .relaxed) }
    }

    /// `writeAll` with untimed writes (see `chainReadsToWrites`): one clock read, before the first send.
    private func writeAllUntimed(_ buffer: UnsafeRawPointer, count: Int) throws(SystemError) {
        guard count > 0 else { return }
        let start = now()
        var offset = 0
        while offset < count {
            let n: Int
            do { n = try Posix.send(descriptor, buffer + offset, count - offset) } catch { throw writeError(error) }
            counters.recordWrite(bytes: n, nanos: 0, short: n < count - offset, end: start)
            offset += n
            if offset < count { try checkShortWrite() }
        }
        chainedReadStart.store(start, ordering: .relaxed)
    }

    /// A failed write's error: a timeout when the read watchdog cut the socket's writes off
    /// after a stop (`ReadWatchdog.cutAll`), else the send's own.
    @inline(never)
    private func writeError(_ error: SystemError) -> SystemError {
        readWatch.writesCut.load(ordering: .acquiring) ? readWatch.writeCutError() : error
    }

    /// After a short write. A blocking send returns part of its bytes only when its
    /// SO_SNDTIMEO ran out (or a signal came, and vsockbench's threads take none). That is not
    /// "no room for that long": TCP and vsock spend one timeout across all the waits of one
    /// call, so a peer that reads slowly but steadily also ends a large send short, and TCP
    /// says writable only once a good part of its buffer is free (fresh reviews: a poll right
    /// after it saw no room, and with a large buffer room can be seconds away). So: wait for
    /// room up to one more timeout, a second at a time, and call the peer stalled when a second
    /// went by with nothing of the send queue drained (SIOCOUTQ; where the kernel does not say,
    /// the whole timeout). A stalled peer then costs the timeout and a second, where each piece
    /// of the write had taken a new timeout (a 5 s case against a peer that stopped reading
    /// took 31.8 s at the default 10 s, review). Room (the peer reads; or it closed, which the
    /// next send reports; or the read watchdog shut the socket down after a stop) goes on.
    @inline(never)
    private func checkShortWrite() throws(SystemError) {
        let timeout = sendTimeoutNanos.load(ordering: .relaxed)
        guard timeout > 0 else { return }
        let deadline = MonotonicClock.nanos() &+ timeout
        var queued = unsentBytes()
        while true {
            let now = MonotonicClock.nanos()
            guard now < deadline else { break }
            var fds = [pollfd(fd: descriptor.rawValue, events: Int16(POLLOUT), revents: 0)]
            let millis = Int32(clamping: min((deadline - now + 999_999) / 1_000_000, 1000))
            guard let ready = try? Posix.poll(&fds, timeoutMillis: millis), ready == 0 else { return }
            let left = unsentBytes()
            if let before = queued, let after = left, after >= before { break }
            queued = left
        }
        let text = timeout % 1_000_000_000 == 0 ? "\(timeout / 1_000_000_000) s" : "\(timeout / 1_000_000) ms"
        throw SystemError("send", errno: .timedOut, context: "no room to send within \(text), and nothing sent drained")
    }

    /// Bytes sent and not yet taken by the peer (SIOCOUTQ); nil where the kernel does not say.
    package func unsentBytes() -> Int? {
        var value: Int32 = 0
        guard (try? Posix.ioctl(descriptor, Self.siocoutq, &value, label: "ioctl(SIOCOUTQ)")) != nil, value >= 0 else { return nil }
        return Int(value)
    }

    /// SIOCOUTQ (TIOCOUTQ on Linux).
    private static let siocoutq: UInt = 0x5411

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
            let batch = min(remaining, 1024)  // IOV_MAX on Linux
            var total = 0
            for i in 0..<batch { total += base[i].iov_len }
            var n: Int
            do { n = try Posix.writev(descriptor, base, Int32(batch)) } catch { throw writeError(error) }
            counters.recordWrite(bytes: n, nanos: now() &- start, short: n < total)
            if n < total { try checkShortWrite() }
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
    /// Used to linger before flushing a batch; not counted as a read. A failed wait says "not
    /// readable": the caller flushes, and the next read reports what is wrong.
    public func waitReadable(timeoutNanos: UInt64) -> Bool {
        // ppoll: nanosecond timeout (lingers are often below a millisecond).
        (try? Posix.waitReadable(descriptor, timeoutNanos: timeoutNanos)) ?? false
    }

    /// Whether bytes are already queued to be read (a peek that neither takes nor waits): a
    /// request/response peer that sent more than it was asked shows here. Not counted as a read.
    public func hasQueuedBytes() throws(SystemError) -> Bool {
        try Posix.hasQueuedBytes(descriptor)
    }

    /// Bounds blocked reads (`.none`: forever); a timeout surfaces as `SystemError.isTimeout`.
    public func setReceiveTimeout(_ timeout: SocketTimeout) throws(TransportError) {
        try setTimeout(SO_RCVTIMEO, "SO_RCVTIMEO", timeout)
    }

    /// Bounds writes blocked on a peer that stopped reading (`.none`: forever).
    public func setSendTimeout(_ timeout: SocketTimeout) throws(TransportError) {
        try setTimeout(SO_SNDTIMEO, "SO_SNDTIMEO", timeout)
        let (seconds, attoseconds) = timeout.duration.components
        sendTimeoutNanos.store(UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000), ordering: .relaxed)
    }

    /// `setReceiveTimeout` for a number of seconds (0: none); NaN, infinite, negative or huge
    /// values throw `TransportError.invalidTimeout`.
    public func setReceiveTimeout(seconds: Double) throws(TransportError) {
        try setReceiveTimeout(SocketTimeout(seconds: seconds))
    }

    /// `setSendTimeout` for a number of seconds (0: none), checked like `setReceiveTimeout`.
    public func setSendTimeout(seconds: Double) throws(TransportError) {
        try setSendTimeout(SocketTimeout(seconds: seconds))
    }

    /// Bounds blocked reads like `setReceiveTimeout`, without SO_RCVTIMEO: the process's read
    /// watchdog (`ReadWatchdog`) cuts off a read blocked for longer than `timeout` (give or take
    /// an eighth of it), and the read reports a timeout (`SystemError.isTimeout`, ETIMEDOUT).
    /// A blocked read then arms no kernel timer, which a request/response exchange would pay
    /// for on every message. The receive side is shut down when it fires: the connection can
    /// still send (an error frame), not read (every later read reports the timeout without a
    /// syscall, whatever the peer sends after). `.none` stops watching; a closed socket is
    /// never watched again. Where no watchdog thread
    /// can be started, it sets SO_RCVTIMEO instead. Clears any SO_RCVTIMEO set before.
    public func watchReads(_ timeout: SocketTimeout) throws(TransportError) {
        if isClosed { return }
        if timeout.duration == .zero {
            if readWatch.registered.load(ordering: .relaxed) { ReadWatchdog.shared.forget(readWatch) }
            try setReceiveTimeout(.none)  // and any fallback SO_RCVTIMEO
            return
        }
        let (seconds, attoseconds) = timeout.duration.components
        let nanos = UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
        guard ReadWatchdog.shared.watch(readWatch, descriptor: descriptor, timeoutNanos: max(nanos, 1), counters: counters) else {
            try setReceiveTimeout(timeout)
            return
        }
        try setReceiveTimeout(.none)
    }

    /// A run is stopping: from now on no watched read of this process blocks longer than
    /// `seconds` (one blocked now counting from now, one that begins after that time only a
    /// tick); one that does is cut off as if its timeout had expired (``watchReads(_:)``). A
    /// watched socket whose writes are stuck that long (no room to send) is shut down both
    /// ways, and its write fails as a timeout.
    public static func cutBlockedReads(afterSeconds seconds: Double) {
        ReadWatchdog.shared.cutAll(afterNanos: UInt64(max(seconds, 0) * 1e9))
    }

    /// Lifts `cutBlockedReads` (tests: the process outlives the run that was stopping).
    package static func endBlockedReadCut() { ReadWatchdog.shared.endCut() }

    /// `watchReads` for a number of seconds (0: none), checked like `setReceiveTimeout`.
    public func watchReads(seconds: Double) throws(TransportError) {
        try watchReads(SocketTimeout(seconds: seconds))
    }

    private func setTimeout(_ name: Int32, _ label: String, _ timeout: SocketTimeout) throws(TransportError) {
        do {
            try Posix.setOption(descriptor, level: SOL_SOCKET, name: name, value: timeout.timeval, label: label)
        } catch {
            throw .optionFailed("\(label) to \(timeout)", error)
        }
    }

    /// Applies a case's options to this (already connected) socket.
    package func apply(_ options: SocketOptions) throws(TransportError) {
        try options.apply(to: descriptor, family: family)
    }

    /// What the kernel applied for the buffer and delay options.
    public func effectiveOptions() -> EffectiveSocketOptions {
        EffectiveSocketOptions.read(from: descriptor, family: family)
    }

    /// Half-close: the peer reads end of stream, we can still read. Best effort: a peer that
    /// is already gone (ENOTCONN) has nothing left to tell.
    public func shutdownWrite() {
        // Said first: a half-closed socket never polls writable (vsock), and the watchdog must
        // not take it for a writer stuck after a stop.
        readWatch.writesShut.store(true, ordering: .relaxed)
        try? Posix.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Ends this socket's input: a thread blocked reading it wakes at the end of the stream;
    /// it can still send (the server's shutdown, so a connection can say why it closes).
    public func shutdownRead() { try? Posix.shutdown(descriptor, Int32(SHUT_RD)) }

    /// Wakes any thread blocked on this socket (used on shutdown); the descriptor stays open.
    public func shutdownBoth() {
        readWatch.writesShut.store(true, ordering: .relaxed)
        try? Posix.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    public func close() {
        if closed.exchange(true, ordering: .acquiringAndReleasing) == false {
            // Out of the watchdog's table first, for good (under its lock, whichever thread
            // watched): it must not shut down a reused number.
            ReadWatchdog.shared.forget(readWatch, forGood: true)
            Posix.close(descriptor)
        }
    }

    public var isClosed: Bool { closed.load(ordering: .relaxed) }
}
