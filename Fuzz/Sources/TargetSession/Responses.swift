import FuzzSupport
import VsockBenchEngine
import VsockBenchModel
import VsockTransport
import VsockWire

/// The first frame of a connection's bytes, when it is a whole hello the target can decode,
/// with what the harness needs to know about its case.
struct WholeHello {
    let hello: CaseHello
    let spec: CaseSpec?

    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= FrameHeader.size,
            case let .success(header) = ReferenceFrameHeader.decode(UnsafeRawBufferPointer(rebasing: bytes[..<FrameHeader.size]), maxPayload: HarnessTarget.maxFrame),
            header.type == FrameType.hello.rawValue, bytes.count >= FrameHeader.size + Int(header.length)
        else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[FrameHeader.size..<(FrameHeader.size + Int(header.content))])
        guard let hello = try? ControlCodec.decode(CaseHello.self, from: payload) else { return nil }
        self.hello = hello
        spec = hello.spec.spec
    }

    var isStream: Bool { spec?.kind == .stream }
    var isMasked: Bool { spec?.kind == .masked }

    /// Why the harness skips this input: a known problem of issue 13 it would only find again.
    var knownIssue: String? {
        guard let spec else { return nil }
        let megabyte = 1 << 20
        if let stream = spec.stream, stream.writeSize > megabyte { return "stream buffers sized by the hello (item 2)" }
        if let exchange = spec.exchange {
            if exchange.targetCostNanos > 1_000_000 { return "target_cost over 1 ms" }
            switch exchange.strategy {
            case let .coalesce(_, bytes, _) where bytes > megabyte: return "coalesce buffer sized by the hello (item 2)"
            case let .writerThread(_, bytes) where bytes > megabyte: return "writer_thread buffer sized by the hello (item 2)"
            default: break
            }
        }
        return nil
    }
}

/// Reads what the target sends on one connection and checks its shape.
struct ResponseReader {
    /// Issue 13 item 2: an agent response may exceed --max-frame today (a name cell of 1 byte
    /// becomes a 20-byte token). Set once the agent bounds its responses.
    static let enforceAgentFrameLimit = false
    static let maxAfterHalfClose = 64 << 20

    let socket: Socket
    private var buffer: [UInt8] = []
    private var offset = 0
    private var sawAck = false

    init(socket: Socket) {
        self.socket = socket
    }

    /// Reads until the target's first frame is in (or it closed).
    mutating func readFirstFrame(what: String) {
        while buffer.count < FrameHeader.size || buffer.count < FrameHeader.size + announcedLength(at: 0) {
            guard readMore(what: what) else { return }
        }
    }

    /// Reads until the target closes, then checks every frame.
    mutating func readToEnd(what: String, streamAfterAck: Bool, hello: WholeHello?, maxFrame: Int) {
        while readMore(what: what) {
            fuzzCheck(buffer.count <= Self.maxAfterHalfClose, "the target sent over \(Self.maxAfterHalfClose) bytes on the \(what) connection")
        }
        checkFrames(what: what, streamAfterAck: streamAfterAck, hello: hello, maxFrame: maxFrame)
    }

    private func announcedLength(at position: Int) -> Int {
        guard buffer.count >= position + 12 else { return 0 }
        return Int(UInt32(buffer[position + 8]) << 24 | UInt32(buffer[position + 9]) << 16 | UInt32(buffer[position + 10]) << 8 | UInt32(buffer[position + 11]))
    }

    /// One read; false at the end of the stream or on a reset.
    private mutating func readMore(what: String) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let result: Result<Int, SystemError> = chunk.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return .success(0) }
            do throws(SystemError) {
                return .success(try socket.read(into: base, count: raw.count))
            } catch {
                return .failure(error)
            }
        }
        let n: Int
        switch result {
        case let .success(count): n = count
        case let .failure(error):
            fuzzCheck(!error.isTimeout, "the target kept the \(what) connection open 5 s after the driver's last byte")
            return false
        }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private mutating func checkFrames(what: String, streamAfterAck: Bool, hello: WholeHello?, maxFrame: Int) {
        let allowed: Set<FrameType> = what == "control" ? [.ack, .stats, .error] : [.ack, .response, .error]
        buffer.withUnsafeBytes { raw in
            var position = 0
            while position < raw.count {
                if streamAfterAck && sawAck { return }
                guard raw.count - position >= FrameHeader.size else {
                    fuzzCheck(false, "the target's \(what) bytes end inside a frame header")
                    return
                }
                let header: ReferenceFrameHeader
                switch ReferenceFrameHeader.decode(UnsafeRawBufferPointer(rebasing: raw[position..<(position + FrameHeader.size)]), maxPayload: Int(UInt32.max)) {
                case let .success(decoded): header = decoded
                case let .failure(error):
                    fuzzCheck(false, "the target sent a malformed frame on the \(what) connection: \(error)")
                    return
                }
                let end = position + FrameHeader.size + Int(header.length)
                fuzzCheck(end <= raw.count, "the target's \(what) bytes end inside a frame payload")
                guard end <= raw.count, let type = FrameType(rawValue: header.type) else { return }
                fuzzCheck(allowed.contains(type), "the target sent a \(type) frame on the \(what) connection")
                let payload = UnsafeRawBufferPointer(rebasing: raw[(position + FrameHeader.size)..<(position + FrameHeader.size + Int(header.content))])
                switch type {
                case .error:
                    do throws(ErrorMessage) {
                        _ = try ControlCodec.decode(ErrorMessage.self, from: payload)
                    } catch {
                        fuzzCheck(false, "an error frame whose JSON does not read: \(error)")
                    }
                case .ack:
                    sawAck = true
                case .response:
                    if !(hello?.isMasked ?? false) || Self.enforceAgentFrameLimit {
                        fuzzCheck(Int(header.length) <= maxFrame, "a \(header.length)-byte response past --max-frame \(maxFrame)")
                    }
                default:
                    break
                }
                position = end
            }
        }
    }
}
