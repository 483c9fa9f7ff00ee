/// The Luhn (mod 10) check that payment card numbers carry in their last digit.
enum Luhn {
    /// Whether `digits` (values 0...9, most significant first) pass the Luhn check.
    static func isValid(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        sum(digits, doublingLast: false) % 10 == 0
    }

    /// The digit to append to `payload` (values 0...9) so that the whole number is Luhn-valid.
    static func checkDigit(for payload: UnsafeBufferPointer<UInt8>) -> UInt8 {
        // The check digit will sit at the rightmost place, so the payload's last digit is doubled.
        UInt8((10 - sum(payload, doublingLast: true) % 10) % 10)
    }

    /// The Luhn sum of `digits`: from the rightmost, every second digit doubled (its digits
    /// added), starting with the rightmost when `doublingLast`.
    private static func sum(_ digits: UnsafeBufferPointer<UInt8>, doublingLast: Bool) -> Int {
        var sum = 0
        var double = doublingLast
        var index = digits.count
        while index > 0 {
            index -= 1
            var digit = Int(digits[index])
            if double {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
            double.toggle()
        }
        return sum
    }
}
