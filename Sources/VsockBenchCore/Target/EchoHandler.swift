/// rr on the target: each request is answered with a response of the length the request asks
/// for (header `aux`), in one write. When the response is no longer than the request it is the
/// request's own bytes, rewritten in place in the read buffer (no copy); a longer response is
/// cut from the payload pool both sides derive from the case seed.
struct EchoHandler {
    let socket: Socket
    let reader: FrameReader
    let record: ConnectionRecord
    let spec: CaseSpec
    let maxFrame: Int
    let fault: TargetFault?

    func run() throws -> String {
        let needsPool = spec.responseSize > spec.requestSize
        let pool = needsPool ? PayloadPool(seed: spec.seed, maxMessage: max(spec.requestSize, spec.responseSize)) : nil
        var sendBuffer = needsPool ? UnsafeMutableRawBufferPointer.allocate(byteCount: FrameHeader.size + spec.responseSize, alignment: 16) : UnsafeMutableRawBufferPointer(start: nil, count: 0)
        defer {
            if sendBuffer.baseAddress != nil {
                sendBuffer.initializeMemory(as: UInt8.self, repeating: 0)
                sendBuffer.deallocate()
            }
        }
        while true {
            guard let frame = try reader.next() else {
                return "closed without bye"
            }
            switch frame.header.type {
            case .request:
                let start = MonotonicClock.nanos()
                let responseLength = Int(frame.header.aux)
                guard responseLength <= maxFrame else {
                    throw ErrorMessage(code: "frame_too_large", message: "request \(frame.header.sequence) asks for a \(responseLength)-byte response; --max-frame is \(maxFrame)")
                }
                var header = frame.header
                header.type = .response
                header.aux = 0
                header.length = UInt32(responseLength)
                let out: UnsafeRawPointer
                if responseLength <= frame.payload.count {
                    header.encode(into: frame.wholeFrame.baseAddress!)
                    out = UnsafeRawPointer(frame.wholeFrame.baseAddress!)
                } else {
                    if sendBuffer.count < FrameHeader.size + responseLength {
                        sendBuffer.deallocate()
                        sendBuffer = .allocate(byteCount: FrameHeader.size + responseLength, alignment: 16)
                    }
                    let bytes = (pool ?? PayloadPool(seed: spec.seed, maxMessage: responseLength)).message(sequence: header.sequence, count: responseLength)
                    header.encode(into: sendBuffer.baseAddress!)
                    (sendBuffer.baseAddress! + FrameHeader.size).copyMemory(from: bytes.baseAddress!, byteCount: responseLength)
                    out = UnsafeRawPointer(sendBuffer.baseAddress!)
                }
                record.add(messages: 1, processing: MonotonicClock.nanos() &- start)
                if let fault {
                    switch fault {
                    case let .dropResponse(n) where n == header.sequence:
                        continue
                    case let .corruptResponse(n) where n == header.sequence && responseLength > 0:
                        let byte = UnsafeMutableRawPointer(mutating: out) + FrameHeader.size + responseLength / 2
                        byte.storeBytes(of: byte.load(as: UInt8.self) ^ 0x5A, as: UInt8.self)
                    default:
                        break
                    }
                }
                try socket.writeAll(out, count: FrameHeader.size + responseLength)
            case .bye:
                return "bye"
            default:
                throw ErrorMessage(code: "unexpected_frame", message: "expected request or bye, got \(frame.header.type)")
            }
        }
    }
}
