/// Splits an encoded `Row` (its values, and packed or unpacked lengths, in any field order)
/// into its cells' byte ranges, written into caller-provided slots: no allocation per row.
/// A row holding any other field, or its `values` twice, is refused: no bytes may ride in a
/// row beside its cells.
enum RowCells {
    /// The range of the row's values and how many cells it declares (which may exceed
    /// `cells.count`: only the first `cells.count` ranges are written then).
    struct Shape {
        var values: Range<Int>
        var count: Int
    }

    enum Outcome {
        case cells(Shape)
        /// The lengths do not add up to the values.
        case lengthsMismatch
        /// A field `Row` does not define (or with another wire type).
        case unexpectedField(number: Int, wireType: Int)
        /// The singular `values` field given more than once.
        case repeatedField(number: Int)
    }

    static func parse(
        _ buffer: UnsafeRawBufferPointer,
        row: Range<Int>,
        into cells: UnsafeMutableBufferPointer<Range<Int>>
    ) throws(ProtoWireReader.Failure) -> Outcome {
        var values = row.lowerBound..<row.lowerBound
        var seenValues = false
        var count = 0
        var reader = ProtoWireReader(buffer, range: row)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2):
                guard !seenValues else { return .repeatedField(number: 1) }
                seenValues = true
                values = field.range
            case (2, 2):
                var position = field.range.lowerBound
                while position < field.range.upperBound {
                    let length = try varint(in: buffer, at: &position, end: field.range.upperBound)
                    if count < cells.count { cells[count] = 0..<Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: length)) }
                    count += 1
                }
            case (2, 0):
                if count < cells.count { cells[count] = 0..<Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: field.value)) }
                count += 1
            default:
                return .unexpectedField(number: field.number, wireType: Int(field.wireType))
            }
        }
        guard count <= cells.count else { return .cells(Shape(values: values, count: count)) }
        var offset = values.lowerBound
        for index in 0..<count {
            let length = cells[index].count
            guard length <= values.upperBound - offset else { return .lengthsMismatch }
            cells[index] = offset..<(offset + length)
            offset += length
        }
        return offset == values.upperBound ? .cells(Shape(values: values, count: count)) : .lengthsMismatch
    }

    /// One varint of a packed payload; one-byte varints (lengths under 128) take the short path.
    @inline(__always)
    private static func varint(
        in buffer: UnsafeRawBufferPointer,
        at position: inout Int,
        end: Int
    ) throws(ProtoWireReader.Failure) -> UInt64 {
        var byte = buffer[position]
        position += 1
        guard byte >= 0x80 else { return UInt64(byte) }
        var value = UInt64(byte & 0x7f)
        var shift: UInt64 = 7
        repeat {
            guard position < end else { throw .truncated }
            guard shift < 64 else { throw .overlongVarint }
            byte = buffer[position]
            position += 1
            value |= UInt64(byte & 0x7f) << shift
            shift += 7
        } while byte >= 0x80
        return value
    }
}
