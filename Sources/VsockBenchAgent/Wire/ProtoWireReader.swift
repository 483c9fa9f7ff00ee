/// Walks protobuf wire format in a borrowed buffer, without copying or allocating: the
/// verifier reads requests and responses field by field, as byte ranges of the buffer.
struct ProtoWireReader {
    enum Failure: Error, Equatable {
        case truncated
        case overlongVarint
        case unsupportedWireType(UInt8)
        case invalidFieldNumber
    }

    /// One field: its number, and either its varint value or its payload's byte range.
    struct Field {
        var number: Int
        var wireType: UInt8
        var value: UInt64
        var range: Range<Int>
    }

    let buffer: UnsafeRawBufferPointer
    private(set) var position: Int
    private let end: Int

    /// A reader over `range` of `buffer` (all of it by default), e.g. a sub-message's payload.
    init(_ buffer: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.buffer = buffer
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? buffer.count
    }

    /// The next field, or nil at the end.
    mutating func next() throws(Failure) -> Field? {
        guard position < end else { return nil }
        let key = try readVarint()
        let number = Int(truncatingIfNeeded: key >> 3)
        let wireType = UInt8(truncatingIfNeeded: key & 7)
        guard number > 0, number < 1 << 29 else { throw .invalidFieldNumber }
        switch wireType {
        case 0:
            let start = position
            let value = try readVarint()
            return Field(number: number, wireType: wireType, value: value, range: start..<position)
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            return Field(number: number, wireType: wireType, value: 0, range: try take(size))
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - position) else { throw .truncated }
            return Field(number: number, wireType: wireType, value: length, range: try take(Int(length)))
        default:
            throw .unsupportedWireType(wireType)
        }
    }

    /// The next field numbered `number` with a payload (wire type 2), skipping the others.
    mutating func next(lengthDelimited number: Int) throws(Failure) -> Range<Int>? {
        while let field = try next() {
            if field.number == number && field.wireType == 2 { return field.range }
        }
        return nil
    }

    /// The next varint of a packed repeated field's payload, or nil at its end.
    mutating func nextPackedVarint() throws(Failure) -> UInt64? {
        guard position < end else { return nil }
        return try readVarint()
    }

    private mutating func take(_ size: Int) throws(Failure) -> Range<Int> {
        guard size <= end - position else { throw .truncated }
        let range = position..<(position + size)
        position += size
        return range
    }

    private mutating func readVarint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw .truncated }
            let byte = buffer[position]
            position += 1
            guard shift < 64 else { throw .overlongVarint }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }
}
