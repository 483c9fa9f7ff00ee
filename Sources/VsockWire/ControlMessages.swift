import FoundationEssentials
import VsockBenchSupport
import VsockTransport

/// What a connection is for, announced in its hello.
public enum ConnectionRole: String, Codable, Sendable {
    /// One per case: marks the measured interval and fetches the target's stats.
    case control
    /// Carries the workload.
    case data
}

/// First frame from the driver on every connection. `Case` is what the workload layer sends
/// to describe the case (the wire knows frames and roles, not workloads).
public struct Hello<Case: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var role: ConnectionRole
    /// Ties the data connections of one case to its control connection.
    public var session: UInt64
    /// Index of this data connection within the case (0 for control).
    public var connection: Int
    public var spec: Case
    public var driver: HostFacts

    public init(role: ConnectionRole, session: UInt64, connection: Int, spec: Case, driver: HostFacts) {
        self.role = role
        self.session = session
        self.connection = connection
        self.spec = spec
        self.driver = driver
    }
}

/// The target's answer to a hello.
public struct HelloAck: Codable, Sendable, Equatable {
    public var target: HostFacts
    public var mode: String
    public var maxFrame: Int
    /// Buffer sizes the target's socket ended up with.
    public var socket: EffectiveSocketOptions

    enum CodingKeys: String, CodingKey {
        case target, mode, maxFrame = "max_frame", socket
    }

    public init(target: HostFacts, mode: String, maxFrame: Int, socket: EffectiveSocketOptions) {
        self.target = target
        self.mode = mode
        self.maxFrame = maxFrame
        self.socket = socket
    }
}

/// The payload of an error frame. Messages never contain payload bytes.
public struct ErrorMessage: Codable, Sendable, Equatable, Error, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }
}

extension ErrorMessage {
    /// The message an error frame carries; a frame that cannot be decoded still says so.
    public init(errorFrame frame: Frame) {
        self = (try? ControlCodec.decode(ErrorMessage.self, from: frame.payload)) ?? ErrorMessage(code: "unknown", message: "unreadable error frame")
    }
}

extension FrameReader {
    /// How long a connection whose send failed because the peer went away waits for the
    /// peer's error frame (`pendingError`): it was sent before the close that failed the
    /// send, so it is queued already or close behind.
    public static let pendingErrorWaitNanos: UInt64 = 200_000_000
    /// How many other frames (responses the peer sent before its error) `pendingError` reads
    /// past before it gives up.
    public static let pendingErrorSkipLimit = 64

    /// The peer's error frame, when it sent one before closing: for a send that failed with
    /// EPIPE or ECONNRESET while the peer's reason waits in the receive queue. Reads for at
    /// most `waitNanos` and past at most `skipLimit` other frames (their payloads are
    /// discarded, never looked at); nil at the end of the stream, on any read error, or for a
    /// peer that is not vsockbench (no error frames). Only for the thread that reads this
    /// connection, and only once the connection failed: what it reads is gone.
    public func pendingError(waitingAtMost waitNanos: UInt64 = pendingErrorWaitNanos, skipLimit: Int = pendingErrorSkipLimit) -> ErrorMessage? {
        guard foreign == nil else { return nil }
        let until = MonotonicClock.nanos() &+ waitNanos
        let saved = deadline
        deadline = min(saved ?? until, until)
        defer { deadline = saved }
        for _ in 0...max(skipLimit, 0) {
            guard let frame = try? next() else { return nil }
            if frame.header.type == .error { return ErrorMessage(errorFrame: frame) }
            if MonotonicClock.nanos() >= until { return nil }
        }
        return nil
    }
}

/// Encodes and decodes the JSON payloads of control frames (once per connection, never per message).
public enum ControlCodec {
    /// Control payloads are small; anything larger is refused before it is decoded.
    public static let maxPayload = 64 * 1024
    /// The stats reply is the one control payload that grows with the case: a record of about
    /// 300 bytes per data connection (1024 connections: about 310 KB), which only the driver
    /// reads (the target never reads one).
    public static let maxStatsPayload = 1 << 20

    public static func frame<T: Encodable>(_ type: FrameType, _ value: T, sequence: UInt64 = 0) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding our own Codable types cannot fail; an empty object keeps the frame valid if it did.
        let body = (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
        var bytes = [UInt8](repeating: 0, count: FrameHeader.size + body.count)
        bytes.withUnsafeMutableBytes { raw in
            FrameHeader(type: type, length: body.count, sequence: sequence).encode(into: raw.baseAddress!)
        }
        bytes.replaceSubrange(FrameHeader.size..., with: body)
        return bytes
    }

    public static func emptyFrame(_ type: FrameType, sequence: UInt64 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: FrameHeader.size)
        bytes.withUnsafeMutableBytes { FrameHeader(type: type, length: 0, sequence: sequence).encode(into: $0.baseAddress!) }
        return bytes
    }

    /// `CaseHello` as "hello", `TargetStats` as "stats": the frame, not the Swift type.
    static func controlName<T>(_ type: T.Type) -> String {
        // Without generic arguments: the hello is `Hello<WireCase>`.
        let name = String(describing: type).prefix { $0 != "<" }
        if name.hasSuffix("Hello") { return "hello" }
        if name.hasSuffix("Ack") { return "ack" }
        if name.hasSuffix("Stats") { return "stats" }
        if name.hasSuffix("Message") { return "error message" }
        return "control frame"
    }

    /// Decodes a control payload of at most `limit` bytes (``maxPayload``; the stats reply
    /// ``maxStatsPayload``).
    public static func decode<T: Decodable>(_ type: T.Type, from payload: UnsafeRawBufferPointer, limit: Int = maxPayload) throws(ErrorMessage) -> T {
        guard payload.count <= limit else {
            throw ErrorMessage(code: "control_too_large", message: "control frame of \(payload.count) bytes exceeds \(limit)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(payload))
        } catch {
            throw ErrorMessage(code: "bad_control", message: "cannot read the \(controlName(T.self)): \(DecodingErrorText.describe(error))")
        }
    }
}

extension Socket {
    /// Writes a whole control frame (control traffic is not part of any measurement); on a
    /// message-oriented socket as one packet.
    public func send(_ bytes: [UInt8]) throws(SystemError) {
        let failure: SystemError? = bytes.withUnsafeBytes { raw in
            do throws(SystemError) {
                if isMessageOriented { try sendMessage(raw.baseAddress!, count: raw.count) } else { try writeAll(raw.baseAddress!, count: raw.count) }
            } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }
}
