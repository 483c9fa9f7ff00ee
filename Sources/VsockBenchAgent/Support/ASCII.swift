/// Byte-level character classes for scanning UTF-8 cells without decoding them.
///
/// Every class here is ASCII-only, so a span found by them never starts or ends inside a
/// multi-byte UTF-8 sequence: rewriting such spans cannot break the text around them.
enum ASCII {
    static let asterisk = UInt8(ascii: "*")
    static let at = UInt8(ascii: "@")
    static let dot = UInt8(ascii: ".")
    static let space = UInt8(ascii: " ")
    static let dash = UInt8(ascii: "-")

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    /// Bytes of an email's local part: the common subset of RFC 5322's atext, and any
    /// non-ASCII byte (RFC 6531 allows UTF-8 local parts: `zoë@…` is masked whole, never in
    /// part). Extending over whole runs of non-ASCII bytes, a span still starts right after an
    /// ASCII byte, so at a character boundary.
    @inline(__always)
    static func isEmailLocal(_ byte: UInt8) -> Bool {
        byte >= 0x80 || isLetterOrDigit(byte) || byte == dot || byte == UInt8(ascii: "_") || byte == dash
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "%")
    }

    /// Whether any of the 8 bytes of `word` may be `@` or a digit (never false when one is;
    /// rarely true when none is). The SWAR "has zero byte" and "has byte less than" tests.
    @inline(__always)
    static func mayHoldAtOrDigit(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let atBytes = word ^ (ones &* 0x40)
        let digitOffsets = word ^ (ones &* 0x30)
        let hasAt = (atBytes &- ones) & ~atBytes & highs
        let hasDigit = (digitOffsets &- ones &* 10) & ~digitOffsets & highs
        return (hasAt | hasDigit) != 0
    }

    /// Characters of a host name: the only domain an email keeps when masked.
    @inline(__always)
    static func isEmailDomain(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == dot || byte == dash
    }

    /// Bytes free-text scanning takes as part of an email's domain: a host name's, and any
    /// non-ASCII byte (an internationalized domain, `exämple.de`, so that such an email is
    /// found and masked whole rather than left as it is). Like the local part, a span
    /// extended over whole runs of non-ASCII bytes still ends at a character boundary.
    @inline(__always)
    static func isEmailDomainInText(_ byte: UInt8) -> Bool {
        byte >= 0x80 || isEmailDomain(byte)
    }
}
