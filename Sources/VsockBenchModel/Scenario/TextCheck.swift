/// Whether a file's bytes are text a scenario can be: UTF-8, without NUL or other control
/// bytes (tab, newline and carriage return aside). The answer names the line of the first bad
/// byte and the byte itself in hexadecimal, never the raw byte (it could be a terminal escape).
enum TextCheck {
    struct Problem: Equatable {
        var line: Int
        var message: String
    }

    static func problem(in bytes: [UInt8]) -> Problem? {
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            // A line ends at LF, CRLF or a lone CR, as YAML reads it.
            if byte == 0x0A || byte == 0x0D && bytes.dropFirst(index + 1).first != 0x0A { line += 1 }
            if byte < 0x80 {
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D {
                    return Problem(line: line, message: "not text: control byte 0x\(hex(byte)) (a binary file?)")
                }
                if byte == 0x7F { return Problem(line: line, message: "not text: control byte 0x7f (a binary file?)") }
                index += 1
                continue
            }
            let length = byte >= 0xF0 && byte <= 0xF4 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 && byte <= 0xDF ? 2 : 0
            guard length > 0, index + length <= bytes.count,
                  bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 }),
                  String(validatingUTF8: bytes[index..<(index + length)]) != nil else {
                return Problem(line: line, message: "not UTF-8 text (byte 0x\(hex(byte)))")
            }
            index += length
        }
        return nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}

private extension String {
    /// Decodes `bytes` only if they are valid UTF-8 (no replacement characters).
    init?(validatingUTF8 bytes: ArraySlice<UInt8>) {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var out = ""
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(scalar): out.unicodeScalars.append(scalar)
            case .emptyInput: self = out; return
            case .error: return nil
            }
        }
    }
}
