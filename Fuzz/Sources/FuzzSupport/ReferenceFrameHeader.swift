import VsockWire

/// The header layout of the protocol documentation (README "Wire protocol", FrameHeader.swift),
/// decoded byte by byte with no code shared with `FrameHeader.decode`: the oracle of the
/// header and reader harnesses.
public struct ReferenceFrameHeader: CustomStringConvertible, Sendable {
    public var type: UInt8
    public var flags: UInt16
    public var length: UInt32
    public var aux: UInt32
    public var sequence: UInt64
    public var content: UInt32

    public static func decode(_ bytes: UnsafeRawBufferPointer, maxPayload: Int) -> Result<ReferenceFrameHeader, FrameError> {
        func big(_ offset: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in offset..<(offset + count) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        let magic = UInt32(big(0, 4))
        if magic != 0x5653_4B42 { return .failure(.badMagic(magic)) }
        if bytes[4] != 3 { return .failure(.unsupportedVersion(bytes[4])) }
        guard (1...9).contains(bytes[5]), let type = FrameType(rawValue: bytes[5]) else { return .failure(.unknownType(bytes[5])) }
        let length = UInt32(big(8, 4))
        if Int(length) > maxPayload {
            return .failure(.tooLarge(length: Int(length), max: maxPayload))
        }
        let content = UInt32(big(24, 4))
        if content > length { return .failure(.badContentLength(content: Int(content), length: Int(length))) }
        return .success(ReferenceFrameHeader(
            type: type.rawValue, flags: UInt16(big(6, 2)), length: length, aux: UInt32(big(12, 4)),
            sequence: big(16, 8), content: content))
    }

    public func matches(_ header: FrameHeader) -> Bool {
        header.type.rawValue == type && header.flags == flags && header.length == length && header.aux == aux
            && header.sequence == sequence && header.content == content
            && header.isMeasured == (flags & 1 != 0)
    }

    public var description: String {
        "type \(type) flags \(flags) length \(length) aux \(aux) seq \(sequence) content \(content)"
    }
}
