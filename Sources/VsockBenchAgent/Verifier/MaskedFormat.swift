/// The verifier's own statement of what each masked value must look like, written apart
/// from the masker's code so that the two check each other.
enum MaskedFormat {
    static let redacted: [UInt8] = Array("[REDACTED]".utf8)
    static let emailPrefix: [UInt8] = Array("***".utf8)
    static let tokenPrefix: [UInt8] = Array("tok_".utf8)

    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        ByteSearch.equal(a, b)
    }

    static func equal(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        b.withUnsafeBytes { ByteSearch.equal(a, $0) }
    }

    /// `masked` is `***` followed by the original from its last `@` on (`***@domain`) when
    /// the domain is a host name, else `***` alone.
    static func isMaskedEmail(_ masked: UnsafeRawBufferPointer, original: UnsafeRawBufferPointer) -> Bool {
        guard let domain = keptDomain(original) else { return equal(masked, emailPrefix) }
        guard masked.count == emailPrefix.count + domain.count else { return false }
        return equal(UnsafeRawBufferPointer(rebasing: masked[..<emailPrefix.count]), emailPrefix)
            && equal(UnsafeRawBufferPointer(rebasing: masked[emailPrefix.count...]), domain)
    }

    /// The `@domain` an email keeps: from its last `@`, when what follows is a host name
    /// (dot-separated labels of ASCII letters, digits and inner dashes).
    static func keptDomain(_ original: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let at = original.lastIndex(of: UInt8(ascii: "@")), at + 1 < original.count else { return nil }
        // Label by label, in place (a split allocated an array of labels for every email
        // the verifier checked, on the driver's path).
        var labelStart = at + 1
        for index in (at + 1)...original.count {
            if index == original.count || original[index] == UInt8(ascii: ".") {
                guard index > labelStart, isAlphanumeric(original[labelStart]), isAlphanumeric(original[index - 1]) else { return nil }
                labelStart = index + 1
            } else if !isAlphanumeric(original[index]) && original[index] != UInt8(ascii: "-") {
                return nil
            }
        }
        return UnsafeRawBufferPointer(rebasing: original[at...])
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// `masked` has the original's length and bytes, except that every ASCII digit but the
    /// last `keep` is `*` (all of them when the original has `keep` digits or fewer).
    static func isMaskedDigits(_ masked: UnsafeRawBufferPointer, original: UnsafeRawBufferPointer, keep: Int) -> Bool {
        let count = original.count
        guard masked.count == count else { return false }
        var digits = 0
        for index in 0..<count where isDigit(original[index]) {
            digits += 1
        }
        let hidden = digits > keep ? digits - keep : digits
        var seen = 0
        for index in 0..<count {
            let byte = original[index]
            var expected = byte
            if isDigit(byte) {
                if seen < hidden { expected = UInt8(ascii: "*") }
                seen += 1
            }
            if masked[index] != expected { return false }
        }
        return true
    }

    /// Free text: the original with each planted secret (ranges relative to the cell, sorted)
    /// replaced by its masked form, and nothing else changed.
    static func isMaskedFreeText(
        _ masked: UnsafeRawBufferPointer,
        original: UnsafeRawBufferPointer,
        secrets: ArraySlice<EmbeddedSecret>,
        cellOffset: Int
    ) -> Bool {
        var read = 0
        var written = 0
        for secret in secrets {
            let start = secret.range.lowerBound - cellOffset
            let end = secret.range.upperBound - cellOffset
            guard matches(masked, at: &written, original[read..<start]) else { return false }
            let value = UnsafeRawBufferPointer(rebasing: original[start..<end])
            let expectedLength: Int
            switch secret.kind {
            case .email:
                expectedLength = emailPrefix.count + (keptDomain(value)?.count ?? 0)
            case .card:
                expectedLength = value.count
            }
            guard masked.count - written >= expectedLength else { return false }
            let piece = UnsafeRawBufferPointer(rebasing: masked[written..<(written + expectedLength)])
            let ok =
                secret.kind == .email
                ? isMaskedEmail(piece, original: value) : isMaskedDigits(piece, original: value, keep: 4)
            guard ok else { return false }
            written += expectedLength
            read = end
        }
        return matches(masked, at: &written, original[read...]) && written == masked.count
    }

    private static func matches(
        _ masked: UnsafeRawBufferPointer,
        at position: inout Int,
        _ expected: Slice<UnsafeRawBufferPointer>
    ) -> Bool {
        guard masked.count - position >= expected.count,
            equal(
                UnsafeRawBufferPointer(rebasing: masked[position..<(position + expected.count)]),
                UnsafeRawBufferPointer(rebasing: expected))
        else { return false }
        position += expected.count
        return true
    }

    /// `tok_` and 16 lowercase hex digits.
    static func isNameToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let prefixCount = tokenPrefix.count
        guard bytes.count == prefixCount + 16,
            equal(UnsafeRawBufferPointer(rebasing: bytes[..<prefixCount]), tokenPrefix)
        else { return false }
        for index in prefixCount..<bytes.count {
            let byte = bytes[index]
            guard isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) else { return false }
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
