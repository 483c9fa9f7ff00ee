/// SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit hash of a byte string.
///
/// The agent uses it to turn names into tokens: with a per-connection secret key the same
/// name gives the same token within a connection (so joins still work), while a peer without
/// the key cannot build a dictionary from names to tokens.
struct SipHash24: Sendable {
    let k0: UInt64
    let k1: UInt64

    init(key: (UInt64, UInt64)) {
        k0 = key.0
        k1 = key.1
    }

    func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1

        @inline(__always)
        func round() {
            v0 = v0 &+ v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 = v2 &+ v3; v3 = rotl(v3, 16); v3 ^= v2
            v0 = v0 &+ v3; v3 = rotl(v3, 21); v3 ^= v0
            v2 = v2 &+ v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)
        }

        let count = bytes.count
        let wholeWords = count / 8
        for word in 0..<wholeWords {
            let m = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self))
            v3 ^= m
            round()
            round()
            v0 ^= m
        }
        var last = UInt64(truncatingIfNeeded: count) << 56
        let tail = wholeWords * 8
        for index in tail..<count {
            last |= UInt64(bytes[index]) << (UInt64(index - tail) * 8)
        }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xff
        round()
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    @inline(__always)
    private func rotl(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
