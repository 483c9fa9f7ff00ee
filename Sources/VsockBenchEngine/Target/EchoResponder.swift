import VsockTransport
import VsockWire
import VsockBenchModel

/// rr: each request is answered with a response of the length the request asks for (header
/// `aux`). A response no longer than the request is the request's own bytes; a longer one is
/// completed from the payload pool both sides derive from the case seed.
final class EchoResponder: Responder {
    let seed: UInt64
    /// The largest response a request may ask for: what the case announced, within the frame limit.
    let allowed: Int
    let fault: TargetFault?
    private lazy var pool = PayloadPool(seed: seed, maxMessage: max(allowed, 1))

    /// The write is the last thing it does.
    var worksAfterWriting: Bool { false }

    init(workload: RequestResponseWorkload, seed: UInt64, maxFrame: Int, fault: TargetFault?) {
        self.seed = seed
        allowed = min(max(workload.requestSize, workload.responseSize), maxFrame)
        self.fault = fault
    }

    func respond(to frame: Frame, sink: any FrameSink, inPlace: Bool, lane: MeterLane) throws(ServeError) -> Int {
        let length = Int(frame.header.aux)
        // The case announced its sizes in the hello; a request may not ask for more.
        guard length <= allowed else {
            throw .refused(ErrorMessage(code: "bad_request", message: "request \(frame.header.sequence) asks for a \(length)-byte response; this case allows \(allowed)"))
        }
        let header = FrameHeader(type: .response, length: length, sequence: frame.header.sequence)
        let size = FrameHeader.size + length
        let echoed = min(length, frame.payload.count)
        do throws(SystemError) {
            if inPlace, length <= frame.payload.count, frame.payload.count == Int(frame.header.length), let base = frame.wholeFrame.baseAddress {
                // Rewrite the request into its response where it lies and write it from there.
                header.encode(into: base)
                if injectFault(base, length: length, sequence: header.sequence) { return length }
                try sink.write(base, count: size)
                return length
            }
            let out = sink.reserve(size)
            header.encode(into: out)
            if echoed > 0, let request = frame.payload.baseAddress { (out + FrameHeader.size).copyMemory(from: request, byteCount: echoed) }
            if length > echoed {
                // The rest of the expected response, from the pool both sides share.
                (out + FrameHeader.size + echoed).copyMemory(from: pool.base + pool.offset(sequence: header.sequence) + echoed, byteCount: length - echoed)
            }
            if injectFault(out, length: length, sequence: header.sequence) { return length }
            try sink.commit(size)
            return length
        } catch {
            throw .socket(error)
        }
    }

    /// Applies the configured fault to this response; true when it must not be sent at all.
    private func injectFault(_ frame: UnsafeMutableRawPointer, length: Int, sequence: UInt64) -> Bool {
        guard let fault else { return false }
        switch fault {
        case let .dropResponse(n) where n == sequence:
            return true
        case let .corruptResponse(n) where n == sequence && length > 0:
            let byte = frame + FrameHeader.size + length / 2
            byte.storeBytes(of: byte.load(as: UInt8.self) ^ 0x5A, as: UInt8.self)
            return false
        default:
            return false
        }
    }
}
