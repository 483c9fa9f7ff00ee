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

    /// Appends the token of `name` to `output`.
    func appendToken(for name: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let hash = hasher.hash(name)
        output.append(contentsOf: NameTokenizer.prefix)
        var shift: UInt64 = 64
        while shift > 0 {
            shift -= 4
            output.append(ASCII.hexDigits[Int(truncatingIfNeeded: (hash >> shift) & 0xf)])
        }
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
