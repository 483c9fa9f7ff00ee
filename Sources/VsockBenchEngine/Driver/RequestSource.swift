#if canImport(Glibc)
import Glibc
#endif
import VsockBenchAgent
import VsockBenchModel
import VsockBenchSupport
import VsockWire
import Synchronization

/// What a request/response connection sends and how it checks what comes back. The sender
/// thread calls `prepare` and `write`; the receiver thread calls `verify`.
protocol RequestSource: AnyObject, Sendable {
    /// Prepares request `sequence` (generating it if it must be) and returns its frame size.
    func prepare(_ sequence: UInt64) -> Int
    /// Writes the prepared request's whole frame (header included) at `destination`;
    /// `measured`: it is sent inside the measured interval (the header's flag).
    func write(_ sequence: UInt64, into destination: UnsafeMutableRawPointer, measured: Bool)
    /// The prepared request's whole frame built where its bytes already lie, for the sink to
    /// write from there (no copy); nil when this source builds into the sink instead (`write`).
    /// Valid until `sent()`, which the sending thread calls once the sink has it.
    func frameInPlace(_ sequence: UInt64, measured: Bool) -> UnsafeRawPointer?
    /// The frame from `frameInPlace` is written (or given up): its memory may change again.
    func sent()
    /// Request `sequence` is the first measured one (called once, by the sending thread,
    /// before it prepares that request).
    func measuringStarts(at sequence: UInt64)
    /// Checks the response to `sequence`; the error names what is wrong, never payload bytes.
    /// Returns that message's request payload bytes (for per-message byte counts).
    @discardableResult
    func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) -> Int
}

extension RequestSource {
    func frameInPlace(_ sequence: UInt64, measured: Bool) -> UnsafeRawPointer? { nil }
    func sent() {}
    func measuringStarts(at sequence: UInt64) {}
}

enum RequestSources {
    /// The source of connection `connection`'s requests; nil for a stream. `packets`: the
    /// connection keeps message boundaries (seqpacket), so a replay sends payloads unframed.
    static func make(_ spec: CaseSpec, connection: Int, pool: PayloadPool, corpus: ReplayCorpus? = nil, packets: Bool = false) -> (any RequestSource)? {
        switch spec.workload {
        case let .rr(rr): return EchoSource(workload: rr, pool: pool)
        case let .masked(masked): return MaskedSource(workload: masked, seed: spec.seed, connection: connection)
        case let .replay(replay):
            return corpus.map { ReplaySource(corpus: $0, expect: replay.expect, packets: packets,
                                             start: ReplaySource.start(connection: connection, of: spec, messages: $0.messages.count)) }
        case .stream: return nil
        }
    }
}

/// rr: requests cut from the payload pool (sent in place: `InPlaceFrames`); each response must
/// be the pool window of the message's sequence number, of the asked length.
///
/// `@unchecked Sendable`: `frames` is used by the sending thread only; the receiving thread
/// verifies against the shared, read-only pool.
final class EchoSource: RequestSource, @unchecked Sendable {
    let requestSize: Int
    let responseSize: Int
    let pool: PayloadPool
    /// Every byte of each response, or its first and last bytes (`PayloadVerification`).
    let fullCheck: Bool
    private let frames: InPlaceFrames

    init(workload: RequestResponseWorkload, pool: PayloadPool) {
        requestSize = workload.requestSize
        responseSize = workload.responseSize
        fullCheck = workload.verify == .full
        self.pool = pool
        frames = InPlaceFrames(pool: pool, payload: workload.requestSize)
    }

    func prepare(_ sequence: UInt64) -> Int { FrameHeader.size + requestSize }

    @inline(__always)
    private func header(_ sequence: UInt64, measured: Bool) -> FrameHeader {
        FrameHeader(type: .request, length: requestSize, sequence: sequence, aux: UInt32(responseSize),
                    flags: measured ? FrameHeader.measuredFlag : 0)
    }

    @inline(__always)
    func write(_ sequence: UInt64, into destination: UnsafeMutableRawPointer, measured: Bool) {
        header(sequence, measured: measured).encode(into: destination)
        (destination + FrameHeader.size).copyMemory(from: pool.base + pool.offset(sequence: sequence), byteCount: requestSize)
    }

    @inline(__always)
    func frameInPlace(_ sequence: UInt64, measured: Bool) -> UnsafeRawPointer? {
        frames.frame(header(sequence, measured: measured), sequence: sequence)
    }

    @inline(__always)
    func sent() { frames.putBack() }

    @inline(__always)
    @discardableResult
    func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) -> Int {
        try checkHeader(frame, sequence)
        guard frame.payload.count == responseSize else {
            throw .protocolViolation("response has \(frame.payload.count) bytes, expected \(responseSize)")
        }
        if fullCheck {
            guard pool.matches(frame.payload, sequence: sequence) else {
                let at = pool.firstMismatch(frame.payload, sequence: sequence) ?? 0
                throw .protocolViolation("response payload differs from what was sent at byte \(at) (corrupted)")
            }
        } else if !pool.edgesMatch(frame.payload, sequence: sequence) {
            throw .protocolViolation("response payload's first or last bytes differ from what was sent (lost, reordered or corrupted; verify: edges)")
        }
        return requestSize
    }
}

/// masked: protobuf query fragments from the seeded generator; each masked result set is
/// checked by the agent verifier (row count, nothing sensitive left, the rest unchanged).
///
/// `@unchecked Sendable`: the generator is used by the sender thread only and the verifier by
/// the receiver thread only; what they share (the requests in flight) is behind a lock.
final class MaskedSource: RequestSource, @unchecked Sendable {
    private var generator: AgentRequestGenerator
    private var verifier = AgentVerifier()
    /// Requests sent and not yet answered, by sequence; the sender adds, the receiver takes.
    private let outstanding = LockedValue<[UInt64: AgentRequest]>([:])

    init(workload: MaskedWorkload, seed: UInt64, connection: Int) {
        // Each connection its own rows; deterministic for a given seed.
        generator = AgentRequestGenerator(seed: seed &+ UInt64(connection) &* 0x9E37_79B9_7F4A_7C15, sizes: workload.requestSizes.distribution)
    }

    func prepare(_ sequence: UInt64) -> Int {
        let request = generator.makeRequest(sequence: sequence)
        outstanding.withLock { $0[sequence] = request }
        return FrameHeader.size + request.bytes.count
    }

    func write(_ sequence: UInt64, into destination: UnsafeMutableRawPointer, measured: Bool) {
        guard let request = outstanding.withLock({ $0[sequence] }) else { return }
        FrameHeader(type: .request, length: request.bytes.count, sequence: sequence, flags: measured ? FrameHeader.measuredFlag : 0).encode(into: destination)
        request.bytes.withUnsafeBytes { if let bytes = $0.baseAddress { (destination + FrameHeader.size).copyMemory(from: bytes, byteCount: $0.count) } }
    }

    @discardableResult
    func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) -> Int {
        try checkHeader(frame, sequence)
        guard let request = outstanding.withLock({ $0.removeValue(forKey: sequence) }) else {
            throw .protocolViolation("a response to request sequence \(sequence), which was never sent")
        }
        if let failure = verifier.verify(response: frame.payload, for: request) {
            throw .protocolViolation("masked response failed verification: \(failure)")
        }
        return request.bytes.count
    }
}

/// replay: the corpus's messages in order, looped, each sent as it is in the file (its
/// framing included); each response is one message in the response framing (the reader
/// checks it), equal to its request's payload with `expect: echo`. Over seqpacket (`packets`)
/// each request is its payload alone, one packet, and each response one packet read whole.
/// Never logs a byte of either.
final class ReplaySource: RequestSource {
    let corpus: ReplayCorpus
    let expect: ReplayExpectation
    /// What goes on the wire for each message: its whole framed range in the file, or over
    /// seqpacket its payload only (the kernel keeps the boundary the framing marked).
    private let sent: [Range<Int>]
    /// The corpus message this connection sends first (its sequence 0), and again first of
    /// its measured requests.
    let start: UInt64
    /// The first measured request's sequence (`UInt64.max` until the warmup ends): from it
    /// on, the messages start at `start` again, so that the measured requests of several
    /// connections cover the corpus as their quotas split it, whatever the warmup sent first.
    /// Set by the sending thread, read by the receiving one (`verify`).
    private let firstMeasured = Atomic<UInt64>(.max)

    init(corpus: ReplayCorpus, expect: ReplayExpectation, packets: Bool = false, start: Int = 0) {
        self.corpus = corpus
        self.expect = expect
        sent = packets ? corpus.payloads : corpus.messages
        self.start = UInt64(start)
    }

    func measuringStarts(at sequence: UInt64) {
        firstMeasured.store(sequence, ordering: .releasing)
    }

    /// Where connection `connection` of `spec`'s starts in a corpus of `messages`, so that
    /// several connections send all of it, not its first messages each, in lockstep. A case
    /// bounded by a count starts each where the connections before it stop (the sum of their
    /// quotas, `CaseRunner.quotas`): 20 messages on 3 connections are 0-6, 7-13, 14-19, each
    /// once (starting them a third of the way in each, 0, 6 and 13, sent message 6 twice and
    /// 19 never: review). A case bounded by time starts connection i i/n of the way in.
    /// The warmup's requests start there too; the measured ones start there again
    /// (`measuringStarts`), so a warmup moves nothing (it moved every connection's measured
    /// stretch along by its own count: review).
    static func start(connection: Int, of spec: CaseSpec, messages: Int) -> Int {
        guard spec.connections > 1, messages > 0 else { return 0 }
        if let quotas = CaseRunner.quotas(spec) {
            return Int(quotas.prefix(connection).reduce(0, +) % UInt64(messages))
        }
        return connection * messages / spec.connections
    }

    @inline(__always)
    private func message(_ sequence: UInt64) -> Int {
        let first = firstMeasured.load(ordering: .acquiring)
        let index = sequence >= first ? sequence &- first : sequence
        return Int((index &+ start) % UInt64(corpus.messages.count))
    }

    func prepare(_ sequence: UInt64) -> Int { sent[message(sequence)].count }

    @inline(__always)
    func write(_ sequence: UInt64, into destination: UnsafeMutableRawPointer, measured: Bool) {
        let range = sent[message(sequence)]
        corpus.bytes.withUnsafeBytes { all in
            if let base = all.baseAddress { destination.copyMemory(from: base + range.lowerBound, byteCount: range.count) }
        }
    }

    @discardableResult
    func verify(_ frame: Frame, _ sequence: UInt64) throws(DriverError) -> Int {
        try checkHeader(frame, sequence)
        let index = message(sequence)
        let payload = corpus.payloads[index]
        if expect == .echo {
            guard frame.payload.count == payload.count else {
                try checkRepeat(frame, sequence)
                throw .protocolViolation("the response to corpus message \(index + 1) of \(corpus.messages.count) has \(frame.payload.count) bytes; its request had \(payload.count) (expect: echo)")
            }
            let differs: Int? = corpus.bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> Int? in
                let request = UnsafeRawBufferPointer(rebasing: all[payload])
                guard let a = request.baseAddress, let b = frame.payload.baseAddress, memcmp(a, b, payload.count) != 0 else { return nil }
                for i in 0..<payload.count where request[i] != frame.payload[i] { return i }
                return nil
            }
            if let at = differs {
                try checkRepeat(frame, sequence)
                throw .protocolViolation("the response to corpus message \(index + 1) of \(corpus.messages.count) differs from its request at byte offset \(at) of its payload (expect: echo)")
            }
        }
        return payload.count
    }

    /// A response that is not its request's echo: with the sender ahead, an answer sent twice
    /// is taken for the next request's; named as what it is when it equals the previous
    /// request's payload. Only on a failure's path.
    @inline(never)
    private func checkRepeat(_ frame: Frame, _ sequence: UInt64) throws(DriverError) {
        if sequence > 0, echoes(frame, sequence - 1) { throw .protocolViolation(Self.repeatText(request: sequence)) }
    }

    /// Whether `frame` equals the payload of request `sequence`: with `expect: echo`, an answer
    /// to it. Only on a failure's path, never per message.
    @inline(never)
    func repeats(_ frame: Frame, _ sequence: UInt64) -> Bool {
        expect == .echo && echoes(frame, sequence)
    }

    private func echoes(_ frame: Frame, _ sequence: UInt64) -> Bool {
        let payload = corpus.payloads[message(sequence)]
        guard frame.payload.count == payload.count else { return false }
        guard payload.count > 0 else { return true }
        return corpus.bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) -> Bool in
            let request = UnsafeRawBufferPointer(rebasing: all[payload])
            guard let a = request.baseAddress, let b = frame.payload.baseAddress else { return false }
            return memcmp(a, b, payload.count) == 0
        }
    }

    /// An answer that repeats the one to `request` (counted from 1, as every replay error counts).
    static func repeatText(request: UInt64) -> String {
        "this response is a second answer to request \(request) (it equals that request's payload, expect: echo): the service answered request \(request) more than once"
    }
}

/// Where a request failed, for the failure's text: `connection 0, request sequence 5`, the
/// sequence its frame carries (from 0, as the target's log and `--inject-fault` count them).
/// A replay's requests carry no sequence: they are counted from 1, as its responses and corpus
/// messages are (`connection 0, request 6: the response to corpus message 6 of 10` is the
/// sixth request sent, the corpus's sixth message); connections are numbered from 0 in both.
func requestPlace(connection: Int, sequence: UInt64, source: any RequestSource) -> String {
    source is ReplaySource
        ? "connection \(connection), request \(sequence + 1)"
        : "connection \(connection), request sequence \(sequence)"
}

/// The checks every response passes first: an error frame is the target's refusal; the
/// sequence number must be the next one.
@inline(__always)
private func checkHeader(_ frame: Frame, _ sequence: UInt64) throws(DriverError) {
    if frame.header.type == .error {
        throw .rejected(ErrorMessage(errorFrame: frame))
    }
    guard frame.header.type == .response else {
        throw .protocolViolation("expected a response frame, got \(frame.header.type)")
    }
    guard frame.header.sequence == sequence else {
        throw .protocolViolation("expected the response to request sequence \(sequence), got sequence \(frame.header.sequence) (lost or reordered)")
    }
}
