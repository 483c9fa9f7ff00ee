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

    /// Characters allowed in an email's domain (ASCII host names; no IDN).
    @inline(__always)
    static func isEmailDomain(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == dot || byte == dash
    }

    /// Lowercase hexadecimal digits, for tokens.
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Finds byte strings inside byte strings (the verifier's leak scan).
enum ByteSearch {
    /// Whether `needle` occurs in `haystack`. An empty needle occurs nowhere (nothing leaks).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        let n = needle.count
        let h = haystack.count
        guard n > 0, n <= h else { return false }
        let first = needle[0]
        var start = 0
        let lastStart = h - n
        while start <= lastStart {
            if haystack[start] == first {
                var matched = 1
                while matched < n && haystack[start + matched] == needle[matched] {
                    matched += 1
                }
                if matched == n { return true }
            }
            start += 1
        }
        return false
    }
}
