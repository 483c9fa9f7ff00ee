/// Remembers, for one connection, which token each name got, by fingerprints (so the
/// verifier holds no names): one name must keep one token, and two names must not share one.
struct NameTokenRegistry: Sendable {
    private var tokenOfName: [UInt64: UInt64] = [:]
    private var nameOfToken: [UInt64: UInt64] = [:]

    /// Records the pair; false when it contradicts an earlier one.
    mutating func record(name: UnsafeRawBufferPointer, token: UnsafeRawBufferPointer) -> Bool {
        let nameKey = Self.fingerprint(name)
        let tokenKey = Self.fingerprint(token)
        if let known = tokenOfName[nameKey] {
            return known == tokenKey
        }
        if nameOfToken[tokenKey] != nil {
            return false
        }
        tokenOfName[nameKey] = tokenKey
        nameOfToken[tokenKey] = nameKey
        return true
    }

    /// FNV-1a, 64 bits: a collision among the few thousand names of a run is vanishingly
    /// unlikely, and nothing here needs a keyed hash.
    private static func fingerprint(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
