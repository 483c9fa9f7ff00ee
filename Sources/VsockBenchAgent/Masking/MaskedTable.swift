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

    /// Grows `values` to at least `count` bytes (doubling, so rows append in amortized
    /// constant time). The storage it outgrows holds the rows written so far, masked tokens
    /// and plaintext cells: it is zeroed before it goes back to the allocator, which
    /// `append` would not do.
    private mutating func growValues(to count: Int) {
        var grown = [UInt8](repeating: 0, count: max(count, 2 * values.count))
        let keep = used
        grown.withUnsafeMutableBytes { new in
            values.withUnsafeMutableBytes { old in
                guard let from = old.baseAddress, let to = new.baseAddress else { return }
                to.copyMemory(from: from, byteCount: keep)
                from.initializeMemory(as: UInt8.self, repeating: 0, count: old.count)
            }
        }
        values = grown
    }

    /// Grows `lengths` as `growValues` grows `values`: the outgrown storage is zeroed before it
    /// goes back to the allocator (`append` had left the cells' lengths in it).
    private mutating func growLengths(to count: Int) {
        var grown = [UInt32](repeating: 0, count: max(count, 2 * lengths.count))
        let keep = cellCount
        grown.withUnsafeMutableBufferPointer { new in
            lengths.withUnsafeMutableBufferPointer { old in
                guard let from = old.baseAddress, let to = new.baseAddress else { return }
                to.update(from: from, count: keep)
                from.update(repeating: 0, count: old.count)
            }
        }
        lengths = grown
    }

    /// Lets `body` write one row: up to `bound` value bytes after those used, and exactly
    /// `cells` lengths after those used.
    mutating func writeRow(
        bound: Int,
        cells: Int,
        _ body: (inout ByteWriter, UnsafeMutableBufferPointer<UInt32>) -> Void
    ) {
        let neededValues = used + bound
        if values.count < neededValues { growValues(to: neededValues) }
        let neededLengths = cellCount + cells
        if lengths.count < neededLengths { growLengths(to: neededLengths) }
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
