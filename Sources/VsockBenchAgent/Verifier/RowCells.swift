/// Splits an encoded `Row` (its values, and packed or unpacked lengths, in any field order)
/// into its cells' byte ranges, written into caller-provided slots: no allocation per row.
enum RowCells {
    /// - Returns: the range of the row's values and how many cells it declares (which may
    ///   exceed `cells.count`: only the first `cells.count` ranges are written then), or nil
    ///   when the lengths do not add up to the values.
    static func parse(
        _ buffer: UnsafeRawBufferPointer,
        row: Range<Int>,
        into cells: UnsafeMutableBufferPointer<Range<Int>>
    ) throws(ProtoWireReader.Failure) -> (values: Range<Int>, count: Int)? {
        var values = row.lowerBound..<row.lowerBound
        var count = 0
        var reader = ProtoWireReader(buffer, range: row)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2):
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
                break
            }
        }
        guard count <= cells.count else { return (values, count) }
        var offset = values.lowerBound
        for index in 0..<count {
            let length = cells[index].count
            guard length <= values.upperBound - offset else { return nil }
            cells[index] = offset..<(offset + length)
            offset += length
        }
        return offset == values.upperBound ? (values, count) : nil
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
