/// The masker's output before encoding: every masked cell of the fragment back to back, one
/// length per cell, and the tally. Owned by the masker and reused from message to message,
/// so masking and encoding allocate nothing once its buffers have grown.
struct MaskedTable {
    var fragmentID: UInt64 = 0
    var columns: [Vsockbench_Agent_ColumnDescriptor] = []
    /// All rows' masked cells, back to back, in `values[0..<used]`; the array itself only
    /// grows (to the largest message seen), so rows are written through a pointer.
    var values: [UInt8] = []
    var used = 0
    /// One length per cell, row after row, in `lengths[0..<cellCount]` (`rowCount *
    /// columns.count` of them); grows like `values`.
    var lengths: [UInt32] = []
    var cellCount = 0
    var rowCount = 0
    var tally = MaskTally()

    /// Zeroes the masked values left from the last message (free text and unchanged cells are
    /// plaintext) and their cell lengths (a name's or a card number's length is the data's
    /// too), keeping the memory for the next one.
    mutating func wipe() {
        if used > 0 {
            values.withUnsafeMutableBytes { raw in
                _ = raw.baseAddress?.initializeMemory(as: UInt8.self, repeating: 0, count: min(used, raw.count))
            }
        }
        if cellCount > 0 {
            lengths.withUnsafeMutableBufferPointer { buffer in
                _ = buffer.baseAddress?.initialize(repeating: 0, count: min(cellCount, buffer.count))
            }
        }
        reset()
    }

    mutating func reset() {
        fragmentID = 0
        columns = []
        used = 0
        cellCount = 0
        rowCount = 0
        tally = MaskTally()
    }

    /// Grows `array` to at least `count` elements (doubling, so rows append in amortized
    /// constant time), keeping its first `keep`. The storage it outgrows holds the rows written
    /// so far (masked tokens, plaintext cells, their lengths): it is zeroed before it goes back
    /// to the allocator, which `append` would not do.
    private static func grow<Element: FixedWidthInteger>(_ array: inout [Element], to count: Int, keeping keep: Int) {
        var grown = [Element](repeating: 0, count: max(count, 2 * array.count))
        grown.withUnsafeMutableBufferPointer { new in
            array.withUnsafeMutableBufferPointer { old in
                guard let from = old.baseAddress, let to = new.baseAddress else { return }
                to.update(from: from, count: keep)
                from.update(repeating: 0, count: old.count)
            }
        }
        array = grown
    }

    /// Lets `body` write one row: up to `bound` value bytes after those used, and exactly
    /// `cells` lengths after those used.
    mutating func writeRow(
        bound: Int,
        cells: Int,
        _ body: (inout ByteWriter, UnsafeMutableBufferPointer<UInt32>) -> Void
    ) {
        let neededValues = used + bound
        if values.count < neededValues { Self.grow(&values, to: neededValues, keeping: used) }
        let neededLengths = cellCount + cells
        if lengths.count < neededLengths { Self.grow(&lengths, to: neededLengths, keeping: cellCount) }
        let valuesStart = used
        let lengthsStart = cellCount
        let written = values.withUnsafeMutableBytes { valueBuffer in
            lengths.withUnsafeMutableBufferPointer { lengthBuffer in
                var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: valueBuffer[valuesStart..<neededValues]))
                body(&writer, UnsafeMutableBufferPointer(rebasing: lengthBuffer[lengthsStart..<neededLengths]))
                return writer.count
            }
        }
        used += written
        cellCount = neededLengths
    }
}
