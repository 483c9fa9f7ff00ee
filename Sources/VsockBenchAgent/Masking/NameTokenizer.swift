/// Replaces names by keyed, deterministic tokens: `tok_` and 16 lowercase hex digits of the
/// SipHash-2-4 of the name's bytes under the connection's key.
///
/// The same name gives the same token for the whole connection, so joins on the masked
/// column still work; a different key (another connection) gives unrelated tokens. The token
/// has a fixed length of 20 bytes, unlike the names it replaces.
struct NameTokenizer: Sendable {
    static let prefix: [UInt8] = Array("tok_".utf8)
    static let tokenLength = 20

    private let hasher: SipHash24

    init(key: (UInt64, UInt64)) {
        hasher = SipHash24(key: key)
    }

    /// Writes the token of `name` (`tokenLength` bytes): the prefix, then the hash's 16 hex
    /// digits, most significant first, eight at a time.
    func writeToken(for name: UnsafeRawBufferPointer, into output: inout ByteWriter) {
        let hash = hasher.hash(name)
        output.write(NameTokenizer.prefix)
        withUnsafeBytes(of: NameTokenizer.hexDigits(UInt32(truncatingIfNeeded: hash >> 32))) { output.write($0) }
        withUnsafeBytes(of: NameTokenizer.hexDigits(UInt32(truncatingIfNeeded: hash))) { output.write($0) }
    }

    /// The 8 lowercase hex digits of `value`, most significant first in memory, computed in
    /// one register: spread the nibbles one per byte, then add `0` or `a` - 10 to each.
    @inline(__always)
    static func hexDigits(_ value: UInt32) -> UInt64 {
        var x = UInt64(value)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        // 1 in each byte whose nibble is 10 or more.
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        x = x &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
        // The most significant nibble sits in the highest byte: swap so it is written first.
        return x.byteSwapped.littleEndian
    }

    /// Whether `bytes` has the shape of a token (the verifier's format check).
    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == tokenLength else { return false }
        for index in 0..<prefix.count where bytes[index] != prefix[index] {
            return false
        }
        for index in prefix.count..<tokenLength {
            let byte = bytes[index]
            guard ASCII.isDigit(byte) || byte &- UInt8(ascii: "a") < 6 else { return false }
        }
        return true
    }
}
