import FuzzSupport

/// A `QueryFragment` or a `MaskedResultSet` as read here from its wire bytes (proto3 rules:
/// the last value of a singular field wins, repeated lengths may come packed or not), apart
/// from swift-protobuf and from the agent's own encoder and reader.
struct WireTable {
    struct Column {
        var name: [UInt8] = []
        var type: Int32 = 0
        var sensitivity: Int32 = 0
    }

    struct Row {
        var values: [UInt8] = []
        var lengths: [UInt32] = []
    }

    var id: UInt64 = 0
    var columns: [Column] = []
    var rows: [Row] = []
    /// MaskCounts by field number (results only).
    var counts: [UInt64: UInt64] = [:]
    var countsSeen = 0

    /// A request: id 1, sql 2, columns 3, rows 4. Nil when the bytes do not read as one here.
    static func request(_ bytes: UnsafeRawBufferPointer) -> WireTable? {
        read(bytes, columnsField: 3, rowsField: 4, countsField: nil)
    }

    /// A result: fragment_id 1, columns 2, rows 3, counts 4.
    static func result(_ bytes: UnsafeRawBufferPointer) -> WireTable? {
        read(bytes, columnsField: 2, rowsField: 3, countsField: 4)
    }

    private static func read(_ bytes: UnsafeRawBufferPointer, columnsField: UInt64, rowsField: UInt64, countsField: UInt64?) -> WireTable? {
        var table = WireTable()
        var walk = WireWalk(bytes)
        do throws(WireWalkError) {
            while let field = try walk.next() {
                switch (field.number, field.wireType) {
                case (1, 0): table.id = field.value
                case (columnsField, 2): table.columns.append(try column(field.payload))
                case (rowsField, 2): table.rows.append(try row(field.payload))
                case (countsField ?? UInt64.max, 2):
                    table.countsSeen += 1
                    table.counts = try counts(field.payload)
                default: break
                }
            }
        } catch {
            return nil
        }
        return table
    }

    private static func column(_ bytes: UnsafeRawBufferPointer) throws(WireWalkError) -> Column {
        var column = Column()
        var walk = WireWalk(bytes)
        while let field = try walk.next() {
            switch (field.number, field.wireType) {
            case (1, 2): column.name = Array(field.payload)
            case (2, 0): column.type = Int32(truncatingIfNeeded: field.value)
            case (3, 0): column.sensitivity = Int32(truncatingIfNeeded: field.value)
            default: break
            }
        }
        return column
    }

    private static func row(_ bytes: UnsafeRawBufferPointer) throws(WireWalkError) -> Row {
        var row = Row()
        var walk = WireWalk(bytes)
        while let field = try walk.next() {
            switch (field.number, field.wireType) {
            case (1, 2): row.values = Array(field.payload)
            case (2, 0): row.lengths.append(UInt32(truncatingIfNeeded: field.value))
            case (2, 2):
                var packed = WireWalk(field.payload)
                while !packed.isAtEnd { row.lengths.append(UInt32(truncatingIfNeeded: try packed.varint())) }
            default: break
            }
        }
        return row
    }

    private static func counts(_ bytes: UnsafeRawBufferPointer) throws(WireWalkError) -> [UInt64: UInt64] {
        var counts: [UInt64: UInt64] = [:]
        var walk = WireWalk(bytes)
        while let field = try walk.next() {
            if field.wireType == 0 { counts[field.number] = field.value }
        }
        return counts
    }

    /// The cells of row `index`, each as a range of its values; nil when the lengths do not
    /// cover the values exactly.
    func cells(ofRow index: Int) -> [Range<Int>]? {
        var cells: [Range<Int>] = []
        var offset = 0
        for length in rows[index].lengths {
            let end = offset + Int(length)
            guard end <= rows[index].values.count else { return nil }
            cells.append(offset..<end)
            offset = end
        }
        return offset == rows[index].values.count ? cells : nil
    }
}
