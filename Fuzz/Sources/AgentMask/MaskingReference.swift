/// What the agent must make of one non-empty cell, by sensitivity class, from the rules
/// documented on `AgentMasker` and `MaskingRules`, written out here without their code.
enum MaskingReference {
    static let redacted = Array("[REDACTED]".utf8)
    static let emailMask = Array("***".utf8)

    enum Expectation {
        /// These exact bytes.
        case exactly([UInt8])
        /// A name token: `tok_` and 16 lowercase hex digits.
        case token
        /// Free text: at most twice as long; unchanged when it holds no `@` and no digit.
        case freeText(original: [UInt8])
    }

    /// Sensitivity classes as numbered in proto/agent.proto.
    static func expectation(for cell: ArraySlice<UInt8>, sensitivity: Int32) -> Expectation {
        switch sensitivity {
        case 0: return .exactly(Array(cell))
        case 1: return .token
        case 2: return .exactly(maskedEmail(cell))
        case 3: return .exactly(maskedDigits(cell, keep: 4))
        case 4: return .exactly(maskedDigits(cell, keep: 2))
        case 5: return .exactly(redacted)
        case 6: return .freeText(original: Array(cell))
        default: return .exactly(redacted)
        }
    }

    /// `***@domain` from the last `@`, when a host name follows it (dot-separated labels of
    /// ASCII letters, digits and dashes, each beginning and ending with a letter or digit);
    /// `***` otherwise (anything after the last `@` may be the rest of a sentence: a name, an
    /// SSN).
    static func maskedEmail(_ cell: ArraySlice<UInt8>) -> [UInt8] {
        guard let at = cell.lastIndex(of: UInt8(ascii: "@")), at + 1 < cell.endIndex else { return emailMask }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        let labels = cell[(at + 1)...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let hostName = labels.allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            return alphanumeric(first) && alphanumeric(last) && label.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
        return hostName ? emailMask + cell[at...] : emailMask
    }

    /// Every ASCII digit but the last `keep` becomes `*`; all of them when there are no more
    /// than `keep`. Everything else stays.
    static func maskedDigits(_ cell: ArraySlice<UInt8>, keep: Int) -> [UInt8] {
        let digits = cell.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
        var toMask = digits > keep ? digits - keep : digits
        var result = Array(cell)
        for index in result.indices where toMask > 0 && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(result[index]) {
            result[index] = UInt8(ascii: "*")
            toMask -= 1
        }
        return result
    }

    static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 20, Array(bytes.prefix(4)) == Array("tok_".utf8) else { return false }
        return bytes.dropFirst(4).allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The MaskCounts field a non-empty cell of this class is counted in (free text counts
    /// what it finds inside, not cells).
    static func countField(for sensitivity: Int32) -> UInt64? {
        switch sensitivity {
        case 1: return 1
        case 2: return 2
        case 3: return 3
        case 4: return 4
        case 5: return 5
        default: return nil
        }
    }
}
