/// Checking reported counts against the verifier's own tally.
extension MaskTally {
    /// The first count that differs from `expected`, as a failure about the whole message.
    func firstMismatch(expected: MaskTally) -> AgentVerificationFailure? {
        guard self != expected else { return nil }
        let pairs: [(String, Int, Int)] = [
            ("names", expected.names, names), ("emails", expected.emails, emails),
            ("cards", expected.cards, cards), ("phones", expected.phones, phones),
            ("national ids", expected.nationalIDs, nationalIDs),
            ("free-text emails", expected.freeTextEmails, freeTextEmails),
            ("free-text cards", expected.freeTextCards, freeTextCards),
        ]
        for (kind, wanted, actual) in pairs where wanted != actual {
            return AgentVerificationFailure(
                row: nil, column: nil, rule: .maskedCountMismatch(kind: kind, expected: wanted, actual: actual))
        }
        return nil
    }
}

extension MaskTally {
    /// Reads a response's `MaskCounts`, refusing any field it does not define (wire type
    /// included) and any field given twice: nothing but seven counts may ride in it.
    static func strict(
        _ buffer: UnsafeRawBufferPointer,
        range: Range<Int>
    ) throws(ProtoWireReader.Failure) -> Result<MaskTally, AgentVerificationFailure> {
        var tally = MaskTally()
        var seen: UInt8 = 0
        var reader = ProtoWireReader(buffer, range: range)
        while let field = try reader.next() {
            guard field.wireType == 0, (1...7).contains(field.number) else {
                return .failure(.init(row: nil, column: nil, rule: .unexpectedField(
                    message: "MaskCounts", number: field.number, wireType: Int(field.wireType))))
            }
            let bit = UInt8(1) << (field.number - 1)
            guard seen & bit == 0 else {
                return .failure(.init(row: nil, column: nil, rule: .repeatedField(message: "MaskCounts", number: field.number)))
            }
            seen |= bit
            let value = Int(truncatingIfNeeded: field.value)
            switch field.number {
            case 1: tally.names = value
            case 2: tally.emails = value
            case 3: tally.cards = value
            case 4: tally.phones = value
            case 5: tally.nationalIDs = value
            case 6: tally.freeTextEmails = value
            default: tally.freeTextCards = value
            }
        }
        return .success(tally)
    }
}
