/// The kinds of frame on a vsockbench connection.
public enum FrameType: UInt8, Sendable, CaseIterable {
    /// Client to target, first frame of every connection: the case configuration (JSON).
    case hello = 1
    /// Target to client: the hello was accepted (JSON target facts), or a mark/stats request was done.
    case ack = 2
    /// A request message (rr, masked).
    case request = 3
    /// The response to the request with the same sequence number.
    case response = 4
    /// Client to target on a data connection: no more requests; the target finishes and closes.
    case bye = 5
    /// Target to client on the control connection: the target's counters (JSON).
    case stats = 6
    /// Either way: what went wrong (JSON `{code, message}`); the sender closes the connection next.
    case error = 7
    /// Client to target on the control connection: send the stats of this session.
    case statsRequest = 8
    /// Client to target on the control connection: the measured interval starts now.
    case mark = 9
}

/// The 32-byte header in front of every frame, big-endian:
///
///     0  magic    u32  "VSKB"
///     4  version  u8   3
///     5  type     u8   FrameType
///     6  flags    u16  requests: bit 0 `measured` (sent inside the measured interval); otherwise 0
///     8  length   u32  payload bytes that follow
///     12 aux      u32  requests: the response length asked for; otherwise 0
///     16 seq      u64  message sequence number (per connection, from 0)
///     24 content  u32  payload bytes that are the message; the rest is padding (the
///                      `normalize` strategy pads frames to a fixed size)
///     28 reserved u32  0
public struct FrameHeader: Sendable, Equatable {
    public static let size = 32
    public static let magic: UInt32 = 0x5653_4B42
    /// 3: the hello carries the case in its wire form (`WireCase`: the workload's own fields
    /// in their own section). 2 added the measured flag, stream `verify` and the 65521-byte
    /// pool period. Both ends must speak the same version; another is refused by name.
    public static let version: UInt8 = 3
    /// Request flag: the driver sent this request inside the measured interval. The target
    /// opens its own interval at the first such request and closes it at the bye, on the
    /// connection's thread, so both sides count the same messages without a clock shared
    /// between them or a control frame racing the data.
    public static let measuredFlag: UInt16 = 0x0001

    public var type: FrameType
    public var flags: UInt16
    public var length: UInt32
    public var aux: UInt32
    public var sequence: UInt64
    /// Bytes of the payload that carry the message (equal to `length` unless padded).
    public var content: UInt32

    public init(type: FrameType, length: Int, sequence: UInt64 = 0, aux: UInt32 = 0, flags: UInt16 = 0, content: Int? = nil) {
        self.type = type
        self.flags = flags
        self.length = UInt32(truncatingIfNeeded: length)
        self.aux = aux
        self.sequence = sequence
        self.content = UInt32(truncatingIfNeeded: content ?? length)
    }

    public var isMeasured: Bool { flags & Self.measuredFlag != 0 }

    /// Writes the header into `destination`, which must hold `FrameHeader.size` bytes.
    @inline(__always)
    public func encode(into destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: Self.magic.bigEndian, toByteOffset: 0, as: UInt32.self)
        destination.storeBytes(of: Self.version, toByteOffset: 4, as: UInt8.self)
        destination.storeBytes(of: type.rawValue, toByteOffset: 5, as: UInt8.self)
        destination.storeBytes(of: flags.bigEndian, toByteOffset: 6, as: UInt16.self)
        destination.storeBytes(of: length.bigEndian, toByteOffset: 8, as: UInt32.self)
        destination.storeBytes(of: aux.bigEndian, toByteOffset: 12, as: UInt32.self)
        destination.storeBytes(of: sequence.bigEndian, toByteOffset: 16, as: UInt64.self)
        destination.storeBytes(of: content.bigEndian, toByteOffset: 24, as: UInt32.self)
        destination.storeBytes(of: UInt32(0), toByteOffset: 28, as: UInt32.self)
    }

    /// Reads and validates a header from `FrameHeader.size` bytes at `source`.
    @inline(__always)
    public static func decode(from source: UnsafeRawPointer, maxPayload: Int) throws(FrameError) -> FrameHeader {
        let magic = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        guard magic == Self.magic else { throw .badMagic(magic) }
        let version = source.load(fromByteOffset: 4, as: UInt8.self)
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let rawType = source.load(fromByteOffset: 5, as: UInt8.self)
        guard let type = FrameType(rawValue: rawType) else { throw .unknownType(rawType) }
        let length = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard Int(length) <= maxPayload else { throw .tooLarge(length: Int(length), max: maxPayload) }
        var header = FrameHeader(type: type, length: Int(length))
        header.flags = UInt16(bigEndian: source.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        header.aux = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        header.sequence = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        header.content = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        guard header.content <= length else { throw .badContentLength(content: Int(header.content), length: Int(length)) }
        return header
    }
}

/// A frame that cannot be accepted. The text says what was wrong without echoing payload bytes.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic(UInt32)
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    case tooLarge(length: Int, max: Int)
    /// The stream ended inside a header.
    case truncatedHeader(received: Int)
    /// The stream ended inside a payload.
    case truncatedPayload(expected: Int, received: Int)
    case unexpectedType(expected: String, received: FrameType)
    /// The header says more payload bytes are content than the payload has.
    case badContentLength(content: Int, length: Int)
    /// A message of a service that is not vsockbench (`replay`) does not fit its framing.
    case foreign(String)
    /// A message of a service that is not vsockbench longer than the case allows (its
    /// `max_response`): typed, so that the driver names the key without matching this text.
    case foreignTooLarge(String)
    /// Packet mode (seqpacket): a packet whose size is not its frame's (header + length).
    case packetSizeMismatch(length: Int, packet: Int)
    /// Packet mode: a packet shorter than a frame header.
    case shortPacket(size: Int)
    /// Packet mode: a message larger than the reader's buffer arrived (the kernel cut it).
    /// `size` is the message's real length when the kernel reported it.
    case packetTooLarge(size: Int?, maxPayload: Int)

    /// A short machine-readable code, sent in error frames.
    public var code: String {
        switch self {
        case .badMagic: return "bad_magic"
        case .unsupportedVersion: return "bad_version"
        case .unknownType: return "unknown_type"
        case .tooLarge: return "frame_too_large"
        case .truncatedHeader: return "truncated_header"
        case .truncatedPayload: return "truncated_payload"
        case .unexpectedType: return "unexpected_frame"
        case .badContentLength: return "bad_content_length"
        case .foreign: return "malformed_message"
        case .foreignTooLarge: return "message_too_large"
        case .packetSizeMismatch, .shortPacket: return "packet_size_mismatch"
        case .packetTooLarge: return "frame_too_large"
        }
    }

    public var description: String {
        switch self {
        case let .foreign(why), let .foreignTooLarge(why): return why
        case .badMagic:
            // Not the bytes themselves: they are the peer's data, and the target logs this.
            return "bad frame magic (expected 0x\(String(FrameHeader.magic, radix: 16)) \"VSKB\"): the peer does not speak the vsockbench protocol"
        case let .unsupportedVersion(version):
            return "unsupported protocol version \(version) (this build speaks \(FrameHeader.version))"
        case let .unknownType(type):
            return "unknown frame type \(type)"
        case let .tooLarge(length, max) where max == ControlCodec.maxPayload:
            // Before a case's hello every frame is a control frame (hello, stats), whatever --max-frame says.
            return "frame payload of \(length) bytes exceeds the limit of \(max) bytes of a control frame (a frame before the case's hello), or the target's --max-frame"
        case let .tooLarge(length, max):
            return "frame payload of \(length) bytes exceeds the limit of \(max) bytes (the target's --max-frame, or what this case can produce)"
        case let .truncatedHeader(received):
            return "connection closed inside a frame header (\(received) of \(FrameHeader.size) bytes)"
        case let .truncatedPayload(expected, received):
            return "connection closed inside a frame payload (\(received) of \(expected) bytes)"
        case let .badContentLength(content, length):
            return "frame header claims \(content) content bytes in a \(length)-byte payload"
        case let .packetSizeMismatch(length, packet):
            return "a \(packet)-byte packet carries a frame whose header says \(FrameHeader.size + length) bytes (\(length) payload): over seqpacket every frame must be exactly one packet"
        case let .shortPacket(size):
            return "a \(size)-byte packet is shorter than a frame header (\(FrameHeader.size) bytes): over seqpacket every frame must be exactly one packet"
        case let .packetTooLarge(size, maxPayload):
            let given = size.map { "\($0) bytes" } ?? "more than \(FrameHeader.size + maxPayload) bytes"
            return "a message larger than the frame limit \(maxPayload) arrived (\(given); a frame is at most \(FrameHeader.size + maxPayload) with its header)"
        case let .unexpectedType(expected, received):
            return "expected a \(expected) frame, received \(received)"
        }
    }
}
