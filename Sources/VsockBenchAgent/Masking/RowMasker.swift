/// Masks one row: reads its cells from the row's values, writes each masked cell and
/// appends its length. One pass through pointers, no allocation once buffers have grown.
enum RowMasker {
    /// The most bytes a masked row can take: a cell grows at most to twice its size (free
    /// text where `a@b.co` becomes `***@b.co`) or to a 20-byte name token.
    static func bound(valuesSize: Int, cells: Int) -> Int {
        2 * valuesSize + NameTokenizer.tokenLength * cells
    }

    /// `lengths` must add up to `values.count`, and `rules` and `maskedLengths` hold one
    /// entry per length (the caller checks both).
    static func mask(
        _ values: UnsafeRawBufferPointer,
        lengths: [UInt32],
        rules: UnsafeBufferPointer<Vsockbench_Agent_SensitivityClass>,
        tokenizer: NameTokenizer,
        into output: inout ByteWriter,
        maskedLengths: UnsafeMutableBufferPointer<UInt32>,
        tally: inout MaskTally
    ) {
        var offset = 0
        for column in 0..<lengths.count {
            let length = Int(lengths[column])
            let cell = UnsafeRawBufferPointer(rebasing: values[offset..<(offset + length)])
            offset += length
            let start = output.count
            if length > 0 {
                maskCell(cell, as: rules[column], tokenizer: tokenizer, into: &output, tally: &tally)
            }
            maskedLengths[column] = UInt32(truncatingIfNeeded: output.count - start)
        }
    }

    @inline(__always)
    private static func maskCell(
        _ cell: UnsafeRawBufferPointer,
        as sensitivity: Vsockbench_Agent_SensitivityClass,
        tokenizer: NameTokenizer,
        into output: inout ByteWriter,
        tally: inout MaskTally
    ) {
        switch sensitivity {
        case .none:
            output.write(cell)
        case .card:
            MaskingRules.writeMaskingDigits(cell, keep: MaskingRules.cardDigitsKept, into: &output)
            tally.cards += 1
        case .phone:
            MaskingRules.writeMaskingDigits(cell, keep: MaskingRules.phoneDigitsKept, into: &output)
            tally.phones += 1
        case .nationalID:
            output.write(MaskingRules.redacted)
            tally.nationalIDs += 1
        case .email:
            MaskingRules.maskEmail(cell, into: &output)
            tally.emails += 1
        case .name:
            tokenizer.writeToken(for: cell, into: &output)
            tally.names += 1
        case .freeText:
            let found = FreeTextScanner.scan(cell, into: &output)
            tally.freeTextEmails += found.emails
            tally.freeTextCards += found.cards
        case .UNRECOGNIZED:
            output.write(MaskingRules.redacted)
        }
    }
}
