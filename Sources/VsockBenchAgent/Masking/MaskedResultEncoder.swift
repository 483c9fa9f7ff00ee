/// Writes a `MaskedTable` as a `MaskedResultSet` in protobuf wire format, straight into the
/// caller's buffer: one pass, no intermediate messages.
///
/// The bytes are those swift-protobuf would write for the same message (fields in number
/// order, proto3 defaults omitted, lengths packed, the counts message always present); a test
/// checks it byte for byte. Encoding through generated messages instead cost a `Data` per
/// row and two or three size passes: about 120k instructions per 8 KiB message.
enum MaskedResultEncoder {
    static func encode(_ table: MaskedTable, into output: inout [UInt8]) {
        let start = output.count
        let bound = upperBound(table)
        output.append(contentsOf: repeatElement(0, count: bound))
        let written = output.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
            write(table, to: &writer)
            return writer.count
        }
        output.removeLast(bound - written)
    }

    /// Generous: every varint at its widest.
    private static func upperBound(_ table: MaskedTable) -> Int {
        fixedBound(columns: table.columns)
            + rowsBound(values: table.used, cells: table.cellCount, rows: table.rowCount)
    }

    /// The most the parts besides the rows can take: the fragment id, the echoed column
    /// descriptors and the counts.
    static func fixedBound(columns: [Vsockbench_Agent_ColumnDescriptor]) -> Int {
        var size = 11 + 2 + 7 * 11
        for column in columns {
            let descriptor = descriptorSize(column)
            size += 1 + ProtoWireWriter.varintSize(UInt64(descriptor)) + descriptor
        }
        return size
    }

    /// The most `rows` rows take, holding `values` bytes of masked cells in `cells` cells: a
    /// length varint per cell and each row's framing.
    static func rowsBound(values: Int, cells: Int, rows: Int) -> Int {
        values + cells * 5 + rows * 24
    }

    private static func write(_ table: MaskedTable, to output: inout ByteWriter) {
        if table.fragmentID != 0 {
            output.write(tag(1, varint: true))
            output.writeVarint(table.fragmentID)
        }
        for column in table.columns {
            writeColumn(column, to: &output)
        }
        let width = table.columns.count
        table.values.withUnsafeBytes { values in
            table.lengths.withUnsafeBufferPointer { lengths in
                var valueOffset = 0
                for row in 0..<table.rowCount {
                    let rowLengths = UnsafeBufferPointer(rebasing: lengths[(row * width)..<((row + 1) * width)])
                    var valuesSize = 0
                    var packedSize = 0
                    for length in rowLengths {
                        valuesSize += Int(length)
                        packedSize += ProtoWireWriter.varintSize(UInt64(length))
                    }
                    var rowSize = 0
                    if valuesSize > 0 { rowSize += 1 + ProtoWireWriter.varintSize(UInt64(valuesSize)) + valuesSize }
                    if packedSize > 0 { rowSize += 1 + ProtoWireWriter.varintSize(UInt64(packedSize)) + packedSize }
                    output.write(tag(3, varint: false))
                    output.writeVarint(UInt64(rowSize))
                    if valuesSize > 0 {
                        output.write(tag(1, varint: false))
                        output.writeVarint(UInt64(valuesSize))
                        output.write(UnsafeRawBufferPointer(rebasing: values[valueOffset..<(valueOffset + valuesSize)]))
                        valueOffset += valuesSize
                    }
                    if packedSize > 0 {
                        output.write(tag(2, varint: false))
                        output.writeVarint(UInt64(packedSize))
                        for length in rowLengths {
                            output.writeVarint(UInt64(length))
                        }
                    }
                }
            }
        }
        writeTally(table.tally, to: &output)
    }

    /// The one-byte key of field `field` (1...15).
    @inline(__always)
    private static func tag(_ field: Int, varint: Bool) -> UInt8 {
        UInt8(truncatingIfNeeded: field << 3) | (varint ? ProtoWireWriter.varint : ProtoWireWriter.lengthDelimited)
    }

    /// The encoded size of a `ColumnDescriptor`'s payload, as `writeColumn` writes it.
    private static func descriptorSize(_ column: Vsockbench_Agent_ColumnDescriptor) -> Int {
        let name = column.name.utf8.count
        let type = UInt64(bitPattern: Int64(column.type.rawValue))
        let sensitivity = UInt64(bitPattern: Int64(column.sensitivity.rawValue))
        var size = 0
        if name > 0 { size += 1 + ProtoWireWriter.varintSize(UInt64(name)) + name }
        if type != 0 { size += 1 + ProtoWireWriter.varintSize(type) }
        if sensitivity != 0 { size += 1 + ProtoWireWriter.varintSize(sensitivity) }
        return size
    }

    private static func writeColumn(_ column: Vsockbench_Agent_ColumnDescriptor, to output: inout ByteWriter) {
        var name = column.name
        let type = UInt64(bitPattern: Int64(column.type.rawValue))
        let sensitivity = UInt64(bitPattern: Int64(column.sensitivity.rawValue))
        let size = descriptorSize(column)
        name.withUTF8 { name in
            output.write(tag(2, varint: false))
            output.writeVarint(UInt64(size))
            if name.count > 0 {
                output.write(tag(1, varint: false))
                output.writeVarint(UInt64(name.count))
                output.write(UnsafeRawBufferPointer(name))
            }
        }
        if type != 0 {
            output.write(tag(2, varint: true))
            output.writeVarint(type)
        }
        if sensitivity != 0 {
            output.write(tag(3, varint: true))
            output.writeVarint(sensitivity)
        }
    }

    private static func writeTally(_ tally: MaskTally, to output: inout ByteWriter) {
        var size = 0
        tally.forEachField { _, count in
            if count != 0 { size += 1 + ProtoWireWriter.varintSize(UInt64(count)) }
        }
        output.write(tag(4, varint: false))
        output.writeVarint(UInt64(size))
        tally.forEachField { field, count in
            if count != 0 {
                output.write(tag(field, varint: true))
                output.writeVarint(UInt64(count))
            }
        }
    }
}
