/// The columns of every generated fragment: an `orders` query mixing every sensitivity class
/// with non-sensitive ids, amounts, timestamps and (non-ASCII) cities.
enum FragmentSchema {
    enum Column: Int, CaseIterable {
        case orderID, customerName, email, cardNumber, phone, nationalID, amount, createdAt, city, note
    }

    typealias Sensitivity = Vsockbench_Agent_SensitivityClass
    typealias ColumnType = Vsockbench_Agent_ColumnType

    static let columns: [(name: String, type: ColumnType, sensitivity: Sensitivity)] = [
        ("order_id", .int64, .none),
        ("customer_name", .text, .name),
        ("email", .text, .email),
        ("card_number", .text, .card),
        ("phone", .text, .phone),
        ("national_id", .text, .nationalID),
        ("amount", .decimal, .none),
        ("created_at", .timestamp, .none),
        ("city", .text, .none),
        ("note", .text, .freeText),
    ]

    /// Fields 2 (sql) and 3 (columns) of `QueryFragment`, encoded once: the same for every
    /// fragment, so each request only copies them after its id.
    static let encodedSQLAndColumns: [UInt8] = {
        var output: [UInt8] = []
        ProtoWireWriter.appendBytesField(2, SampleData.sql, to: &output)
        for column in columns {
            var descriptor: [UInt8] = []
            ProtoWireWriter.appendBytesField(1, Array(column.name.utf8), to: &descriptor)
            ProtoWireWriter.appendVarintField(2, UInt64(column.type.rawValue), to: &descriptor)
            ProtoWireWriter.appendVarintField(3, UInt64(column.sensitivity.rawValue), to: &descriptor)
            ProtoWireWriter.appendBytesField(3, descriptor, to: &output)
        }
        return output
    }()
}
