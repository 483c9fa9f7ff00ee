import VsockBenchAgent
import VsockBenchEngine
import VsockBenchModel
import VsockTransport
import VsockWire

/// Seeds of TargetSession (`[control length u16][control bytes][data bytes]`): a driver's two
/// connections as `vsockbench run` opens them, for each workload and batching strategy, and a
/// few it would never send.
enum TargetSeeds {
    static func write(to writer: SeedWriter) throws {
        let rr: [(String, BatchingStrategy, Int)] = [
            ("none", .none, 1), ("window", .window(4), 4), ("coalesce", .coalesce(maxMessages: 3, maxBytes: 4096, lingerNanos: 200_000), 4),
            ("writev", .writev(maxMessages: 3), 4), ("writer-thread", .writerThread(queueDepth: 4, maxBytes: 8192), 4),
            ("normalize", .normalize(size: 1024), 1),
        ]
        for (name, strategy, inflight) in rr {
            let exchange = Exchange(inflight: inflight, strategy: strategy, writeChunk: name == "none" ? 100 : nil, splitWrites: name == "window")
            let spec = CaseSpec(name: "rr-\(name)", workload: .rr(RequestResponseWorkload(requestSize: 300, responseSize: 700, exchange: exchange)))
            let requests = (0..<4).flatMap { sequence in
                request(payload: 300, asks: 700, sequence: UInt64(sequence), measured: sequence > 0, padTo: name == "normalize" ? 1024 : nil)
            }
            try writer.write("TargetSession", "rr-\(name)", session(spec, data: requests + ControlCodec.emptyFrame(.bye, sequence: 4)))
        }
        var generator = AgentRequestGenerator(seed: 3, sizes: .fixed(1024))
        let masked = CaseSpec(name: "masked", workload: .masked(MaskedWorkload(requestSizes: .fixed(1024), exchange: Exchange(inflight: 2, strategy: .window(2)))))
        let fragments = (0..<2).flatMap { sequence -> [UInt8] in
            let bytes = generator.makeRequest(sequence: UInt64(sequence)).bytes
            return frame(.request, bytes, sequence: UInt64(sequence), aux: UInt32(2 * bytes.count))
        }
        try writer.write("TargetSession", "masked", session(masked, data: fragments + ControlCodec.emptyFrame(.bye, sequence: 2)))
        for direction in [StreamDirection.tx, .rx, .both] {
            let spec = CaseSpec(name: "stream-\(direction.rawValue)", workload: .stream(StreamWorkload(writeSize: 4096, direction: direction, verify: .full)))
            let bytes = direction == .rx ? [] : [UInt8](repeating: 0x5A, count: 3000)
            try writer.write("TargetSession", "stream-\(direction.rawValue)", session(spec, data: bytes))
        }
        // What a driver would not send: a data connection without its session, a bad request.
        let lone = CaseSpec(name: "lone", workload: .rr(RequestResponseWorkload(requestSize: 64, responseSize: 64)))
        try writer.write("TargetSession", "no-session", [0, 0] + hello(lone, role: .data, session: 9) + request(payload: 64, asks: 64, sequence: 0, measured: false, padTo: nil))
        try writer.write("TargetSession", "asks-too-much", session(lone, data: request(payload: 64, asks: 1 << 20, sequence: 0, measured: true, padTo: nil)))
        try writer.write("TargetSession", "agent-garbage", session(masked, data: frame(.request, [0xFF, 0xFF, 0xFF], sequence: 0, aux: 10)))
        // Issue 13 item 2: buffers sized by the hello past the target's --max-memory (refused
        // with over_budget), and an agent request whose masked response would pass --max-frame
        // (one-byte name cells become 20-byte tokens: refused with bad_request).
        let bigSource = CaseSpec(name: "stream-over-budget", workload: .stream(StreamWorkload(writeSize: 32 << 20, direction: .rx, verify: .full)))
        try writer.write("TargetSession", "stream-over-budget", session(bigSource, data: []))
        let bigBatch = CaseSpec(name: "coalesce-over-budget", workload: .rr(RequestResponseWorkload(
            requestSize: 64, responseSize: 64, exchange: Exchange(inflight: 2, strategy: .coalesce(maxMessages: 4, maxBytes: 32 << 20, lingerNanos: 100_000)))))
        try writer.write("TargetSession", "coalesce-over-budget", session(bigBatch, data: request(payload: 64, asks: 64, sequence: 0, measured: false, padTo: nil)))
        let amplify = CaseSpec(name: "amplify", workload: .masked(MaskedWorkload(requestSizes: .fixed(6000))))
        var fragment = Proto()
        for index in 0..<32 {
            var column = Proto()
            column.bytes(1, Array("c\(index)".utf8))
            column.varint(3, 1)
            fragment.bytes(3, column.data)
        }
        var row = Proto()
        row.bytes(1, [UInt8](repeating: 0x61, count: 32))
        var lengths = Proto()
        for _ in 0..<32 { lengths.rawVarint(1) }
        row.bytes(2, lengths.data)
        while fragment.data.count < 5000 { fragment.bytes(4, row.data) }
        try writer.write("TargetSession", "agent-amplifying", session(amplify, data: frame(.request, fragment.data, sequence: 0, aux: UInt32(2 * fragment.data.count))))
    }

    static let facts = HelloSeeds.facts

    static func hello(_ spec: CaseSpec, role: ConnectionRole, session: UInt64) -> [UInt8] {
        ControlCodec.frame(.hello, CaseHello(role: role, session: session, connection: 0, spec: WireCase(spec), driver: facts))
    }

    /// The control connection (hello, mark, stats request) and a data connection of one case.
    static func session(_ spec: CaseSpec, data: [UInt8]) -> [UInt8] {
        let control = hello(spec, role: .control, session: 0x5EED) + ControlCodec.emptyFrame(.mark) + ControlCodec.emptyFrame(.statsRequest)
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt16(control.count))
        return bytes + control + hello(spec, role: .data, session: 0x5EED) + data
    }

    static func frame(_ type: FrameType, _ payload: [UInt8], sequence: UInt64, aux: UInt32 = 0, flags: UInt16 = 0, padTo: Int? = nil) -> [UInt8] {
        let length = max(padTo ?? payload.count, payload.count)
        var bytes = [UInt8](repeating: 0, count: FrameHeader.size)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            FrameHeader(type: type, length: length, sequence: sequence, aux: aux, flags: flags, content: payload.count).encode(into: base)
        }
        return bytes + payload + [UInt8](repeating: 0, count: length - payload.count)
    }

    static func request(payload: Int, asks: Int, sequence: UInt64, measured: Bool, padTo: Int?) -> [UInt8] {
        frame(.request, (0..<payload).map { UInt8(truncatingIfNeeded: $0) }, sequence: sequence, aux: UInt32(asks), flags: measured ? FrameHeader.measuredFlag : 0, padTo: padTo)
    }
}
