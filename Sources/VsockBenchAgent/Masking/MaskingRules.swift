/// The per-class masking rules, on raw cell bytes. Every rule leaves non-ASCII bytes alone
/// or drops whole cells, so a masked cell is valid UTF-8 whenever the input cell was.
///
/// The verifier checks responses against the same formats, written out independently in
/// `MaskedFormat`, so a change here that is not mirrored there fails the tests.
enum MaskingRules {
    /// Digits of a card number that stay visible (the last four).
    static let cardDigitsKept = 4
    /// Digits of a phone number that stay visible (the last two).
    static let phoneDigitsKept = 2
    /// What every national id becomes: nothing of the value, not even its length, survives.
    static let redacted: [UInt8] = Array("[REDACTED]".utf8)
    /// What replaces an email's local part (and a whole email without a usable domain).
    static let emailMask: [UInt8] = Array("***".utf8)

    /// Writes `***@domain` when what follows the last `@` is a host name (letters, digits,
    /// dashes, dots between labels: nothing else of the value may ride along after it), else
    /// `***` alone. Writes at most `value.count + 3` bytes.
    static func maskEmail(_ value: UnsafeRawBufferPointer, into output: inout ByteWriter) {
        output.write(emailMask)
        var at = value.count
        while at > 0 {
            at -= 1
            if value[at] == ASCII.at { break }
        }
        guard value.count > 0, value[at] == ASCII.at, isHostName(UnsafeRawBufferPointer(rebasing: value[(at + 1)...]))
        else { return }
        output.write(UnsafeRawBufferPointer(rebasing: value[at...]))
    }

    /// Labels of ASCII letters, digits and dashes, each starting and ending with a letter or
    /// digit, joined by single dots.
    static func isHostName(_ domain: UnsafeRawBufferPointer) -> Bool {
        guard !domain.isEmpty else { return false }
        var previous = ASCII.dot
        for byte in domain {
            guard ASCII.isEmailDomain(byte) else { return false }
            // A label starts and ends with a letter or digit (inner dashes may follow each other).
            if byte == ASCII.dot {
                guard ASCII.isLetterOrDigit(previous) else { return false }
            } else if byte == ASCII.dash {
                guard previous != ASCII.dot else { return false }
            }
            previous = byte
        }
        return ASCII.isLetterOrDigit(previous)
    }

    /// Writes `value` with every ASCII digit but the last `keep` replaced by `*`.
    static func writeMaskingDigits(_ value: UnsafeRawBufferPointer, keep: Int, into output: inout ByteWriter) {
        let start = output.count
        output.write(value)
        maskDigits(output.written(from: start), keep: keep)
    }

    /// Replaces, in place, every ASCII digit but the last `keep` with `*`; separators, letters
    /// and non-ASCII bytes stay. A value with `keep` digits or fewer loses all of them, since
    /// keeping them would reveal the whole value. Returns whether any digit was masked.
    @discardableResult
    static func maskDigits(_ value: UnsafeMutableRawBufferPointer, keep: Int) -> Bool {
        var digits = 0
        for byte in value where ASCII.isDigit(byte) {
            digits += 1
        }
        guard digits > 0 else { return false }
        var toMask = digits > keep ? digits - keep : digits
        var index = 0
        while toMask > 0 {
            if ASCII.isDigit(value[index]) {
                value[index] = ASCII.asterisk
                toMask -= 1
            }
            index += 1
        }
        return true
    }
}
