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
/// message (the cells back to back in field 1, their lengths packed in field 2), and records
/// the secrets planted in its note.
///
/// Cells are written through a pointer into a fixed scratch buffer (`RowContent`), then the
/// row is assembled; no allocation once the buffers have grown.
struct RowGenerator {
    /// The encoded body of the last row made.
    private(set) var row: [UInt8] = []
    /// The secrets planted in the last row, as byte ranges within `row`.
    private(set) var embedded: [EmbeddedSecret] = []
    /// Room for one row's cells; a row holds a few hundred bytes, and writing past the end
    /// would trap rather than corrupt memory.
    private var scratch = [UInt8](repeating: 0, count: 4096)
    private var lengths: [UInt32] = []

    init() {
        row.reserveCapacity(1024)
        lengths.reserveCapacity(FragmentSchema.columns.count)
    }

    mutating func makeRow(using rng: inout Xoshiro256) {
        var planted: [EmbeddedSecret] = []
        var cellLengths: [UInt32] = []
        swap(&planted, &embedded)
        swap(&cellLengths, &lengths)
        planted.removeAll(keepingCapacity: true)
        cellLengths.removeAll(keepingCapacity: true)
        let size = scratch.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            RowContent.write(into: &writer, lengths: &cellLengths, planted: &planted, using: &rng)
            return writer.count
        }
        swap(&planted, &embedded)
        swap(&cellLengths, &lengths)
        finishRow(valuesSize: size)
    }

    /// Encodes the row: values (field 1), then the packed lengths (field 2); moves the
    /// planted secrets from offsets in the values to offsets in the row.
    private mutating func finishRow(valuesSize: Int) {
        row.removeAll(keepingCapacity: true)
        if valuesSize > 0 {
            ProtoWireWriter.appendTag(field: 1, wireType: ProtoWireWriter.lengthDelimited, to: &row)
            ProtoWireWriter.appendVarint(UInt64(valuesSize), to: &row)
        }
        let base = row.count
        row.append(contentsOf: scratch[0..<valuesSize])
        for index in embedded.indices {
            embedded[index] = embedded[index].shifted(by: base)
        }
        var packedSize = 0
        for length in lengths {
            packedSize += ProtoWireWriter.varintSize(UInt64(length))
        }
        ProtoWireWriter.appendTag(field: 2, wireType: ProtoWireWriter.lengthDelimited, to: &row)
        ProtoWireWriter.appendVarint(UInt64(packedSize), to: &row)
        for length in lengths {
            ProtoWireWriter.appendVarint(UInt64(length), to: &row)
        }
    }
}
