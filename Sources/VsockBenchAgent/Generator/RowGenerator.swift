/// A sensitive value the generator planted inside a free-text cell, located by its byte range
/// in the encoded request. The verifier checks it is gone from the response and masked in
/// place; column values need no such record, since their column's class says what they are.
struct EmbeddedSecret: Sendable, Hashable {
    enum Kind: UInt8, Sendable {
        case email
        case card
    }

    var kind: Kind
    var range: Range<Int>

    func shifted(by offset: Int) -> EmbeddedSecret {
        EmbeddedSecret(kind: kind, range: (range.lowerBound + offset)..<(range.upperBound + offset))
    }
}

/// Generates one row of `FragmentSchema` at a time, already encoded as the body of a `Row`
/// message (one field-1 entry per cell), and records the secrets planted in its note.
///
/// Reuses its buffers from row to row: no allocation once they have grown.
struct RowGenerator {
    /// The encoded body of the last row made.
    private(set) var row: [UInt8] = []
    /// The secrets planted in the last row, as byte ranges within `row`.
    private(set) var embedded: [EmbeddedSecret] = []
    private var cell: [UInt8] = []
    private var cellEmbedded: [EmbeddedSecret] = []

    init() {
        row.reserveCapacity(512)
        cell.reserveCapacity(256)
    }

    mutating func makeRow(using rng: inout Xoshiro256) {
        row.removeAll(keepingCapacity: true)
        embedded.removeAll(keepingCapacity: true)
        let first = SampleData.firstNames[rng.index(SampleData.firstNames.count)]
        let last = SampleData.lastNames[rng.index(SampleData.lastNames.count)]
        for column in FragmentSchema.Column.allCases {
            cell.removeAll(keepingCapacity: true)
            cellEmbedded.removeAll(keepingCapacity: true)
            switch column {
            case .orderID:
                ValueWriter.appendDecimal(10_000_000 + rng.next(below: 90_000_000), to: &cell)
            case .customerName:
                cell.append(contentsOf: first.0)
                cell.append(ASCII.space)
                cell.append(contentsOf: last.0)
            case .email:
                ValueWriter.appendEmail(first: first.1, last: last.1, using: &rng, to: &cell)
            case .cardNumber:
                ValueWriter.appendCardNumber(luhnValid: true, using: &rng, to: &cell)
            case .phone:
                if !rng.chance(5) {
                    let format = SampleData.phoneFormats[rng.index(SampleData.phoneFormats.count)]
                    ValueWriter.appendPattern(format, using: &rng, to: &cell)
                }
            case .nationalID:
                if !rng.chance(3) {
                    let format = SampleData.nationalIDFormats[rng.index(SampleData.nationalIDFormats.count)]
                    ValueWriter.appendPattern(format, using: &rng, to: &cell)
                }
            case .amount:
                ValueWriter.appendAmount(using: &rng, to: &cell)
            case .createdAt:
                ValueWriter.appendTimestamp(using: &rng, to: &cell)
            case .city:
                if !rng.chance(2) {
                    cell.append(contentsOf: SampleData.cities[rng.index(SampleData.cities.count)])
                }
            case .note:
                if !rng.chance(10) {
                    appendNote(using: &rng)
                }
            }
            finishCell()
        }
    }

    /// One or two plain sentences, and sometimes a sentence around an email, a Luhn-valid card
    /// or a reference number that fails Luhn (which must come back unchanged).
    private mutating func appendNote(using rng: inout Xoshiro256) {
        let plainCount = 1 + rng.index(2)
        let roll = rng.next(below: 100)
        let plantedAt = rng.index(plainCount + 1)
        // Two plain sentences are distinct: the second is offset from the first.
        let firstPlain = rng.index(SampleData.plainNotes.count)
        let step = 1 + rng.index(SampleData.plainNotes.count - 1)
        for position in 0...plainCount {
            if position == plantedAt {
                if roll < 22 {
                    appendPlanted(SampleData.emailNotes, kind: .email, using: &rng)
                } else if roll < 38 {
                    appendPlanted(SampleData.cardNotes, kind: .card, using: &rng)
                } else if roll < 48 {
                    appendPlanted(SampleData.referenceNotes, kind: nil, using: &rng)
                }
            }
            if position < plainCount {
                appendSentenceBreak()
                let plain = (firstPlain + position * step) % SampleData.plainNotes.count
                cell.append(contentsOf: SampleData.plainNotes[plain])
            }
        }
    }

    private mutating func appendPlanted(
        _ notes: [([UInt8], [UInt8])],
        kind: EmbeddedSecret.Kind?,
        using rng: inout Xoshiro256
    ) {
        let note = notes[rng.index(notes.count)]
        appendSentenceBreak()
        cell.append(contentsOf: note.0)
        let start = cell.count
        switch kind {
        case .email:
            let first = SampleData.firstNames[rng.index(SampleData.firstNames.count)].1
            let last = SampleData.lastNames[rng.index(SampleData.lastNames.count)].1
            ValueWriter.appendEmail(first: first, last: last, using: &rng, to: &cell)
        case .card:
            ValueWriter.appendCardNumber(luhnValid: true, using: &rng, to: &cell)
        case nil:
            ValueWriter.appendCardNumber(luhnValid: false, using: &rng, to: &cell)
        }
        if let kind {
            cellEmbedded.append(EmbeddedSecret(kind: kind, range: start..<cell.count))
        }
        cell.append(contentsOf: note.1)
    }

    private mutating func appendSentenceBreak() {
        if !cell.isEmpty { cell.append(ASCII.space) }
    }

    /// Appends the cell as field 1 of the row and moves its planted secrets to row offsets.
    private mutating func finishCell() {
        ProtoWireWriter.appendTag(field: 1, wireType: ProtoWireWriter.lengthDelimited, to: &row)
        ProtoWireWriter.appendVarint(UInt64(cell.count), to: &row)
        let base = row.count
        row.append(contentsOf: cell)
        for secret in cellEmbedded {
            embedded.append(secret.shifted(by: base))
        }
    }
}
