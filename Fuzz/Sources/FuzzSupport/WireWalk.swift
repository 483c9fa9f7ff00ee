/// A minimal protobuf wire-format walker for the harnesses' own checks, written apart from the
/// agent's `ProtoWireReader` so that a bug there is not mirrored here.
public struct WireWalk {
    public struct Field {
        public var number: UInt64
        public var wireType: UInt8
        /// The varint value (wire type 0) or the payload's length (wire type 2).
        public var value: UInt64
        /// The payload (wire type 2), else empty.
        public var payload: UnsafeRawBufferPointer
    }

    private var bytes: UnsafeRawBufferPointer
    private var position = 0

    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { position >= bytes.count }

    /// The next field; nil at the end; throws on anything malformed.
    public mutating func next() throws(WireWalkError) -> Field? {
        guard position < bytes.count else { return nil }
        let key = try varint()
        let wireType = UInt8(key & 7)
        switch wireType {
        case 0:
            return Field(number: key >> 3, wireType: 0, value: try varint(), payload: UnsafeRawBufferPointer(start: nil, count: 0))
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard bytes.count - position >= size else { throw .truncated }
            position += size
            return Field(number: key >> 3, wireType: wireType, value: 0, payload: UnsafeRawBufferPointer(start: nil, count: 0))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - position) else { throw .truncated }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))])
            position += Int(length)
            return Field(number: key >> 3, wireType: 2, value: length, payload: payload)
        case 3:
            try skipGroup(number: key >> 3, depth: 0)
            return Field(number: key >> 3, wireType: 3, value: 0, payload: UnsafeRawBufferPointer(start: nil, count: 0))
        default:
            throw .badWireType(wireType)
        }
    }

    /// Skips a (deprecated) group up to its end tag, as decoders do for unknown fields.
    private mutating func skipGroup(number: UInt64, depth: Int) throws(WireWalkError) {
        guard depth < 100 else { throw .tooDeep }
        while true {
            guard position < bytes.count else { throw .truncated }
            let key = try varint()
            switch key & 7 {
            case 0: _ = try varint()
            case 1, 5:
                let size = key & 7 == 1 ? 8 : 4
                guard bytes.count - position >= size else { throw .truncated }
                position += size
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count - position) else { throw .truncated }
                position += Int(length)
            case 3: try skipGroup(number: key >> 3, depth: depth + 1)
            case 4:
                guard key >> 3 == number else { throw .badWireType(4) }
                return
            default: throw .badWireType(UInt8(key & 7))
            }
        }
    }

    public mutating func varint() throws(WireWalkError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < bytes.count else { throw .truncated }
            let byte = bytes[position]
            position += 1
            if shift < 64 { value |= UInt64(byte & 0x7f) << UInt64(shift) }
            if byte < 0x80 { return value }
        }
        throw .overlong
    }
}

public enum WireWalkError: Error {
    case truncated
    case overlong
    case badWireType(UInt8)
    case tooDeep
}
