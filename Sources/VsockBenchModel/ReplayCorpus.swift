#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The messages a `replay` case sends: a file of messages in the service's framing, read
/// whole and split once. The bytes are the user's: they are sent, never logged or copied
/// elsewhere, and errors name offsets, never contents.
public struct ReplayCorpus: Sendable {
    public let path: String
    public let framing: MessageFraming
    /// The file, framing included: each message is sent as it is in the file.
    public let bytes: [UInt8]
    /// Each message's whole framed range in `bytes`, and its payload's.
    public let messages: [Range<Int>]
    public let payloads: [Range<Int>]

    /// Corpora larger than this are refused by their size (they are held in memory).
    public static let maximumBytes = 256 << 20

    /// Corpora of more messages than this are refused: each message costs its two ranges
    /// (32 bytes) in memory, so 256MiB of empty u32be messages (67M of them) took 3.4GB to
    /// load (review); at this count the index is 128MiB at most.
    public static let maximumMessages = 1 << 22

    public var stats: CorpusStats {
        var total = 0, largest = 0, smallest = Int.max
        for payload in payloads {
            total += payload.count
            largest = max(largest, payload.count)
            smallest = min(smallest, payload.count)
        }
        return CorpusStats(messages: payloads.count, payloadBytes: total, largest: largest, smallest: payloads.isEmpty ? nil : smallest)
    }

    /// Reads and splits `path`; every message must fit `framing` with a payload of at most `limit` bytes.
    public static func load(path: String, framing: MessageFraming, limit: Int) throws(CorpusError) -> ReplayCorpus {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CorpusError(path: path, "cannot read it: \(String(cString: strerror(errno)))") }
        if info.st_mode & S_IFMT == S_IFDIR { throw CorpusError(path: path, "is a directory; build a corpus file from it with `vsockbench corpus OUT --framing \(framing.rawValue) --from DIR`") }
        if info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > maximumBytes {
            throw CorpusError(path: path, "has \(Quantities.formatSize(Int(info.st_size))); a corpus is at most \(Quantities.formatSize(maximumBytes))")
        }
        let bytes: [UInt8]
        do { bytes = try FileContents.read(path: path, limit: maximumBytes + 1) } catch { throw CorpusError(path: path, "cannot read it: \(error.reason)") }
        guard bytes.count <= maximumBytes else { throw CorpusError(path: path, "is over \(Quantities.formatSize(maximumBytes))") }
        return try split(bytes, path: path, framing: framing, limit: limit)
    }

    /// Splits a corpus already in memory.
    public static func split(_ bytes: [UInt8], path: String, framing: MessageFraming, limit: Int,
                             maximumMessages: Int = maximumMessages) throws(CorpusError) -> ReplayCorpus {
        var messages: [Range<Int>] = []
        var payloads: [Range<Int>] = []
        var offset = 0
        let failure: CorpusError? = bytes.withUnsafeBytes { all -> CorpusError? in
            while offset < all.count {
                guard messages.count < maximumMessages else {
                    return CorpusError(path: path, "holds more than \(maximumMessages) messages (the first \(maximumMessages) end at byte offset \(offset)); a corpus is at most \(maximumMessages) messages, as each is indexed in memory: split it, or replay part of it")
                }
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                switch framing.scan(rest, limit: min(limit, framing.maxPayload)) {
                case let .message(payload, total):
                    messages.append(offset..<(offset + total))
                    payloads.append((offset + payload.lowerBound)..<(offset + payload.upperBound))
                    offset += total
                case .needMore where framing == .line:
                    // Only the last line can lack its newline: every other ends at the next one.
                    return CorpusError(path: path, "message \(messages.count + 1) at byte offset \(offset), the last line, has no newline at its end (a line corpus ends every message with \\n, the last one too): end the file with a newline")
                case .needMore:
                    return CorpusError(path: path, "message \(messages.count + 1) at byte offset \(offset) is cut short by the end of the file (is the framing \(framing.rawValue)?)")
                case let .malformed(why), let .tooLong(why, _):
                    return CorpusError(path: path, "message \(messages.count + 1) at byte offset \(offset): \(why) (is the framing \(framing.rawValue)?)")
                }
            }
            return nil
        }
        if let failure { throw failure }
        guard !messages.isEmpty else { throw CorpusError(path: path, "has no messages") }
        return ReplayCorpus(path: path, framing: framing, bytes: bytes, messages: messages, payloads: payloads)
    }
}

/// What a corpus holds, kept in the case for its description and limits.
public struct CorpusStats: Sendable, Equatable, Codable {
    public var messages: Int
    public var payloadBytes: Int
    public var largest: Int
    /// The smallest payload (0: the corpus holds an empty message, which seqpacket cannot
    /// carry); nil when not known (results written before it was recorded).
    public var smallest: Int?

    public init(messages: Int, payloadBytes: Int, largest: Int, smallest: Int? = nil) {
        self.messages = messages
        self.payloadBytes = payloadBytes
        self.largest = largest
        self.smallest = smallest
    }

    /// The mean payload, bytes.
    public var meanPayload: Int { messages > 0 ? payloadBytes / messages : 0 }

    enum CodingKeys: String, CodingKey { case messages, payloadBytes = "payload_bytes", largest, smallest }
}

/// A corpus that cannot be replayed: the file and what is wrong with it.
public struct CorpusError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String

    init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "corpus \(path): \(reason)" }
}
