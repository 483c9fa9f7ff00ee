/// Why a response failed verification: where (row and column) and which rule, never the
/// value, so the report can be printed and kept without leaking what it is about.
public struct AgentVerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The rule a response broke. Payloads are counts and column names, never cell values.
    public enum Rule: Sendable, Hashable {
        /// The response is not a `MaskedResultSet` protobuf.
        case undecodableResponse
        /// The response carries another fragment's id.
        case fragmentIDMismatch
        /// The response does not carry the request's columns.
        case columnCountMismatch(expected: Int, actual: Int)
        case rowCountMismatch(expected: Int, actual: Int)
        case cellCountMismatch(expected: Int, actual: Int)
        /// A row's cell lengths do not add up to its values.
        case malformedRow
        /// `message` (`MaskedResultSet`, `Row` or `MaskCounts`) holds a field its schema does not
        /// define, or one with the wrong wire type: bytes that no other check would read.
        case unexpectedField(message: String, number: Int, wireType: Int)
        /// A singular field of `message` appears more than once (a decoder keeps the last).
        case repeatedField(message: String, number: Int)
        /// The response's column descriptor `index` (0-based) is not the request's, byte for byte.
        case columnDescriptorMismatch(index: Int)
        /// A value generated as sensitive in `sourceColumn` of this row appears in the response
        /// outside this row's cells (in another row, or outside the rows).
        case leakedElsewhere(sourceColumn: String)
        /// A value generated as sensitive in `sourceColumn` (a column value, or one planted in
        /// free text) appears somewhere in the masked row.
        case leakedSensitiveValue(sourceColumn: String)
        /// An email is not `***@` followed by its original domain.
        case emailFormat
        /// A card number does not keep exactly its last four digits (others `*`).
        case cardFormat
        /// A phone number does not keep exactly its last two digits (others `*`).
        case phoneFormat
        /// A national id is not fully redacted.
        case nationalIDFormat
        /// A name was not replaced by a token (`tok_` and 16 hex digits).
        case nameTokenFormat
        /// One name got two tokens, or two names one token, within the connection.
        case nameTokenInconsistent
        /// Free text differs from the original with its planted emails and cards masked.
        case freeTextMismatch
        /// A non-sensitive value (or an empty cell) was changed.
        case nonSensitiveValueChanged
        /// The reported count of masked values of `kind` is not what was generated.
        case maskedCountMismatch(kind: String, expected: Int, actual: Int)
    }

    /// The row (0-based), or nil when the failure is about the whole message.
    public let row: Int?
    /// The column's name where the problem shows, or nil when it is about no single column.
    public let column: String?
    public let rule: Rule

    public init(row: Int?, column: String?, rule: Rule) {
        self.row = row
        self.column = column
        self.rule = rule
    }

    public var description: String {
        var location = "response"
        if let row { location += ", row \(row)" }
        if let column { location += ", column \(column)" }
        return "\(location): \(ruleDescription)"
    }

    private var ruleDescription: String {
        switch rule {
        case .undecodableResponse: return "not a valid MaskedResultSet protobuf"
        case .fragmentIDMismatch: return "fragment id differs from the request's"
        case .columnCountMismatch(let expected, let actual): return "\(actual) columns, expected \(expected)"
        case .rowCountMismatch(let expected, let actual): return "\(actual) rows, expected \(expected)"
        case .cellCountMismatch(let expected, let actual): return "\(actual) cells, expected \(expected)"
        case .malformedRow: return "cell lengths do not add up to the row's values"
        case .unexpectedField(let message, let number, let wireType):
            return "field \(number) (wire type \(wireType)) is not part of \(message)"
        case .repeatedField(let message, let number):
            return "singular field \(number) of \(message) appears more than once"
        case .columnDescriptorMismatch(let index): return "column descriptor \(index) differs from the request's"
        case .leakedElsewhere(let source):
            return "leak: a sensitive value generated for column \(source) of this row is present outside the row's cells"
        case .leakedSensitiveValue(let source): return "leak: a sensitive value generated for column \(source) is present"
        case .emailFormat: return "email not masked as ***@ followed by its original domain"
        case .cardFormat: return "card number not masked to its last four digits"
        case .phoneFormat: return "phone number not masked to its last two digits"
        case .nationalIDFormat: return "national id not fully redacted"
        case .nameTokenFormat: return "name not replaced by a tok_ token"
        case .nameTokenInconsistent: return "name tokens inconsistent within the connection"
        case .freeTextMismatch: return "free text differs from the original with its emails and card numbers masked"
        case .nonSensitiveValueChanged: return "non-sensitive value changed"
        case .maskedCountMismatch(let kind, let expected, let actual):
            return "masked \(kind) count is \(actual), expected \(expected)"
        }
    }
}
