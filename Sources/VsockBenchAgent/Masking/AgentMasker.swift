import SwiftProtobuf

/// The agent's per-message work, in memory only: decode a `QueryFragment`, mask it, encode a
/// `MaskedResultSet`. This is what `vsockbench serve --mode agent` runs for each request (and
/// what `--target null` runs with no socket at all).
///
/// Rules: emails keep their domain (`***@example.com`); card numbers keep their last four
/// digits and phones their last two (other digits become `*`, separators stay); national ids
/// become `[REDACTED]`; names become a keyed token (`NameTokenizer`); free text has its
/// emails and Luhn-valid card numbers masked in place (`FreeTextScanner`). Empty cells (SQL
/// NULL) stay empty and are not counted. A column of an unknown class is redacted whole.
///
/// Decoding uses swift-protobuf's generated `QueryFragment` (it validates untrusted input);
/// masking writes every masked cell into a reused table, and encoding writes that table as
/// wire format straight into the caller's buffer (`MaskedResultEncoder`).
///
/// One masker per connection: its key makes name tokens stable within the connection only.
/// Not thread-safe; it keeps its buffers between messages.
public struct AgentMasker: Sendable {
    private let tokenizer: NameTokenizer
    private var table = MaskedTable()
    /// The sensitivity of each column of the message being masked.
    private var rules: [Vsockbench_Agent_SensitivityClass] = []

    /// - Parameter connectionKey: the SipHash key for name tokens; draw a fresh random key per
    ///   connection so tokens cannot be joined across connections.
    public init(connectionKey: (UInt64, UInt64)) {
        tokenizer = NameTokenizer(key: connectionKey)
    }

    /// Decodes `request`, masks it and writes the encoded `MaskedResultSet` into `output`
    /// (replacing its contents, keeping its capacity: hand in a pooled buffer).
    ///
    /// - Returns: the time each phase took.
    /// - Throws: `AgentError.malformedRequest` when `request` is not a `QueryFragment`,
    ///   `.rowShapeMismatch` or `.cellLengthsMismatch` when a row's cells do not fit its
    ///   columns or its values. `output` is left empty then.
    public mutating func process(
        request: UnsafeRawBufferPointer,
        into output: inout [UInt8]
    ) throws(AgentError) -> AgentTimings {
        output.removeAll(keepingCapacity: true)
        let started = MonotonicClock.nanoseconds()
        let fragment = try AgentMasker.decode(request)
        let decoded = MonotonicClock.nanoseconds()
        try mask(fragment)
        let masked = MonotonicClock.nanoseconds()
        encode(into: &output)
        let encoded = MonotonicClock.nanoseconds()
        return AgentTimings(
            decodeNanos: decoded &- started,
            maskNanos: masked &- decoded,
            encodeNanos: encoded &- masked
        )
    }

    // MARK: Phases, public for the phase-by-phase benchmarks; the data path calls `process`.

    /// The most memory decoding a fragment of `bytes` takes (what a target reserves for it):
    /// the wire limits (rows per byte, rows, columns) are what keep it within this.
    public static func maxDecodedBytes(fragmentBytes bytes: Int) -> Int {
        FragmentLimits.decodedBytesPerByte * bytes + FragmentLimits.maxColumns * 64
    }

    /// Phase 1: protobuf decoding (swift-protobuf).
    public static func decode(_ request: UnsafeRawBufferPointer) throws(AgentError) -> DecodedFragment {
        try FragmentLimits.check(request)
        do {
            let message = try Vsockbench_Agent_QueryFragment(serializedBytes: RawSpan(_unsafeBytes: request))
            return DecodedFragment(message: message)
        } catch {
            throw AgentError.malformedRequest(byteCount: request.count, reason: "\(error)")
        }
    }

    /// Phase 2: masking, into the masker's table (what `encode` writes next). The result is
    /// bounded by `limit` bytes before each row is written (every cell at the most it can
    /// grow to), so a request of cells that grow when masked cannot make it allocate more.
    public mutating func mask(_ fragment: DecodedFragment, limit: Int = .max) throws(AgentError) {
        table.reset()
        let message = fragment.message
        let width = message.columns.count
        rules.removeAll(keepingCapacity: true)
        for column in message.columns {
            rules.append(column.sensitivity)
        }
        let rules = self.rules
        let tokenizer = self.tokenizer
        var tally = MaskTally()
        // The fragment id, the echoed column descriptors and the counts go out whatever the rows.
        let fixed = MaskedResultEncoder.fixedBound(columns: message.columns)
        guard fixed <= limit else { throw AgentError.responseTooLarge(row: 0, bytes: fixed, limit: limit) }
        for (index, row) in message.rows.enumerated() {
            guard row.valueLengths.count == width else {
                throw AgentError.rowShapeMismatch(row: index, cells: row.valueLengths.count, columns: width)
            }
            var declared = 0
            for length in row.valueLengths { declared += Int(length) }
            guard declared == row.values.count else {
                throw AgentError.cellLengthsMismatch(row: index, declared: declared, actual: row.values.count)
            }
            let bound = RowMasker.bound(valuesSize: declared, cells: width)
            // What the encoded result could reach with this row: the fixed parts, then values, a
            // length varint per cell, a row's framing (MaskedResultEncoder's own upper bound).
            let projected = fixed
                + MaskedResultEncoder.rowsBound(values: table.used + bound, cells: table.cellCount + width, rows: index + 1)
            guard projected <= limit else {
                table.wipe()
                throw AgentError.responseTooLarge(row: index, bytes: projected, limit: limit)
            }
            table.writeRow(bound: bound, cells: width) { output, lengths in
                row.values.withUnsafeBytes { values in
                    rules.withUnsafeBufferPointer { rules in
                        RowMasker.mask(
                            values, lengths: row.valueLengths, rules: rules, tokenizer: tokenizer,
                            into: &output, maskedLengths: lengths, tally: &tally)
                    }
                }
            }
        }
        table.fragmentID = message.id
        table.columns = message.columns
        table.rowCount = message.rows.count
        table.tally = tally
    }

    /// Zeroes what the last message left in the masker's reused table; the data path calls it
    /// once the response is written.
    public mutating func wipe() {
        table.wipe()
    }

    /// Phase 3: encoding of the last masked table as a `MaskedResultSet`, appended to `output`.
    public func encode(into output: inout [UInt8]) {
        MaskedResultEncoder.encode(table, into: &output)
    }
}

extension AgentMasker {
    /// A decoded `QueryFragment` (opaque: the generated types stay internal to this module).
    public struct DecodedFragment: Sendable {
        var message: Vsockbench_Agent_QueryFragment

        /// Zeroes the decoded cells in place: swift-protobuf copies each row's values into a
        /// `Data` of its own and frees it without zeroing, so a peer's plaintext outlived the
        /// connection in freed memory (review). Call once masking is done, with no other copy
        /// of the fragment alive (a shared copy would be copied on write and left as it was).
        public mutating func wipe() {
            for index in message.rows.indices {
                message.rows[index].values.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
                message.rows[index].valueLengths.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            }
        }
    }
}
