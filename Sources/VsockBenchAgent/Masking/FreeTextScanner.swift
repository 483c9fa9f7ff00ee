/// Finds emails and payment card numbers inside free text and masks them in place.
///
/// - An email is `local@domain`: local from `[A-Za-z0-9._%+-]` or non-ASCII, a domain of
///   `[A-Za-z0-9.-]` holding a dot; a trailing dot or dash (end of a sentence) is not part of
///   it. It becomes `***@domain`, as in an email column.
/// - A card is a run of 13 to 19 digits, optionally split by single spaces or dashes, that
///   passes the Luhn check and stands as a word of its own (no letter or digit right before
///   it, no letter, digit or `@` right after). All digits but the last four become `*`. Runs
///   that fail Luhn (order references, say) are left as they are.
///
/// Scanning is byte-wise and ASCII-only, so multi-byte UTF-8 text around a match is copied
/// unchanged and never split.
struct FreeTextScanner {
    /// What one scan found.
    struct Found: Equatable {
        var emails = 0
        var cards = 0
        var isEmpty: Bool { emails == 0 && cards == 0 }
    }

    /// Scans `text` and writes it to `output`, with what it found masked: at most
    /// `2 * text.count` bytes (`a@b.co` becomes `***@b.co`).
    static func scan(_ text: UnsafeRawBufferPointer, into output: inout ByteWriter) -> Found {
        var found = Found()
        let count = text.count
        var copied = 0
        var index = 0
        while index < count {
            let byte = text[index]
            // Most bytes are neither `@` nor a digit: skip them, eight at a time where a whole
            // word holds neither.
            if byte != ASCII.at && !ASCII.isDigit(byte) {
                index += 1
                while index < count {
                    if index + 8 <= count {
                        let word = UInt64(littleEndian: text.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                        if !ASCII.mayHoldAtOrDigit(word) {
                            index += 8
                            continue
                        }
                    }
                    let next = text[index]
                    if next == ASCII.at || ASCII.isDigit(next) { break }
                    index += 1
                }
                continue
            }
            if byte == ASCII.at {
                if let email = emailAround(at: index, in: text, notBefore: copied) {
                    output.write(UnsafeRawBufferPointer(rebasing: text[copied..<email.lowerBound]))
                    MaskingRules.maskEmail(UnsafeRawBufferPointer(rebasing: text[email]), into: &output)
                    copied = email.upperBound
                    index = email.upperBound
                    found.emails += 1
                } else {
                    index += 1
                }
            } else {
                let run = digitRun(from: index, in: text)
                if run.isCard {
                    output.write(UnsafeRawBufferPointer(rebasing: text[copied..<index]))
                    MaskingRules.writeMaskingDigits(
                        UnsafeRawBufferPointer(rebasing: text[index..<run.end]), keep: MaskingRules.cardDigitsKept,
                        into: &output)
                    copied = run.end
                    found.cards += 1
                }
                index = run.end
            }
        }
        output.write(UnsafeRawBufferPointer(rebasing: text[copied..<count]))
        return found
    }

    /// The email whose `@` is at `at`, if the bytes around it form one. The local part does
    /// not reach back before `notBefore` (the end of what was already masked).
    static func emailAround(at: Int, in text: UnsafeRawBufferPointer, notBefore: Int) -> Range<Int>? {
        var start = at
        while start > notBefore && ASCII.isEmailLocal(text[start - 1]) {
            start -= 1
        }
        while start < at && text[start] == ASCII.dot {
            start += 1
        }
        guard start < at else { return nil }
        var end = at + 1
        while end < text.count && ASCII.isEmailDomain(text[end]) {
            end += 1
        }
        while end > at + 1 && (text[end - 1] == ASCII.dot || text[end - 1] == ASCII.dash) {
            end -= 1
        }
        guard end > at + 1, ASCII.isLetterOrDigit(text[at + 1]) else { return nil }
        var hasDot = false
        for index in (at + 2)..<max(end, at + 2) where text[index] == ASCII.dot {
            hasDot = true
            break
        }
        return hasDot ? start..<end : nil
    }

    /// A maximal run of digits (with single inner spaces or dashes) starting at `start`.
    struct DigitRun {
        var end: Int
        var isCard: Bool
    }

    static func digitRun(from start: Int, in text: UnsafeRawBufferPointer) -> DigitRun {
        let count = text.count
        var index = start
        var digits = 0
        var end = start
        // Luhn sums for both parities; which applies depends on the final digit count.
        var sumEven = 0
        var sumOdd = 0
        while index < count {
            let byte = text[index]
            if ASCII.isDigit(byte) {
                let digit = Int(byte &- UInt8(ascii: "0"))
                let doubled = digit < 5 ? digit * 2 : digit * 2 - 9
                if digits & 1 == 0 {
                    sumEven += doubled
                    sumOdd += digit
                } else {
                    sumEven += digit
                    sumOdd += doubled
                }
                digits += 1
                index += 1
                end = index
            } else if (byte == ASCII.space || byte == ASCII.dash) && index + 1 < count
                && ASCII.isDigit(text[index + 1])
            {
                index += 1
            } else {
                break
            }
        }
        let standsAlone =
            (start == 0 || !ASCII.isLetterOrDigit(text[start - 1]))
            && (end == count || !(ASCII.isLetterOrDigit(text[end]) || text[end] == ASCII.at))
        guard standsAlone, digits >= 13, digits <= 19 else {
            return DigitRun(end: end, isCard: false)
        }
        // The rightmost digit is never doubled: with an even count, even positions are doubled.
        let sum = digits & 1 == 0 ? sumEven : sumOdd
        return DigitRun(end: end, isCard: sum % 10 == 0)
    }
}
