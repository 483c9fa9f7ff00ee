#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
import Testing
import VsockBenchSupport
@testable import VsockTransport

/// A Unix socket path private to this process and test.
func temporarySocketPath(_ name: String) -> String {
    "/tmp/vsockbench-transport-\(getpid())-\(name).sock"
}

@Suite struct SocketConnectTests {
    @Test("no socket file: the error names connect, ENOENT, and says to start serve")
    func missingSocketFile() {
        let endpoint = Endpoint.unix(path: temporarySocketPath("missing"))
        #expect {
            _ = try Socket.connect(to: endpoint)
        } throws: { error in
            guard case let .connectFailed(failed, systemError) = error as? TransportError else { return false }
            return failed == endpoint && systemError.call == "connect" && systemError.errno == .noSuchFileOrDirectory
                && "\(error)".contains("no such socket file") && "\(error)".contains("vsockbench serve")
        }
    }

    @Test("a socket file nobody listens on: ECONNREFUSED, worded as refused")
    func refusedConnection() throws {
        let path = temporarySocketPath("refused")
        unlink(path)
        // Bound but not listening: the kernel refuses connections to it.
        let bound = try Posix.socket(domain: AF_UNIX, type: Int32(SOCK_STREAM.rawValue))
        defer {
            Posix.close(bound)
            unlink(path)
        }
        try Posix.bind(bound, to: SocketAddress.resolve(.unix(path: path), passive: true))
        #expect {
            _ = try Socket.connect(to: .unix(path: path))
        } throws: { error in
            guard case let .connectFailed(_, systemError) = error as? TransportError else { return false }
            return systemError.errno == .connectionRefused && "\(error)".contains("connection refused")
        }
    }

    @Test("a pair exchanges bytes and counts one read and one write")
    func pairCounts() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        let message: [UInt8] = [1, 2, 3, 4, 5]
        try message.withUnsafeBytes { try a.writeAll($0.baseAddress!, count: $0.count) }
        var received = [UInt8](repeating: 0, count: 8)
        let n = try received.withUnsafeMutableBytes { try b.read(into: $0.baseAddress!, count: $0.count) }
        #expect(Array(received[0..<n]) == message)
        #expect(a.counters.snapshot().writes == 1 && a.counters.snapshot().bytesWritten == 5)
        #expect(b.counters.snapshot().reads == 1 && b.counters.snapshot().bytesRead == 5)
    }

    @Test("chained reads: a read after a write is timed from the write's end, so a pause between them counts as the read's wait", arguments: [false, true])
    func chainedReadTiming(chained: Bool) throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        if chained { a.chainReadsToWrites() }
        var byte: UInt8 = 7
        try b.writeAll(&byte, count: 1)  // the answer is buffered before a even asks
        try a.writeAll(&byte, count: 1)
        let pause: UInt64 = 50_000_000
        MonotonicClock.sleep(nanos: pause)
        let n = try a.read(into: &byte, count: 1)
        #expect(n == 1)
        let readNanos = a.counters.snapshot().readNanos
        if chained {
            // From the write's end: the pause is in it.
            #expect(readNanos >= pause)
        } else {
            // Its own start: a read of a byte already buffered takes microseconds, not the pause.
            #expect(readNanos < pause)
        }
        // A second read, with no write before it, times itself again (the chain is used once).
        try b.writeAll(&byte, count: 1)
        MonotonicClock.sleep(nanos: pause)
        _ = try a.read(into: &byte, count: 1)
        #expect(a.counters.snapshot().readNanos - readNanos < pause)
    }

    @Test("untimed writes: a write reads the clock once, before its send, and its time and the pause after it count in the next read")
    func untimedWrites() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        a.chainReadsToWrites(untimedWrites: true)
        var byte: UInt8 = 7
        try b.writeAll(&byte, count: 1)
        let before = MonotonicClock.nanos()
        try a.writeAll(&byte, count: 1)
        let after = MonotonicClock.nanos()
        let written = a.counters.snapshot()
        #expect(written.writes == 1 && written.bytesWritten == 1)
        #expect(written.writeNanos == 0)
        // Its end, as the handler reads it, is when it started: between the two clock reads around it.
        #expect(a.counters.lastWriteEndNanos >= before && a.counters.lastWriteEndNanos <= after)
        let pause: UInt64 = 50_000_000
        MonotonicClock.sleep(nanos: pause)
        _ = try a.read(into: &byte, count: 1)
        #expect(a.counters.snapshot().readNanos >= pause)
        // An empty write sends nothing and leaves no start for a read to take.
        try a.writeAll(&byte, count: 0)
        try b.writeAll(&byte, count: 1)
        MonotonicClock.sleep(nanos: pause)
        let readBefore = a.counters.snapshot().readNanos
        _ = try a.read(into: &byte, count: 1)
        #expect(a.counters.snapshot().readNanos - readBefore < pause)
        #expect(a.counters.snapshot().writes == 1)
    }

    @Test("writing to a closed peer fails in the write (send) with EPIPE, a disconnect")
    func writeToClosedPeer() throws {
        let (a, b) = try Socket.makePair()
        defer { a.close() }
        b.close()
        var byte: UInt8 = 7
        #expect {
            try a.writeAll(&byte, count: 1)
        } throws: { error in
            let error = error as? SystemError
            return error?.call == "send" && error?.errno == .brokenPipe && error?.isDisconnect == true
        }
    }

    @Test("waitForEndOfStream returns once the peer half-closes, after discarding its bytes")
    func waitsForEndOfStream() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        let bytes = [UInt8](repeating: 9, count: 1000)
        try bytes.withUnsafeBytes { try b.writeAll($0.baseAddress!, count: $0.count) }
        b.shutdownWrite()
        a.waitForEndOfStream()
        #expect(a.counters.snapshot().reads == 0)
    }
}

/// writevAll after a short write: the kernel took part of the vectors (here: a signal
/// interrupted writev on a full socket buffer), and the rest must follow, in order, with the
/// short write counted.
@Suite(.serialized) struct WritevShortWriteTests {
    @Test("a writev cut short is continued from the exact byte, and counted as short")
    func continuesAfterShortWrite() throws {
        let (writer, reader) = try Socket.makePair()
        defer {
            writer.close()
            reader.close()
        }
        try writer.apply(SocketOptions(sendBuffer: 4096))
        try reader.setReceiveTimeout(seconds: 5)
        let sizes = [40_000, 1, 70_000, 13, 50_000]
        let total = sizes.reduce(0, +)
        let pattern = (0..<total).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let failure = LockedValue<SystemError?>(nil)
        withInterruptingHandler(for: SIGUSR2) {
            let sender = SignalTarget(name: "writev", unblocking: SIGUSR2) {
                pattern.withUnsafeBytes { raw in
                    var vectors: [iovec] = []
                    var offset = 0
                    for size in sizes {
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset), iov_len: size))
                        offset += size
                    }
                    vectors.withUnsafeMutableBufferPointer { buffer in
                        do throws(SystemError) { try writer.writevAll(buffer) } catch { failure.withLock { $0 = error } }
                    }
                }
            }
            // The buffer fills at once; interrupt the blocked writev until it reports a short
            // write (a signal that lands before any byte moved is an EINTR, retried). Bounded.
            for _ in 0..<400 where writer.counters.snapshot().shortWrites == 0 && !sender.isDone {
                sender.signal(SIGUSR2)
                pause(millis: 5)
            }
            var received: [UInt8] = []
            received.reserveCapacity(total)
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while received.count < total {
                let n = (try? chunk.withUnsafeMutableBytes { try reader.read(into: $0.baseAddress!, count: $0.count) }) ?? 0
                if n == 0 { break }
                received += chunk[0..<n]
            }
            sender.join()
            #expect(received == pattern)
        }
        #expect(failure.value == nil)
        let counts = writer.counters.snapshot()
        #expect(counts.shortWrites >= 1)
        #expect(counts.writes == counts.shortWrites + 1)
        #expect(counts.bytesWritten == UInt64(total))
    }
}
