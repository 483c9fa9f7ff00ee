import Foundation
import SwiftProtobuf

@testable import VsockBenchAgent

typealias QueryFragment = Vsockbench_Agent_QueryFragment
typealias MaskedResultSet = Vsockbench_Agent_MaskedResultSet
typealias Sensitivity = Vsockbench_Agent_SensitivityClass

/// Hand-made fragments for rule-by-rule tests.
enum Fixtures {
    static let key: (UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)

    /// A fragment with one column per given class and the given rows of UTF-8 cells.
    static func fragment(id: UInt64 = 7, classes: [Sensitivity], rows: [[String]]) -> QueryFragment {
        var fragment = QueryFragment()
        fragment.id = id
        fragment.sql = "SELECT * FROM t"
        fragment.columns = classes.enumerated().map { index, sensitivity in
            var column = Vsockbench_Agent_ColumnDescriptor()
            column.name = "c\(index)"
            column.type = .text
            column.sensitivity = sensitivity
            return column
        }
        fragment.rows = rows.map { cells in
            var row = Vsockbench_Agent_Row()
            row.cells = cells.map { Data($0.utf8) }
            return row
        }
        return fragment
    }

    /// Runs the masker on `fragment` and decodes the response.
    static func mask(
        _ fragment: QueryFragment,
        masker: inout AgentMasker
    ) throws -> (MaskedResultSet, AgentTimings) {
        let request: [UInt8] = try fragment.serializedBytes()
        var output: [UInt8] = []
        let timings = try request.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        return (try MaskedResultSet(serializedBytes: output), timings)
    }

    /// Masks a single cell of the given class and returns the masked text.
    static func maskOne(_ value: String, as sensitivity: Sensitivity) throws -> String {
        var masker = AgentMasker(connectionKey: key)
        let (result, _) = try mask(fragment(classes: [sensitivity], rows: [[value]]), masker: &masker)
        return String(decoding: result.rows[0].cells[0], as: UTF8.self)
    }

    static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self)
    }
}

extension Vsockbench_Agent_Row {
    /// The row's cells, split from `values` by `valueLengths` (tests only: the data path never
    /// makes one `Data` per cell).
    var cells: [Data] {
        get {
            var offset = 0
            return valueLengths.map { length in
                defer { offset += Int(length) }
                return values.subdata(in: offset..<(offset + Int(length)))
            }
        }
        set {
            values = newValue.reduce(into: Data()) { $0.append($1) }
            valueLengths = newValue.map { UInt32($0.count) }
        }
    }
}
