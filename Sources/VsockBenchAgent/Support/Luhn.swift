/// The Luhn (mod 10) check that payment card numbers carry in their last digit.
enum Luhn {
    /// Whether `digits` (values 0...9, most significant first) pass the Luhn check.
    static func isValid(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        var sum = 0
        var double = false
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
        return sum % 10 == 0
    }

    /// The digit to append to `payload` (values 0...9) so that the whole number is Luhn-valid.
    static func checkDigit(for payload: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var sum = 0
        // The check digit will sit at the rightmost place, so the payload's last digit is doubled.
        var double = true
        var index = payload.count
        while index > 0 {
            index -= 1
            var digit = Int(payload[index])
            if double {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
            double.toggle()
        }
        return UInt8((10 - sum % 10) % 10)
    }
}
