/// Finds emails and payment card numbers inside free text and masks them in place.
///
/// - An email is `local@domain`: local from `[A-Za-z0-9._%+-]` or non-ASCII, a domain of
///   `[A-Za-z0-9.-]` or non-ASCII holding a dot; a trailing dot or dash (end of a sentence) is
///   not part of it. It becomes `***@domain`, as in an email column, or `***` when the domain
///   is not a plain host name (non-ASCII: an internationalized domain is masked whole).
/// - A card is a run of 13 to 19 digits, optionally split by single spaces or dashes, that
///   passes the Luhn check and stands as a word of its own (no letter or digit right before
///   it, no letter, digit or `@` right after). All digits but the last four become `*`. A run
///   that is not a card as a whole (a card with an expiry or a quantity one space away:
///   `4111 1111 1111 1111 12/25`, `qty 3 4111111111111111`) is searched for groups in a row
///   (digits between separators) that make one: from the leftmost group on, the longest that
///   totals 13 to 19 digits and passes Luhn, and the rest of the run after it is searched
///   again. Runs with no such groups (order references, say) are left as they are.
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
        // The end of the digit run a card was just found in: the rest of that run is searched
        // for more as groups, not read again as a run from each card's end (a cell of cards one
        // space apart took time in the square of its length: 2000 cards, 2.2 s in a debug build).
        var restOfRun = 0
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
                let card: Range<Int>?
                let runEnd: Int
                if index < restOfRun {
                    runEnd = restOfRun
                    card = cardInGroups(of: index..<runEnd, in: text)
                } else {
                    let run = digitRun(from: index, in: text)
                    runEnd = run.end
                    card =
                        run.isCard
                        ? index..<run.end
                        : run.grouped && run.digits >= minimumCardDigits ? cardInGroups(of: index..<run.end, in: text) : nil
                }
                if let card {
                    output.write(UnsafeRawBufferPointer(rebasing: text[copied..<card.lowerBound]))
                    MaskingRules.writeMaskingDigits(
                        UnsafeRawBufferPointer(rebasing: text[card]), keep: MaskingRules.cardDigitsKept,
                        into: &output)
                    copied = card.upperBound
                    found.cards += 1
                    // The groups after it, to the run's end, are searched again.
                    index = card.upperBound
                    restOfRun = runEnd
                } else {
                    index = runEnd
                }
            }
        }
        output.write(UnsafeRawBufferPointer(rebasing: text[copied..<count]))
        return found
    }

    /// The email whose `@` is at `at`, if the bytes around it form one. The local part does
    /// not reach back before `notBefore` (the end of what was already masked).
    static func emailAround(at: Int, in text: UnsafeRawBufferPointer, notBefore: Int) -> Range<Int>? {
        var start = at
        while start > notBefore {
            let length = ASCII.emailLocalCharacterLength(text, before: start)
            if length == 0 || start - length < notBefore { break }
            start -= length
        }
        while start < at && text[start] == ASCII.dot {
            start += 1
        }
        guard start < at else { return nil }
        var end = at + 1
        while end < text.count {
            let length = ASCII.emailDomainCharacterLength(text, at: end)
            if length == 0 { break }
            end += length
        }
        while end > at + 1 && (text[end - 1] == ASCII.dot || text[end - 1] == ASCII.dash) {
            end -= 1
        }
        guard end > at + 1, ASCII.isLetterOrDigit(text[at + 1]) || text[at + 1] >= 0x80 else { return nil }
        var hasDot = false
        for index in (at + 2)..<max(end, at + 2) where text[index] == ASCII.dot {
            hasDot = true
            break
        }
        return hasDot ? start..<end : nil
    }

    static let minimumCardDigits = 13
    static let maximumCardDigits = 19

    /// A maximal run of digits (with single inner spaces or dashes) starting at `start`.
    struct DigitRun {
        var end: Int
        var isCard: Bool
        /// How many digits it holds, and whether a separator splits it into groups.
        var digits = 0
        var grouped = false
    }

    /// In the run `run` (not a card as a whole), the first card made of whole groups: a span of
    /// groups in a row with 13 to 19 digits that passes Luhn and stands alone (the run's own
    /// edges must; a separator does), widened to every such span that overlaps it. A number
    /// one space before a card can make a valid span with the card's first groups (`qty 6
    /// 4111 1111 1111 1111`: `6 4111 1111 1111` passes Luhn), and taking that span alone left
    /// the card's last eight digits in plaintext (review): where spans overlap, the digits
    /// they cover are masked together, the last four of the whole kept.
    static func cardInGroups(of run: Range<Int>, in text: UnsafeRawBufferPointer) -> Range<Int>? {
        var merged: Range<Int>? = nil
        var from = run.lowerBound
        while from < run.upperBound, let span = longestCardSpan(of: run, from: from, in: text) {
            if let current = merged {
                // A span that starts past the merged one does not overlap it: a card of its own,
                // found when the scan comes back to it.
                guard span.lowerBound < current.upperBound else { break }
                merged = current.lowerBound..<max(current.upperBound, span.upperBound)
            } else {
                merged = span
            }
            // Every later group start inside the merged span may widen it.
            from = span.lowerBound
            while from < run.upperBound && ASCII.isDigit(text[from]) { from += 1 }
            from += 1
            if let current = merged, from >= current.upperBound { break }
        }
        return merged
    }

    /// From the group at or after `from`, the longest valid card span (as `cardInGroups`
    /// describes) of the first group start that has one.
    static func longestCardSpan(of run: Range<Int>, from: Int, in text: UnsafeRawBufferPointer) -> Range<Int>? {
        let count = text.count
        let startsAlone = run.lowerBound == 0 || !ASCII.isLetterOrDigit(text[run.lowerBound - 1])
        let endsAlone = run.upperBound == count || !(ASCII.isLetterOrDigit(text[run.upperBound]) || text[run.upperBound] == ASCII.at)
        var groupStart = from
        while groupStart < run.upperBound {
            var best: Int? = nil
            if groupStart > run.lowerBound || startsAlone {
                var index = groupStart
                var luhn = LuhnSums()
                while index < run.upperBound && luhn.digits <= maximumCardDigits {
                    let byte = text[index]
                    if ASCII.isDigit(byte) { luhn.add(byte) }
                    index += 1
                    // A group ends at a separator or at the run's end.
                    let groupEnds = index == run.upperBound || !ASCII.isDigit(text[index])
                    if groupEnds && ASCII.isDigit(byte), luhn.digits >= minimumCardDigits, luhn.digits <= maximumCardDigits,
                        index < run.upperBound || endsAlone, luhn.passes
                    {
                        best = index
                    }
                }
            }
            if let best { return groupStart..<best }
            // On to the next group: past this one's digits and the separator after them.
            while groupStart < run.upperBound && ASCII.isDigit(text[groupStart]) { groupStart += 1 }
            groupStart += 1
        }
        return nil
    }

    static func digitRun(from start: Int, in text: UnsafeRawBufferPointer) -> DigitRun {
        let count = text.count
        var index = start
        var end = start
        var luhn = LuhnSums()
        while index < count {
            let byte = text[index]
            if ASCII.isDigit(byte) {
                luhn.add(byte)
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
        let digits = luhn.digits
        let grouped = end - start > digits
        guard standsAlone, digits >= minimumCardDigits, digits <= maximumCardDigits else {
            return DigitRun(end: end, isCard: false, digits: digits, grouped: grouped)
        }
        return DigitRun(end: end, isCard: luhn.passes, digits: digits, grouped: grouped)
    }

    /// Luhn sums for both parities of a run of digits read left to right: which applies depends
    /// on the final count (the rightmost digit is never doubled: with an even count, even
    /// positions are).
    struct LuhnSums {
        var digits = 0
        var sumEven = 0
        var sumOdd = 0

        mutating func add(_ byte: UInt8) {
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
        }

        var passes: Bool { (digits & 1 == 0 ? sumEven : sumOdd) % 10 == 0 }
    }
}
