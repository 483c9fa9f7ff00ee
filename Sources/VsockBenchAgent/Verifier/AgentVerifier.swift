/// Checks the agent's responses on the client side, one verifier per connection.
///
/// For each response: it holds only `MaskedResultSet`'s fields (in it, in each row and in its
/// counts; a singular field at most once), so no byte of it escapes the checks below; the
/// fragment id and row count match the request, and its column descriptors are the request's,
/// byte for byte; no value generated as sensitive (column values and secrets planted in free
/// text) appears anywhere in the response; each masked cell has its class's format; non-sensitive cells and empty
/// cells are unchanged; the masked counts match what was generated; and each name maps to
/// one token, and each token to one name, across all responses of the connection (hence
/// `mutating`: the verifier remembers fingerprints of names and tokens, not the names).
///
/// Reads request and response in place; failures name the row, column and rule only.
public struct AgentVerifier: Sendable {
    struct Column {
        /// The whole encoded `ColumnDescriptor`, which the response must echo byte for byte.
        var descriptor: Range<Int>
        var name: Range<Int>
        var sensitivity: Int
    }

    private var columns: [Column] = []
    var tokens = NameTokenRegistry()
    /// The request's sensitive values, looked for anywhere in the response.
    private var leaks = LeakScan()

    public init() {}

    /// Verifies `response` (an encoded `MaskedResultSet`) against `request`.
    ///
    /// - Returns: nil when the response is correct, else the first failure found.
    public mutating func verify(response: UnsafeRawBufferPointer, for request: AgentRequest) -> AgentVerificationFailure? {
        request.bytes.withUnsafeBytes { requestBytes in
            do {
                return try verify(response: response, request: requestBytes, embedded: request.embedded[...])
            } catch {
                return AgentVerificationFailure(row: nil, column: nil, rule: .undecodableResponse)
            }
        }
    }

    /// Convenience for a response held in an array.
    public mutating func verify(response: [UInt8], for request: AgentRequest) -> AgentVerificationFailure? {
        response.withUnsafeBytes { verify(response: $0, for: request) }
    }

    private mutating func verify(
        response: UnsafeRawBufferPointer,
        request: UnsafeRawBufferPointer,
        embedded: ArraySlice<EmbeddedSecret>
    ) throws(ProtoWireReader.Failure) -> AgentVerificationFailure? {
        var expectedID: UInt64 = 0
        var expectedRows = 0
        columns.removeAll(keepingCapacity: true)
        var requestReader = ProtoWireReader(request)
        while let field = try requestReader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): expectedID = field.value
            case (3, 2): columns.append(try Self.column(in: request, range: field.range))
            case (4, 2): expectedRows += 1
            default: break
            }
        }

        let summary: ResponseSummary
        switch try ResponseSummary.read(response, request: request, columns: columns) {
        case .success(let read): summary = read
        case .failure(let failure): return failure
        }
        if summary.fragmentID != expectedID {
            return AgentVerificationFailure(row: nil, column: nil, rule: .fragmentIDMismatch)
        }
        if summary.columnCount != columns.count {
            return failure(nil, nil, .columnCountMismatch(expected: columns.count, actual: summary.columnCount))
        }
        if summary.rowCount != expectedRows {
            return failure(nil, nil, .rowCountMismatch(expected: expectedRows, actual: summary.rowCount))
        }

        // One more slot than columns, to see a row with too many cells.
        let slots = columns.count + 1
        let outcome = withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: slots) { requestCells in
            withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: slots) { responseCells in
                Result { () throws(ProtoWireReader.Failure) -> AgentVerificationFailure? in
                    try verifyRows(
                        request: request, response: response, embedded: embedded,
                        requestCells: requestCells, responseCells: responseCells, expectedCounts: summary.counts)
                }
            }
        }
        return try outcome.get()
    }

    /// Walks request and response rows in step: first for their shapes and for leaks in each
    /// row's cells (where the failure can name the column), then for each cell's format; then
    /// checks the counts. Every cell's format is exact (strict fields, descriptors byte for
    /// byte), so plaintext anywhere in the response fails a format; only then is the whole
    /// response scanned for the request's values, to name it a leak rather than a format
    /// mismatch. Scanning every response cost the masked driver a quarter of its rate (its CPU
    /// 71.5 to 108.8 µs a message; `run scenarios/batching.yaml --case none`, release build).
    private mutating func verifyRows(
        request: UnsafeRawBufferPointer,
        response: UnsafeRawBufferPointer,
        embedded: ArraySlice<EmbeddedSecret>,
        requestCells: UnsafeMutableBufferPointer<Range<Int>>,
        responseCells: UnsafeMutableBufferPointer<Range<Int>>,
        expectedCounts reported: MaskTally
    ) throws(ProtoWireReader.Failure) -> AgentVerificationFailure? {
        let columns = self.columns
        /// Each row pair as a context, to `visit` until it returns a failure; a row whose shape
        /// is wrong fails first.
        func walkRows(_ visit: (RowContext) -> AgentVerificationFailure?) throws(ProtoWireReader.Failure) -> AgentVerificationFailure? {
            var requestRows = ProtoWireReader(request)
            var responseRows = ProtoWireReader(response)
            var secrets = embedded
            var row = 0
            while let requestRow = try requestRows.next(lengthDelimited: 4),
                let responseRow = try responseRows.next(lengthDelimited: 3)
            {
                let requestShape: RowCells.Shape
                let responseShape: RowCells.Shape
                switch (
                    try RowCells.parse(request, row: requestRow, into: requestCells),
                    try RowCells.parse(response, row: responseRow, into: responseCells)
                ) {
                case (.cells(let requestCells), .cells(let responseCells)):
                    requestShape = requestCells
                    responseShape = responseCells
                case (_, .unexpectedField(let number, let wireType)):
                    return failure(row, nil, .unexpectedField(message: "Row", number: number, wireType: wireType))
                case (_, .repeatedField(let number)):
                    return failure(row, nil, .repeatedField(message: "Row", number: number))
                default:
                    return failure(row, nil, .malformedRow)
                }
                guard responseShape.count == requestShape.count, requestShape.count == columns.count else {
                    return failure(row, nil, .cellCountMismatch(expected: columns.count, actual: responseShape.count))
                }
                let rowSecretCount = secrets.prefix { $0.range.upperBound <= requestRow.upperBound }.count
                let context = RowContext(
                    row: row, request: request, response: response, columns: columns,
                    requestCells: UnsafeBufferPointer(rebasing: requestCells[..<requestShape.count]),
                    responseCells: UnsafeBufferPointer(rebasing: responseCells[..<responseShape.count]),
                    responseValues: responseShape.values, secrets: secrets.prefix(rowSecretCount))
                secrets = secrets.dropFirst(rowSecretCount)
                if let failure = visit(context) { return failure }
                row += 1
            }
            return nil
        }
        if let failure = try walkRows({ $0.firstLeak() }) { return failure }
        var tally = MaskTally()
        // Moved out and back (not copied): the registry grows over a connection.
        var tokens = NameTokenRegistry()
        swap(&tokens, &self.tokens)
        defer { swap(&tokens, &self.tokens) }
        if let mismatch = try walkRows({ $0.firstFormatMismatch(counts: &tally, tokens: &tokens) }) {
            // A value of the request moved elsewhere in the response (another row's cell) fails
            // a format too: said as the leak it is.
            var leaks = LeakScan()
            swap(&leaks, &self.leaks)
            leaks.removeAll()
            _ = try walkRows { context in
                context.addValues(to: &leaks)
                return nil
            }
            let leak = leaks.first(in: response, request: request)
            swap(&leaks, &self.leaks)
            if let leak {
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: request[columns[leak.column].name]), as: UTF8.self)
                return failure(leak.row, nil, .leakedElsewhere(sourceColumn: name))
            }
            return mismatch
        }
        return reported.firstMismatch(expected: tally)
    }

    private func failure(_ row: Int?, _ column: String?, _ rule: AgentVerificationFailure.Rule) -> AgentVerificationFailure {
        AgentVerificationFailure(row: row, column: column, rule: rule)
    }

    private static func column(in buffer: UnsafeRawBufferPointer, range: Range<Int>) throws(ProtoWireReader.Failure) -> Column {
        var column = Column(descriptor: range, name: range.lowerBound..<range.lowerBound, sensitivity: 0)
        var reader = ProtoWireReader(buffer, range: range)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2): column.name = field.range
            case (3, 0): column.sensitivity = Int(truncatingIfNeeded: field.value)
            default: break
            }
        }
        return column
    }
}

/// What the verifier reads from a response before walking its rows, checking on the way that
/// it holds only `MaskedResultSet`'s fields, each singular one at most once, and that each
/// column descriptor is the request's, byte for byte.
struct ResponseSummary {
    var fragmentID: UInt64 = 0
    var columnCount = 0
    var rowCount = 0
    var counts = MaskTally()

    static func read(
        _ response: UnsafeRawBufferPointer,
        request: UnsafeRawBufferPointer,
        columns: [AgentVerifier.Column]
    ) throws(ProtoWireReader.Failure) -> Result<ResponseSummary, AgentVerificationFailure> {
        var summary = ResponseSummary()
        var seenID = false
        var seenCounts = false
        var reader = ProtoWireReader(response)
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0):
                guard !seenID else { return .failure(.init(row: nil, column: nil, rule: .repeatedField(message: "MaskedResultSet", number: 1))) }
                seenID = true
                summary.fragmentID = field.value
            case (2, 2):
                let index = summary.columnCount
                summary.columnCount += 1
                // A count mismatch is reported once every column is counted.
                guard index < columns.count else { continue }
                let expected = UnsafeRawBufferPointer(rebasing: request[columns[index].descriptor])
                guard ByteSearch.equal(UnsafeRawBufferPointer(rebasing: response[field.range]), expected) else {
                    return .failure(.init(row: nil, column: nil, rule: .columnDescriptorMismatch(index: index)))
                }
            case (3, 2):
                summary.rowCount += 1
            case (4, 2):
                guard !seenCounts else { return .failure(.init(row: nil, column: nil, rule: .repeatedField(message: "MaskedResultSet", number: 4))) }
                seenCounts = true
                switch try MaskTally.strict(response, range: field.range) {
                case .success(let counts): summary.counts = counts
                case .failure(let failure): return .failure(failure)
                }
            default:
                return .failure(.init(row: nil, column: nil, rule: .unexpectedField(
                    message: "MaskedResultSet", number: field.number, wireType: Int(field.wireType))))
            }
        }
        return .success(summary)
    }
}
