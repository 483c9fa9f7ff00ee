/// Bounds checked on a request's wire bytes before swift-protobuf decodes it: decoding builds
/// a structure per row and per column, so a hostile fragment of tiny rows could make the agent
/// allocate many times its own size. The limits leave room for any realistic result set (a
/// 4 MiB fragment of 80-byte rows has about 52k rows).
enum FragmentLimits {
    static let maxRows = 131_072
    static let maxColumns = 1_024

    /// Counts the top-level `columns` (3) and `rows` (4) fields without decoding anything.
    static func check(_ request: UnsafeRawBufferPointer) throws(AgentError) {
        var reader = ProtoWireReader(request)
        var rows = 0
        var columns = 0
        do {
            while let field = try reader.next() {
                switch field.number {
                case 3: columns += 1
                case 4: rows += 1
                default: continue
                }
                if rows > maxRows || columns > maxColumns {
                    throw AgentError.malformedRequest(
                        byteCount: request.count,
                        reason: rows > maxRows ? "more than \(maxRows) rows" : "more than \(maxColumns) columns")
                }
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError.malformedRequest(byteCount: request.count, reason: "not protobuf wire format (\(error))")
        }
    }
}
