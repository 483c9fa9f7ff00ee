#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport
@testable import VsockTransport

/// The read watchdog (`Socket.watchReads`): a bounded wait for blocked reads without SO_RCVTIMEO.
@Suite(.serialized) struct ReadWatchdogTests {
    /// Runs `read`, which should block until the watchdog cuts it off, and returns what it
    /// threw and how long it took. If the watchdog never fires, the read would wait forever: a
    /// backstop writes a byte to `peer` after `backstopSeconds`, the read returns, and the
    /// test fails on the missing error.
    private static func blockedRead(peer: Socket, backstopSeconds: Int = 3, _ read: () throws -> Void) -> (error: SystemError?, nanos: UInt64) {
        let done = StopFlag()
        let backstop = NativeThread.spawn(name: "test-backstop") {
            for _ in 0..<(backstopSeconds * 100) where !done.isSet { usleep(10_000) }
            if !done.isSet {
                var byte: UInt8 = 0xEE
                if peer.kind == .seqpacket {
                    try? peer.sendMessage(&byte, count: 1)
                } else {
                    try? peer.writeAll(&byte, count: 1)
                }
            }
        }
        let start = MonotonicClock.nanos()
        var failure: (any Error)?
        do { try read() } catch { failure = error }
        let nanos = MonotonicClock.nanos() - start
        done.set()
        backstop.join()
        #expect(failure != nil, "the read returned: the watchdog did not cut it off within \(backstopSeconds) s")
        return (failure as? SystemError, nanos)
    }

    @Test("a read blocked past the watched timeout fails as a timeout (recv), and the socket can still send")
    func blockedReadTimesOut() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        try a.watchReads(SocketTimeout(.milliseconds(80)))
        let kept = try Posix.getOption(a.descriptor, level: SOL_SOCKET, name: SO_RCVTIMEO, initial: Glibc.timeval(), label: "SO_RCVTIMEO")
        #expect(kept.tv_sec == 0 && kept.tv_usec == 0, "the watchdog replaces SO_RCVTIMEO, it does not add to it")
        var byte: UInt8 = 0
        let (error, nanos) = Self.blockedRead(peer: b) { _ = try a.read(into: &byte, count: 1) }
        #expect(error?.isTimeout == true && error?.call == "recv" && error?.isDisconnect == false, "\(String(describing: error))")
        #expect(error?.description.contains("no data within 80 ms") == true, "\(String(describing: error))")
        #expect(nanos >= 80_000_000 && nanos < 2_000_000_000, "\(nanos) ns")
        // Only the receive side was shut: an error frame can still go out.
        byte = 7
        try a.writeAll(&byte, count: 1)
        var got: UInt8 = 0
        try b.setReceiveTimeout(seconds: 2)
        #expect(try b.read(into: &got, count: 1) == 1)
        #expect(got == 7)
        #expect(!a.readWatch.isWatched)
    }

    /// A watchdog of its own (the shared one may be busy with other suites' sockets, and then
    /// never idle), used directly: its entries are forgotten before the sockets close.
    @Test("a watchdog left with nothing to watch wakes for the next socket")
    func idleWatchdogWakes() throws {
        let dog = ReadWatchdog()
        let (c, d) = try Socket.makePair()
        defer {
            c.close()
            d.close()
        }
        #expect(dog.watch(c.readWatch, descriptor: c.descriptor, timeoutNanos: 30_000_000_000, counters: c.counters))
        dog.forget(c.readWatch)
        // Past its tick (250 ms): the table is empty and the watchdog waits untimed.
        usleep(400_000)
        #expect(dog.count == 0)
        let (a, b) = try Socket.makePair()
        defer {
            dog.forget(a.readWatch)
            a.close()
            b.close()
        }
        // 2 s: the longest tick, so only the idle watchdog's wake-up makes it look.
        #expect(dog.watch(a.readWatch, descriptor: a.descriptor, timeoutNanos: 2_000_000_000, counters: a.counters))
        var byte: UInt8 = 0
        let (error, _) = Self.blockedRead(peer: b, backstopSeconds: 5) { _ = try a.read(into: &byte, count: 1) }
        #expect(error?.isTimeout == true, "\(String(describing: error))")
    }

    @Test("after it fired, every read fails as the timeout, even with data there (TCP delivers after SHUT_RD)")
    func firedStaysFired() throws {
        let listener = try Listener(endpoint: .tcp(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let a = try Socket.connect(to: listener.endpoint)
        defer { a.close() }
        let b = try #require(try listener.accept())
        defer { b.close() }
        try a.watchReads(SocketTimeout(.milliseconds(40)))
        var byte: UInt8 = 0
        let (first, _) = Self.blockedRead(peer: b) { _ = try a.read(into: &byte, count: 1) }
        #expect(first?.isTimeout == true, "\(String(describing: first))")
        byte = 5
        try b.writeAll(&byte, count: 1)
        usleep(20_000)
        #expect(throws: SystemError.self) { _ = try a.read(into: &byte, count: 1) }
        do {
            _ = try a.read(into: &byte, count: 1)
        } catch {
            #expect(error.isTimeout && error.description.contains("no data within 40 ms"), "\(error)")
        }
    }

    @Test("the timeout in the error is the one configured, below a millisecond too")
    func timeoutText() {
        let watch = ReadWatch()
        for (nanos, text) in [(80_000_000 as UInt64, "80 ms"), (2_000_000_000, "2 s"), (500_000, "500 µs"), (2_500_000, "2500 µs"), (12_345_678, "12 ms"), (300, "1 µs")] {
            watch.firedAfterNanos.store(nanos, ordering: .relaxed)
            #expect(watch.timeoutError("recv").description.contains("no data within \(text)"), "\(nanos)")
        }
    }

    @Test("reads that keep getting data within the timeout are never cut off, however long the exchange")
    func progressKeepsTheConnection() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        // 250 ms against 40 ms gaps: a margin a loaded machine keeps (other suites run beside).
        try a.watchReads(SocketTimeout(.milliseconds(250)))
        let writer = NativeThread.spawn(name: "test-writer") {
            var byte: UInt8 = 1
            // Bounded: 12 bytes, 40 ms apart (about 0.5 s, two timeouts' worth in total).
            for _ in 0..<12 {
                usleep(40_000)
                try? b.writeAll(&byte, count: 1)
            }
        }
        defer { writer.join() }
        var got = 0
        var byte: UInt8 = 0
        for _ in 0..<12 { got += try a.read(into: &byte, count: 1) }
        #expect(got == 12)
        #expect(!a.readWatch.hasFired)
    }

    @Test("a watched socket that is not reading is left alone, however long it waits")
    func idleOutsideAReadIsNotCutOff() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        try a.watchReads(SocketTimeout(.milliseconds(30)))
        usleep(200_000)
        var byte: UInt8 = 9
        try b.writeAll(&byte, count: 1)
        byte = 0
        #expect(try a.read(into: &byte, count: 1) == 1)
        #expect(byte == 9)
        #expect(!a.readWatch.hasFired)
    }

    @Test("none stops watching, and closing leaves the watchdog's table")
    func forgetAndClose() throws {
        let (a, b) = try Socket.makePair()
        defer { a.close() }
        defer { b.close() }
        try a.watchReads(SocketTimeout(.milliseconds(50)))
        #expect(a.readWatch.isWatched)
        try a.watchReads(.none)
        #expect(!a.readWatch.isWatched)
        // Unwatched: a read waits past the old timeout and still gets its byte.
        let writer = NativeThread.spawn(name: "test-writer") {
            usleep(150_000)
            var byte: UInt8 = 3
            try? b.writeAll(&byte, count: 1)
        }
        // Joined before b closes (defers run last first), whatever the read does.
        defer { writer.join() }
        var byte: UInt8 = 0
        #expect(try a.read(into: &byte, count: 1) == 1)
        try a.watchReads(SocketTimeout(.seconds(5)))
        #expect(a.readWatch.isWatched)
        a.close()
        #expect(!a.readWatch.isWatched)
        // Closed: a late watch does nothing (its number may belong to another socket by now).
        try? a.watchReads(SocketTimeout(.seconds(5)))
        #expect(!a.readWatch.isWatched)
    }

    @Test("a blocked seqpacket receive times out the same way (recvmsg)")
    func seqpacketTimesOut() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try b.watchReads(seconds: 0.05)
        var buffer = [UInt8](repeating: 0, count: 16)
        let (error, nanos) = Self.blockedRead(peer: a) {
            _ = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) }
        }
        #expect(error?.isTimeout == true && error?.call == "recvmsg", "\(String(describing: error))")
        #expect(nanos >= 50_000_000 && nanos < 2_000_000_000, "\(nanos) ns")
    }

    @Test("bad timeouts are refused before anything is watched", arguments: [Double.nan, -1, .infinity])
    func badSeconds(seconds: Double) throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        #expect(throws: TransportError.self) { try a.watchReads(seconds: seconds) }
        #expect(!a.readWatch.isWatched)
    }

    /// After a stop (`cutAll`), a write blocked on a peer that stopped reading is cut off with
    /// the grace time, as a read is; it waited out its SO_SNDTIMEO (--io-timeout: 30 s, review).
    @Test("after cutAll, a write blocked on a peer that stopped reading fails as a timeout (send) within the grace time")
    func cutAllCutsABlockedWrite() throws {
        let dog = ReadWatchdog()
        let (a, b) = try Socket.makePair()
        defer {
            dog.forget(a.readWatch, forGood: true)
            a.close()
            b.close()
        }
        try a.setSendTimeout(seconds: 20)
        #expect(dog.watch(a.readWatch, descriptor: a.descriptor, timeoutNanos: 20_000_000_000, counters: a.counters))
        let size = 8 << 20
        let failure = LockedValue<SystemError?>(nil)
        let ended = LockedValue<UInt64>(0)
        let writer = NativeThread.spawn(name: "test-writer") {
            let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer { block.deallocate() }
            block.initializeMemory(as: UInt8.self, repeating: 1, count: size)
            do throws(SystemError) { try a.writeAll(block, count: size) } catch { failure.withLock { $0 = error } }
            ended.withLock { $0 = MonotonicClock.nanos() }
        }
        usleep(200_000)  // b never reads: the writer is blocked by now
        let cut = MonotonicClock.nanos()
        dog.cutAll(afterNanos: 300_000_000)
        // A backstop: b drains after 5 s, so a watchdog that never cuts fails the test, not hangs it.
        for _ in 0..<500 where ended.value == 0 { usleep(10_000) }
        if ended.value == 0 { _ = b.discardUntilEnd(maxBytes: size, maxNanos: 1_000_000_000) }
        writer.join()
        let error = failure.value
        #expect(error?.isTimeout == true && error?.call == "send", "\(String(describing: error))")
        #expect(error?.description.contains("no room to send within 300 ms") == true, "\(String(describing: error))")
        let nanos = ended.value &- cut
        #expect(nanos >= 300_000_000 && nanos < 2_000_000_000, "\(nanos) ns")
    }

    /// One grace time for all: a read that begins after it (the stats a stopped case fetches)
    /// is cut a tick after it is seen blocked, not after a grace time of its own.
    @Test("after cutAll's grace time, a read that begins is cut within a tick or two")
    func aReadAfterTheGraceTimeIsCutAtOnce() throws {
        let dog = ReadWatchdog()
        let (a, b) = try Socket.makePair()
        defer {
            dog.forget(a.readWatch, forGood: true)
            a.close()
            b.close()
        }
        #expect(dog.watch(a.readWatch, descriptor: a.descriptor, timeoutNanos: 20_000_000_000, counters: a.counters))
        dog.cutAll(afterNanos: 800_000_000)
        usleep(900_000)
        var byte: UInt8 = 0
        let (error, nanos) = Self.blockedRead(peer: b, backstopSeconds: 3) { _ = try a.read(into: &byte, count: 1) }
        #expect(error?.isTimeout == true, "\(String(describing: error))")
        // Two ticks of 100 ms, and slack: its own grace time would be 800 ms.
        #expect(nanos < 600_000_000, "\(nanos) ns")
    }
}
