#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport
@testable import VsockTransport

/// The read watchdog (`Socket.watchReads`): a bounded wait for blocked reads without SO_RCVTIMEO.
@Suite(.serialized) struct ReadWatchdogTests {
    /// If the watchdog never fires, the blocked read would wait forever: after `seconds` this writes
    /// a byte to `peer`, the read returns, and the test fails on what it got.
    private static func backstop(_ peer: Socket, done: StopFlag, seconds: Int = 3) -> NativeThread {
        NativeThread.spawn(name: "test-backstop") {
            for _ in 0..<(seconds * 100) where !done.isSet { usleep(10_000) }
            if !done.isSet {
                var byte: UInt8 = 0xEE
                if peer.kind == .seqpacket {
                    try? peer.sendMessage(&byte, count: 1)
                } else {
                    try? peer.writeAll(&byte, count: 1)
                }
            }
        }
    }

    @Test("a read blocked past the watched timeout fails as a timeout (recv), and the socket can still send")
    func blockedReadTimesOut() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        try a.watchReads(SocketTimeout(.milliseconds(80)))
        let done = StopFlag()
        let guardThread = Self.backstop(b, done: done)
        let kept = try Posix.getOption(a.descriptor, level: SOL_SOCKET, name: SO_RCVTIMEO, initial: Glibc.timeval(), label: "SO_RCVTIMEO")
        #expect(kept.tv_sec == 0 && kept.tv_usec == 0, "the watchdog replaces SO_RCVTIMEO, it does not add to it")
        let start = MonotonicClock.nanos()
        var byte: UInt8 = 0
        #expect {
            _ = try a.read(into: &byte, count: 1)
        } throws: { error in
            let error = error as? SystemError
            return error?.isTimeout == true && error?.call == "recv" && error?.isDisconnect == false
                && error?.description.contains("no data within 80 ms") == true
        }
        let elapsed = MonotonicClock.nanos() - start
        done.set()
        guardThread.join()
        #expect(elapsed >= 80_000_000 && elapsed < 2_000_000_000, "\(elapsed) ns")
        // Only the receive side was shut: an error frame can still go out.
        byte = 7
        try a.writeAll(&byte, count: 1)
        var got: UInt8 = 0
        try b.setReceiveTimeout(seconds: 2)
        #expect(try b.read(into: &got, count: 1) == 1)
        #expect(got == 7)
        #expect(!a.readWatch.isWatched)
    }

    @Test("a watchdog left with nothing to watch wakes for the next socket")
    func idleWatchdogWakes() throws {
        let (c, d) = try Socket.makePair()
        try c.watchReads(SocketTimeout(.seconds(30)))
        c.close()
        d.close()
        // The table may now be empty (other tests share the watchdog): it waits untimed.
        usleep(300_000)
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        // 2 s: the longest tick, so only the idle watchdog's wake-up makes it look.
        try a.watchReads(SocketTimeout(.seconds(2)))
        let done = StopFlag()
        let guardThread = Self.backstop(b, done: done, seconds: 5)
        var byte: UInt8 = 0
        #expect {
            _ = try a.read(into: &byte, count: 1)
        } throws: { error in
            (error as? SystemError)?.isTimeout == true
        }
        done.set()
        guardThread.join()
    }

    @Test("reads that keep getting data within the timeout are never cut off, however long the exchange")
    func progressKeepsTheConnection() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        try a.watchReads(SocketTimeout(.milliseconds(100)))
        let writer = NativeThread.spawn(name: "test-writer") {
            var byte: UInt8 = 1
            // Bounded: 12 bytes, 40 ms apart (about 0.5 s, five timeouts' worth in total).
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
        var byte: UInt8 = 0
        #expect(try a.read(into: &byte, count: 1) == 1)
        writer.join()
        try a.watchReads(SocketTimeout(.seconds(5)))
        #expect(a.readWatch.isWatched)
        a.close()
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
        let done = StopFlag()
        let guardThread = Self.backstop(a, done: done)
        var buffer = [UInt8](repeating: 0, count: 16)
        let start = MonotonicClock.nanos()
        #expect {
            _ = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) }
        } throws: { error in
            (error as? SystemError)?.isTimeout == true && (error as? SystemError)?.call == "recvmsg"
        }
        let elapsed = MonotonicClock.nanos() - start
        done.set()
        guardThread.join()
        #expect(elapsed >= 50_000_000 && elapsed < 2_000_000_000, "\(elapsed) ns")
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
}
