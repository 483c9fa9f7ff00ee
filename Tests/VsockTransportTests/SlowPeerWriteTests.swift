#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
@testable import VsockTransport

/// A peer that reads slowly but steadily is no stalled peer: over TCP a send spends one
/// SO_SNDTIMEO across all its waits, so a large write to such a peer comes back short once a
/// timeout, while the peer is still reading; writeAll goes on (a fresh review measured a short
/// write a second on loopback with no room seen right after it, and the first version of the
/// short-write rule failed the write there).
@Suite struct SlowPeerWriteTests {
    final class Received: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func aLargeWriteToASlowButSteadyReaderCompletes() throws {
        let listener = try Listener(endpoint: .tcp(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        let client = try Socket.connect(to: listener.endpoint)
        defer { client.close() }
        let served = try #require(try listener.accept())
        defer { served.close() }
        // 0.5 s: the reader must read within each timeout; at 0.2 s a stall of the machine
        // (a timed pass right after a release build) once left it unscheduled for longer, and
        // the write failed as stalled with 5.4 of 8 MiB read.
        try client.setSendTimeout(seconds: 0.5)
        let total = 16 << 20
        let received = Received()
        // 64 KiB every 10 ms (about 6.5 MB/s): the 16 MiB take over two seconds, several timeouts.
        let reader = Thread {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer { buffer.deallocate() }
            let end = Date().addingTimeInterval(20)
            while received.count.load(ordering: .relaxed) < total, Date() < end {
                guard let n = try? served.read(into: buffer, count: 65536), n > 0 else { return }
                received.count.add(n, ordering: .relaxed)
                usleep(10_000)
            }
        }
        reader.start()
        let payload = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 16)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 0x5a, count: total)
        let before = client.counters.snapshot()
        var failure: SystemError?
        do {
            try client.writeAll(payload, count: total)
        } catch {
            failure = error
        }
        let after = client.counters.snapshot()
        #expect(failure == nil, "\(String(describing: failure))")
        #expect(after.writes - before.writes > 1, "the write came back short at least once (else this tests nothing): \(after.writes - before.writes) sends")
        for _ in 0..<400 where received.count.load(ordering: .relaxed) < total { usleep(50_000) }
        #expect(received.count.load(ordering: .relaxed) == total)
    }
}
