#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SystemPackage
import VsockBenchSupport

/// A socket's side of the read watchdog: a count of read calls entered and left (odd while a
/// read is in the kernel), and whether the watchdog cut the socket off.
///
/// The reading thread is the only writer of `calls` (one thread reads a socket, as for
/// `IOCounters`), so entering and leaving a read are a relaxed load and store each; the
/// watchdog thread only loads.
package final class ReadWatch: Sendable {
    let calls = Atomic<UInt64>(0)
    /// Set (before the shutdown) when the watchdog found a read blocked for the whole timeout.
    let fired = Atomic<Bool>(false)
    /// Whether the socket is in the watchdog's table; changed only under the watchdog's lock.
    let registered = Atomic<Bool>(false)
    /// Set (under the lock) when the socket closed: it is never watched again, since its
    /// descriptor number may already belong to another socket.
    let retired = Atomic<Bool>(false)
    /// Whether the watchdog watches this socket now.
    var isWatched: Bool { registered.load(ordering: .relaxed) }
    /// The timeout the watchdog enforced, for the error's text (nanoseconds).
    let firedAfterNanos = Atomic<UInt64>(0)
    /// Set (before the shutdown) when the cut came from a stop's grace time (`cutAll`), the
    /// socket's own timeout not yet over: the error says the stop, not the peer, ended the read.
    let cutByStop = Atomic<Bool>(false)
    /// Set (before the shutdown) when, after `cutAll`, the watchdog found the socket's writes
    /// stuck (no room to send, no write done) for the whole grace time and shut it down both ways.
    let writesCut = Atomic<Bool>(false)
    /// Set when the socket's own side shut its writes (`shutdownWrite`, `shutdownBoth`): a
    /// half-closed socket never polls writable on vsock, and is no writer stuck.
    let writesShut = Atomic<Bool>(false)

    init() {}

    /// Marks a read as entered; pass what it returns to `leave`.
    @inline(__always)
    func enter() -> UInt64 {
        let entered = calls.load(ordering: .relaxed) &+ 1
        calls.store(entered, ordering: .relaxed)
        return entered
    }

    @inline(__always)
    func leave(_ entered: UInt64) { calls.store(entered &+ 1, ordering: .relaxed) }

    /// True once the watchdog cut this socket's reads off: a read that then sees the end of the
    /// stream, or fails, timed out; and every later read fails the same way without a syscall
    /// (on TCP a shut receive side still delivers what the peer sends afterwards).
    @inline(__always)
    var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// The timeout error a read reports after the watchdog fired, like an expired SO_RCVTIMEO:
    /// the configured timeout, in whole seconds or milliseconds where it is some, else in
    /// microseconds.
    @inline(never)
    func timeoutError(_ call: String) -> SystemError {
        let nanos = firedAfterNanos.load(ordering: .relaxed)
        let text: String
        if nanos % 1_000_000_000 == 0 {
            text = "\(nanos / 1_000_000_000) s"
        } else if nanos % 1_000_000 == 0 || nanos >= 10_000_000 {
            text = "\(nanos / 1_000_000) ms"
        } else {
            text = "\(max(nanos / 1_000, 1)) µs"
        }
        if cutByStop.load(ordering: .relaxed) {
            return SystemError(call, errno: .timedOut, context: "cut off \(text) after the stop", cutByStop: true)
        }
        return SystemError(call, errno: .timedOut, context: "no data within \(text)")
    }

    /// The error a write reports once the watchdog cut the socket's writes off (`writesCut`).
    @inline(never)
    func writeCutError() -> SystemError {
        let nanos = firedAfterNanos.load(ordering: .relaxed)
        let text = nanos % 1_000_000_000 == 0 ? "\(nanos / 1_000_000_000) s" : "\(nanos / 1_000_000) ms"
        return SystemError("send", errno: .timedOut, context: "no room to send within \(text) of the stop")
    }
}

/// One thread that bounds blocked reads for every watched socket of the process, instead of a
/// receive timeout (SO_RCVTIMEO) on each: with SO_RCVTIMEO, every read that blocks arms and
/// cancels a kernel timer, a cost paid on every message of a request/response exchange (about
/// 1.7% of an 8 KiB round trip's instructions, measured in the lab). Here a read costs two
/// relaxed stores; the watchdog wakes a few times a second, sees which sockets sit in the same
/// read as at its last look for longer than their timeout, and shuts their receive side down
/// (SHUT_RD): the blocked read returns, and reports a timeout (`ReadWatch.timeoutError`).
/// Writes keep SO_SNDTIMEO, which costs nothing unless a write blocks; but after `cutAll` a
/// socket that has had no room to send and no write done for the whole grace time (a writer
/// blocked on a peer that stopped reading) is shut down both ways, and its write reports a
/// timeout (`ReadWatch.writeCutError`), instead of waiting out its SO_SNDTIMEO.
///
/// A read is cut off between its timeout and its timeout plus two ticks (a tick is an eighth
/// of the shortest timeout watched, from 1 to 250 ms).
/// `@unchecked Sendable`: `entries`, `tick` and `thread` are only touched under `monitor`'s lock.
final class ReadWatchdog: @unchecked Sendable {
    static let shared = ReadWatchdog()

    /// A class, so that a tick updates entries in place (no copy of the table under the lock).
    private final class Entry {
        let watch: ReadWatch
        let descriptor: FileDescriptor
        let timeoutNanos: UInt64
        /// The socket's write count (its writing thread's), looked at only after `cutAll`.
        let counters: IOCounters
        var lastCalls: UInt64
        var since: UInt64
        var lastWrites: UInt64
        var writesSince: UInt64

        init(watch: ReadWatch, descriptor: FileDescriptor, timeoutNanos: UInt64, counters: IOCounters, lastCalls: UInt64, since: UInt64) {
            self.watch = watch
            self.descriptor = descriptor
            self.timeoutNanos = timeoutNanos
            self.counters = counters
            self.lastCalls = lastCalls
            self.since = since
            lastWrites = counters.writesNow
            writesSince = since
        }
    }

    private let monitor = PthreadMonitor()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var thread: NativeThread?
    private var tick: UInt64 = 250_000_000
    /// After `cutAll(afterNanos:)`: the longest any read may block from then on, whatever its
    /// own timeout (`.max`: none asked).
    private var hurriedNanos: UInt64 = .max
    /// After `cutAll(afterNanos:)`: when its grace time ends for every read (`.max`: none
    /// asked). A read that begins later (the stats a stopped case still fetches) does not get
    /// a grace time of its own: it is cut a tick after it is seen blocked past this.
    private var hurriedDeadline: UInt64 = .max

    static let longestTick: UInt64 = 250_000_000
    static let shortestTick: UInt64 = 1_000_000

    /// Starts watching `watch`'s socket (`descriptor`) with `timeoutNanos` (> 0); a socket
    /// already watched gets the new timeout. False when no watchdog thread can be started (the
    /// caller falls back to SO_RCVTIMEO). A closed socket (`forget(_:forGood:)`) is not
    /// watched: true, and nothing happens.
    func watch(_ watch: ReadWatch, descriptor: FileDescriptor, timeoutNanos: UInt64, counters: IOCounters) -> Bool {
        monitor.withLock {
            if watch.retired.load(ordering: .relaxed) { return true }
            if thread == nil {
                guard let started = NativeThread.trySpawn(name: "vsb-watchdog", { [self] in run() }) else { return false }
                thread = started
            }
            let idle = entries.isEmpty
            entries[ObjectIdentifier(watch)] = Entry(
                watch: watch, descriptor: descriptor, timeoutNanos: timeoutNanos, counters: counters,
                lastCalls: watch.calls.load(ordering: .relaxed), since: MonotonicClock.nanos())
            watch.registered.store(true, ordering: .relaxed)
            // An idle watchdog waits for this signal; a busy one needs it only to look sooner.
            if idle || Self.tick(for: timeoutNanos) < tick { monitor.signal() }
            return true
        }
    }

    /// Stops watching (the socket is closing, or its timeout became none). The lock orders it
    /// with a shutdown the watchdog may be doing: after this returns the watchdog never touches
    /// the descriptor again, so it may be closed and its number reused.
    /// `forGood`: the socket is closing, and a later `watch` of it does nothing.
    func forget(_ watch: ReadWatch, forGood: Bool = false) {
        monitor.withLock {
            entries[ObjectIdentifier(watch)] = nil
            watch.registered.store(false, ordering: .relaxed)
            if forGood { watch.retired.store(true, ordering: .relaxed) }
        }
    }

    /// A stop was asked: from now on no read blocks longer than `afterNanos`, whatever its own
    /// timeout, a read blocked now counting from now (SIGTERM during a replay waiting on a
    /// silent service waited out `--io-timeout`, 60 s, review). Reads that return in time, as
    /// the orderly end of a case's do, are untouched. One grace time for all: a read that
    /// begins after it ended is cut a tick after it is seen blocked (a stopped case's stats
    /// fetch had a second of its own after its data connections' second, review). Writes too: a socket with no room to send
    /// and no write done for `afterNanos` is shut down both ways (a tx stream to a peer that
    /// stopped reading waited out its SO_SNDTIMEO after Ctrl-C, review).
    func cutAll(afterNanos: UInt64) {
        monitor.withLock {
            let now = MonotonicClock.nanos()
            hurriedNanos = min(hurriedNanos, max(afterNanos, 1))
            hurriedDeadline = min(hurriedDeadline, now &+ hurriedNanos)
            for entry in entries.values {
                entry.since = now
                entry.lastWrites = entry.counters.writesNow
                entry.writesSince = now
            }
            monitor.signal()
        }
    }

    /// Lifts `cutAll`: reads block for their own timeouts again. For tests, which share one
    /// process: an interrupt test left every later test's reads cut after 1 s.
    func endCut() {
        monitor.withLock {
            hurriedNanos = .max
            hurriedDeadline = .max
        }
    }

    /// After `cutAll`: whether `entry`'s socket has done no write for the grace time and has no
    /// room to send now (a writer blocked in send, or one that would block). Under the lock.
    private func writesStuck(_ entry: Entry, now: UInt64) -> Bool {
        if entry.watch.writesShut.load(ordering: .relaxed) { return false }
        let writes = entry.counters.writesNow
        if writes != entry.lastWrites {
            entry.lastWrites = writes
            entry.writesSince = now
            return false
        }
        guard now &- entry.writesSince >= hurriedNanos else { return false }
        var fds = [pollfd(fd: entry.descriptor.rawValue, events: Int16(POLLOUT), revents: 0)]
        guard let ready = try? Posix.poll(&fds, timeoutMillis: 0) else { return false }
        return ready == 0
    }

    /// How many sockets are watched (tests).
    var count: Int { monitor.withLock { entries.count } }

    private static func tick(for timeoutNanos: UInt64) -> UInt64 {
        min(longestTick, max(shortestTick, timeoutNanos / 8))
    }

    private func run() {
        monitor.withLock {
            while true {
                if entries.isEmpty {
                    monitor.wait()
                    continue
                }
                let now = MonotonicClock.nanos()
                var shortest = Self.longestTick
                var cutOff: [ObjectIdentifier] = []
                for (key, entry) in entries {
                    let calls = entry.watch.calls.load(ordering: .relaxed)
                    if calls != entry.lastCalls {
                        entry.lastCalls = calls
                        entry.since = now
                    } else if calls & 1 == 1, now &- entry.since >= min(entry.timeoutNanos, hurriedNanos)
                                || (now >= hurriedDeadline && now &- entry.since >= Self.tick(for: hurriedNanos)) {
                        // The same read, blocked for the whole timeout: cut it off. SHUT_RD
                        // wakes it with an end of stream (tcp, unix and vsock alike) and leaves
                        // the send side open, so the owner can still answer with an error frame.
                        entry.watch.firedAfterNanos.store(min(entry.timeoutNanos, hurriedNanos), ordering: .relaxed)
                        entry.watch.cutByStop.store(now &- entry.since < entry.timeoutNanos, ordering: .relaxed)
                        // Unregistered before the shutdown wakes the read: its owner, woken,
                        // finds the socket no longer watched (after the shutdown, this thread
                        // could be preempted before it said so: a test saw it still watched).
                        entry.watch.registered.store(false, ordering: .relaxed)
                        entry.watch.fired.store(true, ordering: .releasing)
                        try? Posix.shutdown(entry.descriptor, Int32(SHUT_RD))
                        cutOff.append(key)
                        continue
                    }
                    if hurriedNanos != .max, writesStuck(entry, now: now) {
                        // A stop was asked and this socket's writes have not moved for the
                        // grace time, with no room to send: its writer waits on a peer that
                        // stopped reading. Both ways down: the send wakes (EPIPE, reported as
                        // `writeCutError`), and so does a read on another thread.
                        entry.watch.firedAfterNanos.store(hurriedNanos, ordering: .relaxed)
                        entry.watch.registered.store(false, ordering: .relaxed)
                        entry.watch.writesCut.store(true, ordering: .releasing)
                        entry.watch.fired.store(true, ordering: .releasing)
                        try? Posix.shutdown(entry.descriptor, Int32(SHUT_RDWR))
                        cutOff.append(key)
                        continue
                    }
                    shortest = min(shortest, Self.tick(for: min(entry.timeoutNanos, hurriedNanos)))
                }
                for key in cutOff { entries[key] = nil }
                tick = shortest
                _ = monitor.wait(until: now &+ shortest)
            }
        }
    }
}
