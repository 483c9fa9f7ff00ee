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

    /// ASCII bytes of an email's local part: the common subset of RFC 5322's atext (its
    /// non-ASCII letters are `emailLocalCharacterLength`'s).
    @inline(__always)
    static func isEmailLocal(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == dot || byte == UInt8(ascii: "_") || byte == dash
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

    /// How many bytes of `text` from `index` free-text scanning takes as one character of an
    /// email's domain: 1 for a host name's ASCII byte, the character's length for a non-ASCII
    /// letter or digit (an internationalized domain, `exämple.de`, so that such an email is
    /// found and masked whole rather than left as it is); 0 for anything else, where the
    /// domain ends. Non-ASCII punctuation and spaces end it (`bob@example.com’s inbox`,
    /// `bob@example.com，谢谢`: the text after the address was taken into its domain and lost;
    /// review). Malformed UTF-8 ends it too.
    static func emailDomainCharacterLength(_ text: UnsafeRawBufferPointer, at index: Int) -> Int {
        let byte = text[index]
        if byte < 0x80 { return isEmailDomain(byte) ? 1 : 0 }
        return nonASCIILetterLength(text, at: index)
    }

    /// How many bytes of `text` before `end` free-text scanning takes as one character of an
    /// email's local part: 1 for its ASCII bytes, the character's length for a non-ASCII
    /// letter or digit (RFC 6531: `zoë@…`); 0 where the local part begins (`«bob@…`: the `«`
    /// is the text's, not the address's).
    static func emailLocalCharacterLength(_ text: UnsafeRawBufferPointer, before end: Int) -> Int {
        let byte = text[end - 1]
        if byte < 0x80 { return isEmailLocal(byte) ? 1 : 0 }
        var start = end - 1
        while start > 0 && end - start < 4 && text[start] & 0xC0 == 0x80 { start -= 1 }
        return nonASCIILetterLength(text, at: start) == end - start ? end - start : 0
    }

    /// The length of the UTF-8 character at `index` when it is a letter, a digit or a mark
    /// (of a word: part of a name); 0 for anything else, or malformed UTF-8.
    static func nonASCIILetterLength(_ text: UnsafeRawBufferPointer, at index: Int) -> Int {
        let byte = text[index]
        guard byte >= 0x80 else { return 0 }
        let length = byte >= 0xF0 && byte <= 0xF4 ? 4 : byte >= 0xE0 ? (byte <= 0xEF ? 3 : 0) : byte >= 0xC2 ? 2 : 0
        guard length > 0, index + length <= text.count else { return 0 }
        var value = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            let next = text[index + offset]
            guard next & 0xC0 == 0x80 else { return 0 }
            value = value << 6 | UInt32(next & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
            || properties.generalCategory == .spacingMark ? length : 0
    }
}
