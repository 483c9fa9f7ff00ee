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

    /// What a data connection of the case needs of the target's memory at the least, counting
    /// only the buffers its hello sizes (a stream source's `write_size` block, a coalesce or
    /// writer_thread batch): one needing more than `--max-memory` must be refused
    /// (`over_budget`), never acked.
    var leastMemory: Int {
        guard let spec else { return 0 }
        if let stream = spec.stream {
            return stream.direction == .tx ? 0 : stream.writeSize
        }
        switch spec.exchange?.strategy {
        case let .coalesce(_, bytes, _)?: return bytes
        case let .writerThread(_, bytes)?: return bytes
        default: return 0
        }
    }
}

/// A harness limit, not a fault of the target: a case whose `target_cost` (busy work per
/// request, up to the 1 s the case bounds allow) could keep the target busy for more than
/// `maxTargetBusyNanos` on this input's requests (at most one per frame header's worth of the
/// data connection's bytes) is skipped. Such an input would take minutes (past this harness's
/// 60 s per-input timeout), and a batch of slow responses can leave the harness's 5 s reads
/// empty (its deadline check would misfire); a slow target by request is not what it looks for.
enum SlowTarget {
    static let maxTargetBusyNanos: UInt64 = 1_000_000_000

    static func skips(_ hello: WholeHello?, dataBytes: Int) -> Bool {
        guard let cost = hello?.spec?.exchange?.targetCostNanos, cost > 0 else { return false }
        let requests = UInt64(dataBytes / FrameHeader.size + 1)
        return cost > maxTargetBusyNanos / requests
    }
}

/// Reads what the target sends on one connection and checks its shape.
struct ResponseReader {
    static let maxAfterHalfClose = 64 << 20
    /// What is kept of a connection's bytes for the frame checks: frames come to far less (an
    /// input's requests ask for at most a few MB of responses); a stream source's bytes after
    /// its ack are counted, not kept (they are not frames).
    static let kept = 16 << 20

    let socket: Socket
    private var buffer: [UInt8] = []
    private var received = 0
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
            fuzzCheck(received <= Self.maxAfterHalfClose, "the target sent over \(Self.maxAfterHalfClose) bytes on the \(what) connection")
        }
        fuzzCheck(received == buffer.count || streamAfterAck, "the target sent \(received) bytes on the \(what) connection, over \(Self.kept) of them frames")
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
        received += n
        if buffer.count < Self.kept { buffer.append(contentsOf: chunk[0..<min(n, Self.kept - buffer.count)]) }
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
                    if let hello, hello.hello.role == .data {
                        fuzzCheck(hello.leastMemory <= HarnessTarget.maxMemory,
                                  "the target acked a case needing at least \(hello.leastMemory) bytes on the \(what) connection, over its --max-memory \(HarnessTarget.maxMemory)")
                    }
                case .response:
                    // Echo and agent alike: the agent bounds its response by --max-frame
                    // before building it (an amplifying request gets bad_request).
                    fuzzCheck(Int(header.length) <= maxFrame, "a \(header.length)-byte response past --max-frame \(maxFrame)")
                default:
                    break
                }
                position = end
            }
        }
    }
}
