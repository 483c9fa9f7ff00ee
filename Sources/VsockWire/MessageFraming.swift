import VsockBenchSupport

/// How a service that is not vsockbench delimits its messages on a stream (`replay`): a
/// length prefix (big or little endian, 16 or 32 bits, or a protobuf varint), or a line.
public enum MessageFraming: String, Sendable, Equatable, Codable, CaseIterable {
    /// 4-byte big-endian length, then the payload.
    case u32be
    /// 4-byte little-endian length, then the payload.
    case u32le
    /// 2-byte big-endian length, then the payload (at most 65535 bytes).
    case u16be
    /// A base-128 varint length (protobuf's writeDelimited), then the payload.
    case varint
    /// The payload, then a newline (`\n`); the payload holds no newline.
    case line

    /// The largest payload the framing can carry.
    public var maxPayload: Int {
        switch self {
        case .u16be: return Int(UInt16.max)
        case .u32be, .u32le: return Int(UInt32.max)
        case .varint, .line: return Int.max
        }
    }

    /// Bytes of framing around a payload of `length` bytes.
    public func overhead(_ length: Int) -> Int {
        switch self {
        case .u32be, .u32le: return 4
        case .u16be: return 2
        case .line: return 1
        case .varint:
            var n = 1
            var v = UInt64(length) >> 7
            while v > 0 {
                n += 1
                v >>= 7
            }
            return n
        }
    }

    /// Frames `payload`, appended to `out`.
    public func encode(_ payload: some Collection<UInt8>, into out: inout [UInt8]) {
        let n = payload.count
        switch self {
        case .u32be: out += [UInt8(truncatingIfNeeded: n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        case .u32le: out += [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)]
        case .u16be: out += [UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
        case .varint:
            var v = UInt64(n)
            while v >= 0x80 {
                out.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            out.append(UInt8(v))
        case .line: break
        }
        out += payload
        if self == .line { out.append(0x0A) }
    }

    /// What the next message in `bytes` is.
    public enum Scan: Equatable, Sendable {
        /// A whole message: its payload at `payload`, `total` bytes in all.
        case message(payload: Range<Int>, total: Int)
        /// More bytes are needed (at least `atLeast` in all).
        case needMore(atLeast: Int)
        /// The bytes cannot be a message: why.
        case malformed(String)
        /// A message longer than the limit: why (a length over it, or no end of line within it),
        /// and whether the length is beyond any message's, so likely a wrong framing (the text
        /// leaves the question to the caller, which asks it once).
        case tooLong(String, likelyWrongFraming: Bool = false)
    }

    /// The longest length an error names: above it, the "length" is likelier message bytes.
    public static let plausibleLength = 64 << 20

    /// A u32 length over the limit whose bytes, read the other way round, are a length within
    /// it: likely a u32be service read as u32le or the reverse ("ok" framed u32be read as
    /// u32le is 33554432 bytes), said with the length the other order gives, beside the
    /// caller's advice on the limit: the two are the alternatives.
    private func otherEndianNote(_ length: Int, limit: Int) -> String {
        let other: MessageFraming
        switch self {
        case .u32be: other = .u32le
        case .u32le: other = .u32be
        default: return ""
        }
        let swapped = Int(UInt32(truncatingIfNeeded: length).byteSwapped)
        return swapped <= limit ? "; read as \(other.rawValue) it would be \(swapped) byte\(swapped == 1 ? "" : "s")" : ""
    }

    /// Looks for one message at the start of `bytes`, whose payload may be at most `limit` bytes.
    public func scan(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Scan {
        let count = bytes.count
        func prefixed(_ size: Int, _ length: Int) -> Scan {
            guard length <= limit else {
                // A length beyond any message's is most likely bytes of a message read as one
                // (a wrong framing): its exact value is not printed, since those bytes are the
                // user's data (four ASCII bytes read as a u32be are at least 512 MiB); its size
                // to a tenth of a unit is, which says what was read and no byte of it (review:
                // "of more than 64MiB, over the limit of 16MiB" gave no value at all).
                guard length <= Self.plausibleLength else {
                    // One limit, the one the length is over (it read "over 64MiB (the limit is
                    // 16MiB)": two limits at once).
                    return .tooLong("a \(rawValue) length of about \(Quantities.formatSize(length)), over the limit of \(Quantities.formatSize(limit)), likely message bytes read as a length", likelyWrongFraming: true)
                }
                return .tooLong("a \(rawValue) length of \(length) bytes is over the limit of \(limit)\(otherEndianNote(length, limit: limit))")
            }
            return count >= size + length ? .message(payload: size..<(size + length), total: size + length) : .needMore(atLeast: size + length)
        }
        switch self {
        case .u32be, .u32le:
            guard count >= 4 else { return .needMore(atLeast: 4) }
            let raw = bytes.loadUnaligned(as: UInt32.self)
            return prefixed(4, Int(self == .u32be ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)))
        case .u16be:
            guard count >= 2 else { return .needMore(atLeast: 2) }
            return prefixed(2, Int(UInt16(bigEndian: bytes.loadUnaligned(as: UInt16.self))))
        case .varint:
            var value: UInt64 = 0
            for i in 0..<min(count, 10) {
                let byte = bytes[i]
                // A last tenth byte holds bit 63 only: more would fall off the top of 64 bits.
                if i == 9, byte & 0x80 == 0, byte > 1 { return .malformed("a varint length over 64 bits") }
                value |= UInt64(byte & 0x7F) << (7 * UInt64(i))
                if byte & 0x80 == 0 {
                    guard value <= UInt64(Int.max) else { return .malformed("a varint length over \(Int.max)") }
                    return prefixed(i + 1, Int(value))
                }
            }
            return count >= 10 ? .malformed("a varint length longer than 10 bytes") : .needMore(atLeast: count + 1)
        case .line:
            if let end = bytes.firstIndex(of: 0x0A) {
                return end <= limit ? .message(payload: 0..<end, total: end + 1) : .tooLong("a line of \(end) bytes is over the limit of \(limit)")
            }
            return count > limit ? .tooLong("no end of line within \(limit) bytes") : .needMore(atLeast: count + 1)
        }
    }
}
