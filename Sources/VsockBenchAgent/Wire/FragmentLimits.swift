/// Bounds checked on a request's wire bytes before swift-protobuf decodes it: decoding builds
/// a structure per row and per column, so a hostile fragment of tiny rows could make the agent
/// allocate many times its own size. The limits leave room for any realistic result set (a
/// 4 MiB fragment of 80-byte rows has about 52k rows).
/// Rows are also bounded by the fragment's size: past `rowsFree`, a row takes `minimumRowBytes`
/// on the wire on average (a generated row takes a few hundred), so a fragment of tiny rows
/// cannot make the target decode more rows than the memory it reserved for the fragment
/// covers (`AgentMasker.maxDecodedBytes`).
enum FragmentLimits {
    static let maxRows = 131_072
    static let maxColumns = 1_024
    static let minimumRowBytes = 16
    static let rowsFree = 64

    /// What swift-protobuf allocates to decode a fragment, per byte of it, at most: measured
    /// (heap in use, mallinfo2, with the fragment decoded and held) at up to 9.1 bytes a byte
    /// for the costliest rows these limits let through (22-byte rows of one 15-byte cell: a
    /// Data storage and a lengths array each), 8.5 for rows of 12 packed lengths, 3.4 for
    /// empty rows padded to 16 bytes; 12 leaves room for the rows array's growth.
    static let decodedBytesPerByte = 12

    /// The most rows a fragment of `bytes` may hold.
    static func maxRows(inFragmentOf bytes: Int) -> Int {
        min(maxRows, max(rowsFree, bytes / minimumRowBytes))
    }

    /// Counts the top-level `columns` (3) and `rows` (4) fields without decoding anything.
    static func check(_ request: UnsafeRawBufferPointer) throws(AgentError) {
        var reader = ProtoWireReader(request)
        var rows = 0
        var columns = 0
        let rowLimit = maxRows(inFragmentOf: request.count)
        do {
            while let field = try reader.next() {
                switch field.number {
                case 3: columns += 1
                case 4: rows += 1
                default: continue
                }
                if rows > rowLimit || columns > maxColumns {
                    let reason = rows <= rowLimit ? "more than \(maxColumns) columns"
                        : rowLimit == maxRows ? "more than \(maxRows) rows"
                        : "more than \(rowLimit) rows in \(request.count) bytes (past \(rowsFree) rows, at most one row per \(minimumRowBytes) bytes)"
                    throw AgentError.malformedRequest(byteCount: request.count, reason: reason)
                }
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError.malformedRequest(byteCount: request.count, reason: "not protobuf wire format (\(error))")
        }
    }
}
