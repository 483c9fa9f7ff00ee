/// What was masked in one message, by class: the `MaskCounts` message, as plain integers
/// (the masker tallies into it and encodes it; the verifier reads it back and compares).
struct MaskTally: Equatable {
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

    /// Calls `body` with each `MaskCounts` field number and its count, in field order.
    @inline(__always)
    func forEachField(_ body: (Int, Int) -> Void) {
        body(1, names)
        body(2, emails)
        body(3, cards)
        body(4, phones)
        body(5, nationalIDs)
        body(6, freeTextEmails)
        body(7, freeTextCards)
    }
}
