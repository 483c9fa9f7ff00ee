/// The counts of a `MaskCounts` message, read from the wire or tallied by the verifier.
struct MaskCountsView: Equatable {
    var names = 0
    var emails = 0
    var cards = 0
    var phones = 0
    var nationalIDs = 0
    var freeTextEmails = 0
    var freeTextCards = 0

    init() {}

    init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>) throws(ProtoWireReader.Failure) {
        var reader = ProtoWireReader(buffer, range: range)
        while let field = try reader.next() {
            guard field.wireType == 0 else { continue }
            let value = Int(truncatingIfNeeded: field.value)
            switch field.number {
            case 1: names = value
            case 2: emails = value
            case 3: cards = value
            case 4: phones = value
            case 5: nationalIDs = value
            case 6: freeTextEmails = value
            case 7: freeTextCards = value
            default: break
            }
        }
    }

    /// The first count that differs from `expected`, as a failure about the whole message.
    func firstMismatch(expected: MaskCountsView) -> AgentVerificationFailure? {
        let pairs: [(String, Int, Int)] = [
            ("names", expected.names, names), ("emails", expected.emails, emails),
            ("cards", expected.cards, cards), ("phones", expected.phones, phones),
            ("national ids", expected.nationalIDs, nationalIDs),
            ("free-text emails", expected.freeTextEmails, freeTextEmails),
            ("free-text cards", expected.freeTextCards, freeTextCards),
        ]
        guard self != expected else { return nil }
        for (kind, wanted, actual) in pairs where wanted != actual {
            return AgentVerificationFailure(
                row: nil, column: nil, rule: .maskedCountMismatch(kind: kind, expected: wanted, actual: actual))
        }
        return nil
    }
}

/// Remembers, for one connection, which token each name got, by keyed fingerprints (so the
/// verifier holds no names): one name must keep one token, and two names must not share one.
struct NameTokenRegistry: Sendable {
    private static let fingerprint = SipHash24(key: (0x5653_4F43_4B42_454E, 0x4348_4147_454E_5421))
    private var tokenOfName: [UInt64: UInt64] = [:]
    private var nameOfToken: [UInt64: UInt64] = [:]

    /// Records the pair; false when it contradicts an earlier one.
    mutating func record(name: UnsafeRawBufferPointer, token: UnsafeRawBufferPointer) -> Bool {
        let nameKey = Self.fingerprint.hash(name)
        let tokenKey = Self.fingerprint.hash(token)
        if let known = tokenOfName[nameKey] {
            return known == tokenKey
        }
        if nameOfToken[tokenKey] != nil {
            return false
        }
        tokenOfName[nameKey] = tokenKey
        nameOfToken[tokenKey] = nameKey
        return true
    }
}
