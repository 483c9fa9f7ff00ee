/// Writes the cells of one generated row, back to back, through a `ByteWriter`.
enum RowContent {
    /// Writes one cell per column of `FragmentSchema`, appends each cell's length, and records
    /// the secrets planted in the note (ranges within what `output` holds).
    static func write(
        into output: inout ByteWriter,
        lengths: inout [UInt32],
        planted: inout [EmbeddedSecret],
        using rng: inout Xoshiro256
    ) {
        let first = SampleData.firstNames[rng.index(SampleData.firstNames.count)]
        let last = SampleData.lastNames[rng.index(SampleData.lastNames.count)]
        for column in FragmentSchema.Column.allCases {
            let cellStart = output.count
            switch column {
            case .orderID:
                ValueWriter.appendDecimal(10_000_000 + rng.next(below: 90_000_000), to: &output)
            case .customerName:
                output.write(first.0)
                output.write(ASCII.space)
                output.write(last.0)
            case .email:
                ValueWriter.appendEmail(first: first.1, last: last.1, using: &rng, to: &output)
            case .cardNumber:
                ValueWriter.appendCardNumber(luhnValid: true, using: &rng, to: &output)
            case .phone:
                if !rng.chance(5) {
                    let format = SampleData.phoneFormats[rng.index(SampleData.phoneFormats.count)]
                    ValueWriter.appendPattern(format, using: &rng, to: &output)
                }
            case .nationalID:
                if !rng.chance(3) {
                    let format = SampleData.nationalIDFormats[rng.index(SampleData.nationalIDFormats.count)]
                    ValueWriter.appendPattern(format, using: &rng, to: &output)
                }
            case .amount:
                ValueWriter.appendAmount(using: &rng, to: &output)
            case .createdAt:
                ValueWriter.appendTimestamp(using: &rng, to: &output)
            case .city:
                if !rng.chance(2) {
                    output.write(SampleData.cities[rng.index(SampleData.cities.count)])
                }
            case .note:
                if !rng.chance(10) {
                    appendNote(into: &output, cellStart: cellStart, planted: &planted, using: &rng)
                }
            }
            lengths.append(UInt32(output.count - cellStart))
        }
    }

    /// One or two plain sentences, and sometimes a sentence around an email, a Luhn-valid card
    /// or a reference number that fails Luhn (which must come back unchanged).
    private static func appendNote(
        into output: inout ByteWriter,
        cellStart: Int,
        planted: inout [EmbeddedSecret],
        using rng: inout Xoshiro256
    ) {
        let plainCount = 1 + rng.index(2)
        let roll = rng.next(below: 100)
        let plantedAt = rng.index(plainCount + 1)
        // Two plain sentences are distinct: the second is offset from the first.
        let firstPlain = rng.index(SampleData.plainNotes.count)
        let step = 1 + rng.index(SampleData.plainNotes.count - 1)
        let planting: (notes: [([UInt8], [UInt8])], kind: EmbeddedSecret.Kind?)? =
            roll < 22
            ? (SampleData.emailNotes, .email)
            : roll < 38 ? (SampleData.cardNotes, .card) : roll < 48 ? (SampleData.referenceNotes, nil) : nil
        for position in 0...plainCount {
            if position == plantedAt, let planting {
                appendPlanted(
                    planting.notes, kind: planting.kind, into: &output, cellStart: cellStart, planted: &planted,
                    using: &rng)
            }
            if position < plainCount {
                appendSentenceBreak(into: &output, cellStart: cellStart)
                let plain = (firstPlain + position * step) % SampleData.plainNotes.count
                output.write(SampleData.plainNotes[plain])
            }
        }
    }

    private static func appendPlanted(
        _ notes: [([UInt8], [UInt8])],
        kind: EmbeddedSecret.Kind?,
        into output: inout ByteWriter,
        cellStart: Int,
        planted: inout [EmbeddedSecret],
        using rng: inout Xoshiro256
    ) {
        let note = notes[rng.index(notes.count)]
        appendSentenceBreak(into: &output, cellStart: cellStart)
        output.write(note.0)
        let start = output.count
        switch kind {
        case .email:
            let first = SampleData.firstNames[rng.index(SampleData.firstNames.count)].1
            let last = SampleData.lastNames[rng.index(SampleData.lastNames.count)].1
            ValueWriter.appendEmail(first: first, last: last, using: &rng, to: &output)
        case .card:
            ValueWriter.appendCardNumber(luhnValid: true, using: &rng, to: &output)
        case nil:
            ValueWriter.appendCardNumber(luhnValid: false, using: &rng, to: &output)
        }
        if let kind {
            planted.append(EmbeddedSecret(kind: kind, range: start..<output.count))
        }
        output.write(note.1)
    }

    private static func appendSentenceBreak(into output: inout ByteWriter, cellStart: Int) {
        if output.count > cellStart { output.write(ASCII.space) }
    }
}
