/// Why the agent could not process a request. The server turns it into an error frame and
/// closes the connection; the description is one line, fit for a log or a CLI message.
public enum AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request bytes are not a `QueryFragment` protobuf (truncated, bad wire type, bad
    /// varint, invalid UTF-8 in the SQL text...). `reason` is the decoder's error.
    case malformedRequest(byteCount: Int, reason: String)
    /// A row does not have one cell per declared column, so no masking rule can be applied.
    case rowShapeMismatch(row: Int, cells: Int, columns: Int)
    /// A row's cell lengths do not add up to the size of its values.
    case cellLengthsMismatch(row: Int, declared: Int, actual: Int)
    /// The masked result could not be encoded (only when it would exceed protobuf's 2 GiB).
    case encodingFailed(reason: String)
    /// Masking would grow the result past the caller's limit (cells that grow when masked,
    /// such as one-byte names becoming 20-byte tokens): refused before it is built.
    case responseTooLarge(row: Int, bytes: Int, limit: Int)

    public var description: String {
        switch self {
        case .malformedRequest(let byteCount, let reason):
            return "agent: the \(byteCount)-byte request is not a valid QueryFragment protobuf (\(reason)); "
                + "the peer must send one QueryFragment of proto/agent.proto per frame"
        case .rowShapeMismatch(let row, let cells, let columns):
            return "agent: row \(row) of the request has \(cells) cells but \(columns) columns are declared; "
                + "every row needs one cell per column"
        case .cellLengthsMismatch(let row, let declared, let actual):
            return "agent: row \(row) of the request declares cells covering \(declared) bytes but holds \(actual); "
                + "value_lengths must add up to the size of values"
        case .encodingFailed(let reason):
            return "agent: could not encode the MaskedResultSet (\(reason))"
        case .responseTooLarge(let row, let bytes, let limit):
            return "agent: the masked result set would reach \(bytes) bytes by row \(row), over the \(limit)-byte limit "
                + "(the target's --max-frame); send fewer or larger cells per request"
        }
    }
}
