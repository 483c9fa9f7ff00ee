import VsockBenchAgent
import VsockBenchSupport
import VsockTransport
import VsockWire

/// masked: the enclave agent's work on each request, in memory only: decode the protobuf
/// query fragment, mask it, encode the masked result set, right behind a frame header in a
/// pooled buffer that is zeroed when it goes back. Phase times go to the connection's meter.
/// A request that is not a valid fragment ends the connection with an error frame.
final class AgentResponder: Responder {
    private var masker: AgentMasker
    private var pool = BufferPool(bufferCapacity: 64 * 1024, maximumRetained: 4)
    /// The largest response payload this target sends (its --max-frame).
    private let maxPayload: Int

    /// The pooled buffer is zeroed and the masker wiped after the write.
    var worksAfterWriting: Bool { true }

    init(maxPayload: Int = Int(UInt32.max)) {
        self.maxPayload = maxPayload
        // A fresh key per connection: name tokens join within a connection, never across.
        masker = AgentMasker(connectionKey: (UInt64.random(in: .min ... .max), UInt64.random(in: .min ... .max)))
    }

    func respond(to frame: Frame, sink: any FrameSink, inPlace: Bool, lane: MeterLane) throws(ServeError) -> Int {
        var output = pool.acquire()
        let acquiredCapacity = output.capacity
        defer {
            // Sensitive bytes do not outlive the message: the pooled buffer and the masker's
            // table are zeroed (and the decoded fragment, below). Nothing is written past the
            // buffer's count (the encoder trims only the zeros it appended), so only those
            // bytes need zeroing, unless the buffer grew.
            pool.release(&output, written: output.count, acquiredCapacity: acquiredCapacity)
            masker.wipe()
        }
        output.append(contentsOf: repeatElement(0, count: FrameHeader.size))
        let started = MonotonicClock.nanos()
        var fragment: AgentMasker.DecodedFragment
        do {
            fragment = try AgentMasker.decode(frame.payload)
        } catch {
            throw .refused(ErrorMessage(code: "bad_request", message: "request \(frame.header.sequence): \(error)"))
        }
        // The decoded cells are the peer's plaintext in swift-protobuf's own copies: zeroed
        // before they are freed, whether masking succeeds or not.
        defer { fragment.wipe() }
        let decoded = MonotonicClock.nanos()
        do {
            try masker.mask(fragment, limit: maxPayload)
        } catch {
            throw .refused(ErrorMessage(code: "bad_request", message: "request \(frame.header.sequence): \(error)"))
        }
        let masked = MonotonicClock.nanos()
        masker.encode(into: &output)
        let encoded = MonotonicClock.nanos()
        lane.countAgent(decode: decoded &- started, mask: masked &- decoded, encode: encoded &- masked)
        let length = output.count - FrameHeader.size
        let failure: SystemError? = output.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            FrameHeader(type: .response, length: length, sequence: frame.header.sequence).encode(into: base)
            do throws(SystemError) { try sink.write(base, count: raw.count) } catch { return error }
            return nil
        }
        if let failure { throw .socket(failure) }
        return length
    }
}
