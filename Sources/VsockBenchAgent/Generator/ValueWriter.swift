/// Writes one realistic value of each kind, as UTF-8 text, from the generator's PRNG.
/// (Named `append...`: each adds to what the writer holds.)
enum ValueWriter {
    static func appendDecimal(_ value: UInt64, to output: inout ByteWriter) {
        var divisor: UInt64 = 1
        while divisor <= value / 10 {
            divisor *= 10
        }
        var rest = value
        while divisor > 0 {
            output.write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `value` with exactly `width` digits, zero-padded.
    static func appendPadded(_ value: Int, width: Int, to output: inout ByteWriter) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Fills a format: `#` becomes a random digit, `A` a random capital letter.
    static func appendPattern(_ format: [UInt8], using rng: inout Xoshiro256, to output: inout ByteWriter) {
        for byte in format {
            switch byte {
            case UInt8(ascii: "#"): output.write(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rng.next(below: 10)))
            case UInt8(ascii: "A"): output.write(UInt8(ascii: "A") &+ UInt8(truncatingIfNeeded: rng.next(below: 26)))
            default: output.write(byte)
            }
        }
    }

    /// An email made from a customer's ASCII name, sometimes with digits: `jose.garcia42@example.com`.
    static func appendEmail(first: [UInt8], last: [UInt8], using rng: inout Xoshiro256, to output: inout ByteWriter) {
        output.write(first)
        switch rng.next(below: 3) {
        case 0: output.write(ASCII.dot)
        case 1: output.write(UInt8(ascii: "_"))
        default: break
        }
        output.write(last)
        if rng.chance(40) {
            appendDecimal(rng.next(below: 100), to: &output)
        }
        output.write(ASCII.at)
        output.write(SampleData.emailDomains[rng.index(SampleData.emailDomains.count)])
    }

    /// A Luhn-valid card number (or, with `luhnValid: false`, one that fails Luhn), plain or in
    /// groups of four split by spaces or dashes.
    static func appendCardNumber(luhnValid: Bool, using rng: inout Xoshiro256, to output: inout ByteWriter) {
        let shape = SampleData.cardShapes[rng.index(SampleData.cardShapes.count)]
        let roll = rng.next(below: 100)
        let separator: UInt8? = roll < 60 ? nil : (roll < 85 ? ASCII.space : ASCII.dash)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: shape.1) { digits in
            var count = 0
            for byte in shape.0 {
                digits[count] = byte &- UInt8(ascii: "0")
                count += 1
            }
            while count < shape.1 - 1 {
                digits[count] = UInt8(truncatingIfNeeded: rng.next(below: 10))
                count += 1
            }
            let check = Luhn.checkDigit(for: UnsafeBufferPointer(rebasing: digits[..<count]))
            digits[count] = luhnValid ? check : (check + 1 + UInt8(truncatingIfNeeded: rng.next(below: 9))) % 10
            count += 1
            if !luhnValid, separator != nil {
                // The agent also masks groups in a row that make a card (a 19-digit reference's
                // first 16 digits, say): none may, or the reference would not come back as it is.
                breakCardSpans(digits, count: count, keeping: shape.0.count)
            }
            for index in 0..<count {
                if let separator, index > 0, index % 4 == 0 { output.write(separator) }
                output.write(UInt8(ascii: "0") &+ digits[index])
            }
        }
    }

    /// Whether groups of four in a row (the last group may be shorter) of `digits[..<count]`
    /// total 13 to 19 digits and pass Luhn: what free-text scanning takes for a card.
    static func hasCardSpan(_ digits: UnsafeMutableBufferPointer<UInt8>, count: Int) -> Bool {
        var start = 0
        while start < count {
            var end = start
            repeat {
                end = min(end + 4, count)
                let length = end - start
                if length >= 13, length <= 19, Luhn.isValid(UnsafeBufferPointer(rebasing: digits[start..<end])) {
                    return true
                }
            } while end < count
            start += 4
        }
        return false
    }

    /// Changes one digit after the first `keep` (the issuer prefix) so that no groups in a row
    /// make a card, the whole number included; deterministic, so it draws nothing from the PRNG.
    /// One digit always does: each span it lies in rules out one of its ten values.
    static func breakCardSpans(_ digits: UnsafeMutableBufferPointer<UInt8>, count: Int, keeping keep: Int) {
        guard hasCardSpan(digits, count: count) else { return }
        var position = count
        while position > keep {
            position -= 1
            let original = digits[position]
            for step in 1...9 as ClosedRange<UInt8> {
                digits[position] = (original + step) % 10
                if !hasCardSpan(digits, count: count) { return }
            }
            digits[position] = original
        }
    }

    /// An amount in currency units with cents: `0.01` to `9999.99`.
    static func appendAmount(using rng: inout Xoshiro256, to output: inout ByteWriter) {
        let cents = 1 + rng.next(below: 999_999)
        appendDecimal(cents / 100, to: &output)
        output.write(ASCII.dot)
        appendPadded(Int(cents % 100), width: 2, to: &output)
    }

    private static let year: [UInt8] = Array("2024-".utf8)
    private static let daysInMonth2024 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// An ISO 8601 UTC timestamp in 2024: `2024-05-01T12:34:56Z`.
    static func appendTimestamp(using rng: inout Xoshiro256, to output: inout ByteWriter) {
        let seconds = Int(rng.next(below: 366 * 86_400))
        var day = seconds / 86_400
        var month = 0
        while day >= daysInMonth2024[month] {
            day -= daysInMonth2024[month]
            month += 1
        }
        let secondOfDay = seconds % 86_400
        output.write(ValueWriter.year)
        appendPadded(month + 1, width: 2, to: &output)
        output.write(ASCII.dash)
        appendPadded(day + 1, width: 2, to: &output)
        output.write(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, width: 2, to: &output)
        output.write(UInt8(ascii: ":"))
        appendPadded(secondOfDay / 60 % 60, width: 2, to: &output)
        output.write(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, width: 2, to: &output)
        output.write(UInt8(ascii: "Z"))
    }
}
