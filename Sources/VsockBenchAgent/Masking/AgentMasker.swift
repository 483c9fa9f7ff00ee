import SwiftProtobuf

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
/// One masker per connection: its key makes name tokens stable within the connection only.
/// Not thread-safe; it keeps scratch buffers between messages.
public struct AgentMasker: Sendable {
    private let tokenizer: NameTokenizer
    private var scratch: [UInt8] = []

    /// - Parameter connectionKey: the SipHash key for name tokens; draw a fresh random key per
    ///   connection so tokens cannot be joined across connections.
    public init(connectionKey: (UInt64, UInt64)) {
        tokenizer = NameTokenizer(key: connectionKey)
        scratch.reserveCapacity(256)
    }

    /// Decodes `request`, masks it and writes the encoded `MaskedResultSet` into `output`
    /// (replacing its contents, keeping its capacity: hand in a pooled buffer).
    ///
    /// - Returns: the time each phase took.
    /// - Throws: `AgentError.malformedRequest` when `request` is not a `QueryFragment`,
    ///   `AgentError.rowShapeMismatch` when a row's cells do not match the columns. `output`
    ///   is left empty then.
    public mutating func process(
        request: UnsafeRawBufferPointer,
        into output: inout [UInt8]
    ) throws(AgentError) -> AgentTimings {
        output.removeAll(keepingCapacity: true)
        let started = MonotonicClock.nanoseconds()
        var fragment = try AgentMasker.decode(request)
        let decoded = MonotonicClock.nanoseconds()
        let result = try mask(&fragment)
        let masked = MonotonicClock.nanoseconds()
        try AgentMasker.encode(result, into: &output)
        let encoded = MonotonicClock.nanoseconds()
        return AgentTimings(
            decodeNanos: decoded &- started,
            maskNanos: masked &- decoded,
            encodeNanos: encoded &- masked
        )
    }

    // MARK: Phases, public for the phase-by-phase benchmarks; the data path calls `process`.

    /// Phase 1: protobuf decoding.
    public static func decode(_ request: UnsafeRawBufferPointer) throws(AgentError) -> DecodedFragment {
        do {
            let message = try Vsockbench_Agent_QueryFragment(serializedBytes: RawSpan(_unsafeBytes: request))
            return DecodedFragment(message: message)
        } catch {
            throw AgentError.malformedRequest(byteCount: request.count, reason: "\(error)")
        }
    }

    /// Phase 2: masking. Moves the rows out of `fragment` (masking them in place where the
    /// rule keeps the length), so `fragment` holds no rows afterwards.
    public mutating func mask(_ fragment: inout DecodedFragment) throws(AgentError) -> MaskedResult {
        var rows: [Vsockbench_Agent_Row] = []
        swap(&rows, &fragment.message.rows)
        let columns = fragment.message.columns
        var counts = Vsockbench_Agent_MaskCounts()
        for rowIndex in rows.indices {
            let cellCount = rows[rowIndex].cells.count
            guard cellCount == columns.count else {
                throw AgentError.rowShapeMismatch(row: rowIndex, cells: cellCount, columns: columns.count)
            }
            for column in columns.indices {
                maskCell(&rows[rowIndex].cells[column], as: columns[column].sensitivity, counts: &counts)
            }
        }
        var result = Vsockbench_Agent_MaskedResultSet()
        result.fragmentID = fragment.message.id
        result.columns = columns
        result.rows = rows
        result.counts = counts
        return MaskedResult(message: result)
    }

    /// Phase 3: protobuf encoding, appended to `output`.
    public static func encode(_ result: MaskedResult, into output: inout [UInt8]) throws(AgentError) {
        do {
            let bytes: [UInt8] = try result.message.serializedBytes()
            output.append(contentsOf: bytes)
        } catch {
            throw AgentError.encodingFailed(reason: "\(error)")
        }
    }

    // MARK: Rules

    private mutating func maskCell(
        _ cell: inout Data,
        as sensitivity: Vsockbench_Agent_SensitivityClass,
        counts: inout Vsockbench_Agent_MaskCounts
    ) {
        guard !cell.isEmpty else { return }
        switch sensitivity {
        case .none:
            return
        case .card:
            cell.withUnsafeMutableBytes { _ = MaskingRules.maskDigits($0, keep: MaskingRules.cardDigitsKept) }
            counts.cards += 1
        case .phone:
            cell.withUnsafeMutableBytes { _ = MaskingRules.maskDigits($0, keep: MaskingRules.phoneDigitsKept) }
            counts.phones += 1
        case .nationalID:
            cell = AgentMasker.redactedCell
            counts.nationalIds += 1
        case .email:
            scratch.removeAll(keepingCapacity: true)
            cell.withUnsafeBytes { MaskingRules.maskEmail($0, into: &scratch) }
            cell = Data(scratch)
            counts.emails += 1
        case .name:
            scratch.removeAll(keepingCapacity: true)
            cell.withUnsafeBytes { tokenizer.appendToken(for: $0, to: &scratch) }
            cell = Data(scratch)
            counts.names += 1
        case .freeText:
            scratch.removeAll(keepingCapacity: true)
            let found = cell.withUnsafeBytes { FreeTextScanner.scan($0, into: &scratch) }
            if !found.isEmpty {
                cell = Data(scratch)
                counts.freeTextEmails += UInt32(truncatingIfNeeded: found.emails)
                counts.freeTextCards += UInt32(truncatingIfNeeded: found.cards)
            }
        case .UNRECOGNIZED:
            cell = AgentMasker.redactedCell
        }
    }

    private static let redactedCell = Data(MaskingRules.redacted)
}

extension AgentMasker {
    /// A decoded `QueryFragment` (opaque: the generated types stay internal to this module).
    public struct DecodedFragment: Sendable {
        var message: Vsockbench_Agent_QueryFragment
    }

    /// A masked result set, ready to encode.
    public struct MaskedResult: Sendable {
        var message: Vsockbench_Agent_MaskedResultSet
    }
}
