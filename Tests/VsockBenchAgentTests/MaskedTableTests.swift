import Testing
@testable import VsockBenchAgent

/// The masker's table holds a message's masked cells and their lengths between messages: wiping
/// it zeroes both (the lengths had been left, and a value's length is the data's too).
@Suite struct MaskedTableTests {
    @Test func wipingZeroesTheValuesAndTheCellLengths() {
        var table = MaskedTable()
        for row in 0..<40 {
            table.writeRow(bound: 8, cells: 2) { writer, lengths in
                writer.write(UInt8(row + 1))
                writer.write(UInt8(row + 2))
                lengths[0] = 1
                lengths[1] = UInt32(row + 1)
            }
        }
        #expect(table.cellCount == 80 && table.used == 80)
        #expect(table.lengths.prefix(80).contains { $0 != 0 })
        table.wipe()
        #expect(table.lengths.allSatisfy { $0 == 0 }, "cell lengths left after the wipe")
        #expect(table.values.allSatisfy { $0 == 0 })
        #expect(table.cellCount == 0 && table.used == 0)
    }
}
