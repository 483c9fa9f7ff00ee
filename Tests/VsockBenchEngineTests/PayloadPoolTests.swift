import Testing
@testable import VsockBenchEngine

@Suite struct PayloadPoolTests {
    @Test func sameSeedSameBytesOtherSeedOtherBytes() {
        let a = PayloadPool(seed: 42, maxMessage: 8192)
        let b = PayloadPool(seed: 42, maxMessage: 8192)
        let c = PayloadPool(seed: 43, maxMessage: 8192)
        #expect(Array(a.message(sequence: 9, count: 64)) == Array(b.message(sequence: 9, count: 64)))
        #expect(Array(a.message(sequence: 9, count: 64)) != Array(c.message(sequence: 9, count: 64)))
    }

    @Test func messagesDifferBySequenceAndMismatchesAreFound() {
        let pool = PayloadPool(seed: 1, maxMessage: 8192)
        let m5 = Array(pool.message(sequence: 5, count: 8192))
        #expect(m5 != Array(pool.message(sequence: 6, count: 8192)))
        m5.withUnsafeBytes { #expect(pool.matches($0, sequence: 5)) }
        m5.withUnsafeBytes { #expect(!pool.matches($0, sequence: 6)) }
        var corrupted = m5
        corrupted[4000] ^= 1
        corrupted.withUnsafeBytes {
            #expect(!pool.matches($0, sequence: 5))
            #expect(pool.firstMismatch($0, sequence: 5) == 4000)
        }
    }

    /// rr `verify: edges`: another message's bytes or a shifted response fail; an altered
    /// byte inside passes (what `full` is for).
    @Test func edgeChecksCatchOtherMessagesNotBytesInside() {
        let pool = PayloadPool(seed: 1, maxMessage: 16384)
        let m5 = Array(pool.message(sequence: 5, count: 8192))
        m5.withUnsafeBytes {
            #expect(pool.edgesMatch($0, sequence: 5))
            #expect(!pool.edgesMatch($0, sequence: 6))
        }
        for (at, caught) in [(0, true), (7, true), (8, false), (4000, false), (8183, false), (8184, true), (8191, true)] {
            var altered = m5
            altered[at] ^= 1
            altered.withUnsafeBytes { #expect(pool.edgesMatch($0, sequence: 5) == !caught, "byte \(at)") }
        }
        let shifted = Array(pool.message(sequence: 5, count: 8193).dropFirst())
        shifted.withUnsafeBytes { #expect(!pool.edgesMatch($0, sequence: 5)) }
        let short = Array(pool.message(sequence: 9, count: 3))
        short.withUnsafeBytes {
            #expect(pool.edgesMatch($0, sequence: 9))
            #expect(!pool.edgesMatch($0, sequence: 10))
        }
    }

    @Test func windowsNearTheEndWrapContiguously() {
        let pool = PayloadPool(seed: 3, maxMessage: 100_000, period: 1009)
        let window = Array(pool.stream(at: 1000, count: 50))
        for (i, byte) in window.enumerated() {
            #expect(byte == pool.bytes[(1000 + i) % 1009])
        }
    }

    @Test func spotChecksCatchShiftedStreams() {
        let pool = PayloadPool(seed: 7, maxMessage: 65536)
        let right = Array(pool.stream(at: 131_072, count: 65536))
        right.withUnsafeBytes { #expect(pool.spotCheck($0.baseAddress!, count: 65536, at: 131_072)) }
        // The same bytes presented one write too early or late (a lost or duplicated write).
        right.withUnsafeBytes { #expect(!pool.spotCheck($0.baseAddress!, count: 65536, at: 65536)) }
        right.withUnsafeBytes { #expect(!pool.spotCheck($0.baseAddress!, count: 65536, at: 196_608)) }
    }

    @Test func spotChecksReadsLongerThanThePoolWindow() {
        // A reader may hold more stream bytes than the pool's window (period + maxMessage):
        // the check finds the last bytes' own place in the period, inside the pool.
        let pool = PayloadPool(seed: 5, maxMessage: 100, period: 1009)
        let stream = (0..<5000).map { pool.bytes[(700 + $0) % 1009] }
        stream.withUnsafeBytes { #expect(pool.spotCheck($0.baseAddress!, count: 5000, at: 700)) }
        var altered = stream
        altered[4995] ^= 0xFF
        altered.withUnsafeBytes { #expect(!pool.spotCheck($0.baseAddress!, count: 5000, at: 700)) }
    }

    @Test func fullChecksFindAByteAlteredInsideARead() {
        let pool = PayloadPool(seed: 9, maxMessage: 65536)
        var read = Array(pool.stream(at: 70_000, count: 65536))
        read.withUnsafeBytes { #expect(pool.streamMismatch($0.baseAddress!, count: 65536, at: 70_000) == nil) }
        read[30_000] ^= 0x01
        read.withUnsafeBytes {
            #expect(pool.spotCheck($0.baseAddress!, count: 65536, at: 70_000), "the edges cannot see it")
            #expect(pool.streamMismatch($0.baseAddress!, count: 65536, at: 70_000) == 30_000)
            #expect(pool.streamProblem($0.baseAddress!, count: 65536, at: 70_000, .full) != nil)
        }
        // Longer than the pool's window: compared window by window.
        let long = (0..<200_000).map { pool.bytes[(123 + $0) % pool.period] }
        long.withUnsafeBytes { #expect(pool.streamMismatch($0.baseAddress!, count: 200_000, at: 123) == nil) }
    }
}
