import VsockWire
import VsockBenchModel

/// The bytes every payload is cut from: a pseudo-random pool generated once from the case's
/// seed, so the driver and the target derive identical content without sending it twice.
///
/// The pool has a prime length `period` and is extended by `maxMessage` bytes (a copy of its
/// own beginning), so any window `[offset, offset + n)` with `n <= maxMessage` is contiguous:
/// stream writes go straight from the pool (no copy), and a request is one memcpy.
///
/// - Message `seq` of `n` bytes is the window at `offset(seq)`; a lost, duplicated or
///   reordered message shows as a mismatch.
/// - Stream byte `k` is `pool[k % period]`; a lost or duplicated range shifts the position.
/// `@unchecked Sendable`: the bytes are written once, in `init`, and only read afterwards.
public final class PayloadPool: @unchecked Sendable {
    /// A prime (the largest below 64 Ki), so windows never line up with power-of-two write
    /// sizes; small, so the pool (period + maxMessage, 128 KiB for 64 KiB writes) stays in a
    /// core's L2 cache as the source of every stream write and request copy. With a 1 MiB
    /// period the bulk stream averaged 21.7 Gbps, with this one 23.3 (`scripts/bench-peers.sh
    /// --workload stream --binary B`, two binaries alternated, 6 rounds of 3 s each; this
    /// machine's round-to-round noise is about 15%, so read it as "not slower, likely faster").
    public static let defaultPeriod = 65_521

    public let period: Int
    public let maxMessage: Int
    /// Read-only after init; shared by the threads of one side.
    public let base: UnsafeMutableRawPointer
    public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: period + maxMessage) }

    public init(seed: UInt64, maxMessage: Int, period: Int = PayloadPool.defaultPeriod) {
        self.period = period
        self.maxMessage = maxMessage
        let count = period + maxMessage
        base = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        let bytes = UnsafeMutableRawBufferPointer(start: base, count: count)
        var state = seed ^ 0x5653_4B42_0000_0001
        var i = 0
        while i + 8 <= period {
            bytes.storeBytes(of: Self.splitmix(&state), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        let tail = Self.splitmix(&state)
        while i < period {
            bytes[i] = UInt8(truncatingIfNeeded: tail >> UInt64((i % 8) * 8))
            i += 1
        }
        var filled = period
        while filled < count {
            let chunk = min(period, count - filled)
            (base + filled).copyMemory(from: base, byteCount: chunk)
            filled += chunk
        }
    }

    deinit { base.deallocate() }

    @inline(__always)
    static func splitmix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Where message `seq` starts in the pool.
    @inline(__always)
    public func offset(sequence: UInt64) -> Int {
        Int(((sequence &* 0x9E37_79B9_7F4A_7C15) >> 11) % UInt64(period))
    }

    /// The `n` payload bytes of message `seq` (n <= maxMessage).
    @inline(__always)
    public func message(sequence: UInt64, count: Int) -> UnsafeRawBufferPointer {
        precondition(count <= maxMessage, "payload larger than the pool was built for")
        return UnsafeRawBufferPointer(start: base + offset(sequence: sequence), count: count)
    }

    /// The stream bytes `[position, position + n)` (n <= maxMessage).
    @inline(__always)
    public func stream(at position: UInt64, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + Int(position % UInt64(period)), count: count)
    }

    /// True when `data` is exactly message `seq`.
    @inline(__always)
    public func matches(_ data: UnsafeRawBufferPointer, sequence: UInt64) -> Bool {
        guard data.count <= maxMessage else { return false }
        guard let start = data.baseAddress, !data.isEmpty else { return true }
        return memcmp(start, base + offset(sequence: sequence), data.count) == 0
    }

    /// True when the first and last (up to) 8 bytes of `data` are message `seq`'s (rr `verify:
    /// edges`): a response of another message, or shifted, fails; a byte altered inside passes.
    @inline(__always)
    public func edgesMatch(_ data: UnsafeRawBufferPointer, sequence: UInt64) -> Bool {
        guard data.count <= maxMessage else { return false }
        guard let start = data.baseAddress, !data.isEmpty else { return true }
        let expected = base + offset(sequence: sequence)
        let edge = min(8, data.count)
        return memcmp(start, expected, edge) == 0 && memcmp(start + data.count - edge, expected + data.count - edge, edge) == 0
    }

    /// The first differing byte index between `data` and message `seq`, for error messages.
    public func firstMismatch(_ data: UnsafeRawBufferPointer, sequence: UInt64) -> Int? {
        let expected = message(sequence: sequence, count: min(data.count, maxMessage))
        for i in 0..<expected.count where data[i] != expected[i] { return i }
        return data.count > maxMessage ? maxMessage : nil
    }

    /// Checks a received stream range as `verify` asks. nil when it passes; otherwise where,
    /// within the range, the trouble is: the first bad byte (`full`), or 0 (`edges`: this range).
    @inline(__always)
    public func streamProblem(_ data: UnsafeRawPointer, count: Int, at position: UInt64, _ verify: PayloadVerification) -> Int? {
        verify == .full ? streamMismatch(data, count: count, at: position) : (spotCheck(data, count: count, at: position) ? nil : 0)
    }

    /// The first byte of a received stream range that is not the pool's byte at its stream
    /// position, or nil: every byte compared (windows of at most `maxMessage`, each contiguous).
    public func streamMismatch(_ data: UnsafeRawPointer, count: Int, at position: UInt64) -> Int? {
        var done = 0
        while done < count {
            let n = min(count - done, maxMessage)
            let expected = base + Int((position &+ UInt64(done)) % UInt64(period))
            if memcmp(data + done, expected, n) != 0 {
                let got = data + done
                for i in 0..<n where got.load(fromByteOffset: i, as: UInt8.self) != expected.load(fromByteOffset: i, as: UInt8.self) {
                    return done + i
                }
            }
            done += n
        }
        return nil
    }

    /// Takes the stream bytes a frame reader already holds (they arrived with the hello or the
    /// ack), checked as the start of the stream. Returns how many, and where the trouble is
    /// (see `streamProblem`; the stream offset, as these bytes start the stream).
    public func takeStreamStart(from reader: FrameReader, verify: PayloadVerification = .edges) -> (count: Int, problem: Int?) {
        var result: (count: Int, problem: Int?) = (0, nil)
        reader.drainBuffered { leftover in
            guard let base = leftover.baseAddress, !leftover.isEmpty else { return }
            result = (leftover.count, streamProblem(base, count: leftover.count, at: 0, verify))
        }
        return result
    }

    /// Checks the first and last 8 bytes of a received stream range (a cheap check that
    /// catches lost, duplicated and shifted ranges; see `PayloadVerification`).
    @inline(__always)
    public func spotCheck(_ data: UnsafeRawPointer, count: Int, at position: UInt64) -> Bool {
        let edge = min(8, count)
        if memcmp(data, base + Int(position % UInt64(period)), edge) != 0 { return false }
        // The last bytes' own place in the period: a read may be longer than the pool window.
        let tail = base + Int((position &+ UInt64(count - edge)) % UInt64(period))
        return memcmp(data + count - edge, tail, edge) == 0
    }
}

#if canImport(Glibc)
import Glibc
#endif
