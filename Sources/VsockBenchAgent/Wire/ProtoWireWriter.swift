/// Appends protobuf wire-format pieces to a byte array.
///
/// The client writes requests directly in the wire format instead of building generated
/// messages: no `Data` per cell, no second pass to compute sizes. Tests check that
/// swift-protobuf decodes the result to the expected `QueryFragment`.
enum ProtoWireWriter {
    /// Wire type of varint fields (integers, enums).
    static let varint: UInt8 = 0
    /// Wire type of length-delimited fields (bytes, strings, messages, packed arrays).
    static let lengthDelimited: UInt8 = 2

    @inline(__always)
    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        output.append(UInt8(truncatingIfNeeded: rest))
    }

    @inline(__always)
    static func appendTag(field: Int, wireType: UInt8, to output: inout [UInt8]) {
        appendVarint(UInt64(field) << 3 | UInt64(wireType), to: &output)
    }

    /// Appends a length-delimited field holding `payload`.
    @inline(__always)
    static func appendBytesField(_ field: Int, _ payload: [UInt8], to output: inout [UInt8]) {
        appendTag(field: field, wireType: lengthDelimited, to: &output)
        appendVarint(UInt64(payload.count), to: &output)
        output.append(contentsOf: payload)
    }

    /// Appends a varint field, omitted when zero as proto3 does.
    @inline(__always)
    static func appendVarintField(_ field: Int, _ value: UInt64, to output: inout [UInt8]) {
        guard value != 0 else { return }
        appendTag(field: field, wireType: varint, to: &output)
        appendVarint(value, to: &output)
    }

    /// How many bytes `appendVarint(value)` writes.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }
}
