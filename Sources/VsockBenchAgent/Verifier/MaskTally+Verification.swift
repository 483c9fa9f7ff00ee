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
