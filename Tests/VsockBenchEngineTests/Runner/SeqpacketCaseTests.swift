import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// rr and masked over `unix+seqpacket://` against a `TargetServer` in this process: every frame
/// one packet, so one send and one receive per frame on both sides, and exact agreement.
@Suite struct SeqpacketCaseTests {
    @Test func rrStopAndWaitIsOnePacketEachWay() throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        #expect(target.endpoint.isMessageOriented)
        let m = try CaseRunner.run(Specs.rr(request: 8192, response: 8192, stop: .messages(200)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 200)
        let io = m.workers[0].reading.io
        // One send per request, one receive per response: never more reads than frames.
        #expect(io.writes == 200 && io.reads == 200, "\(io)")
        #expect(io.bytesWritten == 200 * UInt64(8192 + FrameHeader.size))
        #expect(m.target?.writes == 200)
        #expect(m.target?.reads == 200, "the target receives each request as one packet")
        #expect(m.target?.shortWrites == 0 && io.shortWrites == 0)
    }

    @Test func rrDifferentSizesAndADurationAgree() throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(request: 100, response: 20_000, stop: Specs.shortDuration), options: target.options())
        let messages = m.workers.reduce(0) { $0 + $1.messages }
        #expect(messages > 0)
        BothSides.expectExactAgreement(m, messages: Int(messages))
    }

    @Test(arguments: [
        Exchange(inflight: 4, strategy: .window(4)),
        Exchange(inflight: 8),
    ])
    func rrPipelinedOverTwoConnectionsAgree(exchange: Exchange) throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(request: 700, response: 1500, exchange: exchange, stop: .messages(301), connections: 2), options: target.options())
        BothSides.expectExactAgreement(m, messages: 301)
        #expect(m.workers.map(\.messages) == [151, 150])
        for worker in m.workers { #expect(worker.reading.io.writes == worker.reading.tally.messages) }
    }

    @Test func rrNormalizedFramesArePaddedPackets() throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let strategy = BatchingStrategy.normalize(size: 4096)
        let m = try CaseRunner.run(Specs.rr(request: 1000, response: 3000, exchange: Exchange(strategy: strategy), stop: .messages(100)),
                                   options: target.options())
        BothSides.expectExactAgreement(m, messages: 100, padded: true)
        #expect(m.workers[0].reading.io.bytesWritten == 100 * UInt64(strategy.wireSize(ofFrame: FrameHeader.size + 1000)))
        #expect(m.workers[0].reading.io.reads == 100)
    }

    @Test(arguments: [1, 4])
    func maskedAgrees(inflight: Int) throws {
        let target = try InProcessServer(mode: .agent, seqpacket: true)
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.masked(exchange: Exchange(inflight: inflight), stop: .messages(40)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 40)
        let io = m.workers[0].reading.io
        // One send per request; one receive per response, and in a pipeline at most one more
        // at the interval's edge (the meter cuts bytes at frame boundaries, reads to the read).
        #expect(io.writes == 40, "\(io)")
        #expect(inflight == 1 ? io.reads == 40 : (40...41).contains(io.reads), "\(io)")
        #expect(m.target?.reads == 40 && m.target?.writes == 40, "\(String(describing: m.target))")
    }

    @Test("strategies that merge or cut frames, and streams, are refused by the driver before any connection", arguments: [
        (Specs.rr(exchange: Specs.coalesce), "strategy coalesce merges frames into one write"),
        (Specs.rr(exchange: Exchange(inflight: 8, strategy: .writev(maxMessages: 8))), "strategy writev merges frames"),
        (Specs.rr(exchange: Exchange(inflight: 8, strategy: .writerThread(queueDepth: 8, maxBytes: 65536))), "strategy writer_thread merges frames"),
        (Specs.rr(exchange: Exchange(writeChunk: 300)), "write_chunk cuts a frame"),
        (Specs.masked(exchange: Exchange(splitWrites: true)), "split_writes writes a frame as two writes"),
        (Specs.stream(direction: .tx, stop: .bytes(1 << 20)), "a stream workload is a byte stream"),
    ])
    func refusedBeforeConnecting(spec: CaseSpec, reason: String) throws {
        let target = try InProcessServer(mode: .agent, seqpacket: true)
        defer { target.stop() }
        #expect {
            _ = try CaseRunner.run(spec, options: target.options())
        } throws: { error in
            guard case let .unsupported(text) = error as? DriverError else { return false }
            return text.contains("cannot run over unix+seqpacket") && text.contains(reason)
        }
        #expect(target.log.entries("case started").isEmpty, "no connection was made")
    }

    @Test("a target on seqpacket refuses such a hello itself (a driver that did not check)", arguments: [
        Specs.rr(exchange: Specs.coalesce),
        Specs.stream(direction: .rx, stop: .bytes(1 << 20)),
    ])
    func targetRefusesTheHello(spec: CaseSpec) throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        #expect {
            _ = try DriverConnection.open(to: target.endpoint, role: .control, session: 9, spec: spec, timeoutSeconds: 5)
        } throws: { error in
            guard case let .rejected(message) = error as? DriverError else { return false }
            return message.code == "not_on_seqpacket" && message.message.contains("listens on unix+seqpacket")
        }
    }

    @Test("a packet whose size is not its frame's: an error frame, that connection closes, the rest goes on")
    func malformedPacketClosesOnlyItsConnection() throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 21, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 21, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        // A request whose header announces 100 payload bytes, in a 60-byte packet.
        var packet = [UInt8](repeating: 0, count: FrameHeader.size + 28)
        packet.withUnsafeMutableBytes { FrameHeader(type: .request, length: 100, aux: 100, content: 28).encode(into: $0.baseAddress!) }
        try packet.withUnsafeBytes { try data.socket.sendMessage($0.baseAddress!, count: $0.count) }
        let reply = try #require(try data.reader.next(), "an error frame, not the end")
        #expect(reply.header.type == .error)
        let message = ErrorMessage(errorFrame: reply)
        #expect(message.code == "packet_size_mismatch", "\(message)")
        #expect(message.message.contains("a 60-byte packet carries a frame whose header says 132 bytes"), "\(message)")
        #expect(try data.reader.next()?.header == nil, "the target closed that connection")
        // The control connection is still served: its stats come, with the data connection's error.
        try control.send(ControlCodec.emptyFrame(.statsRequest))
        let stats = try ControlCodec.decode(TargetStats.self, from: try control.expect(.stats).payload)
        #expect(stats.connections.first?.error?.contains("exactly one packet") == true, "\(stats.connections)")
        #expect(target.log.entries("malformed frame; closing", atLeast: .warning).count == 1, "\(target.log.all)")
        // And the server goes on: a new case runs verified.
        let m = try CaseRunner.run(Specs.rr(stop: .messages(30)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 30)
    }

    /// A Unix socket closed with unread packets resets its peer, whose next receive fails
    /// before it reads what was sent: the target discards what follows a bad packet (bounded)
    /// before closing, so the error frame is read, not ECONNRESET.
    @Test("packets sent after a bad one do not cost the peer its error frame", arguments: [1, 3])
    func errorFrameSurvivesPacketsAfterTheBadOne(extra: Int) throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let socket = try Socket.connect(to: target.endpoint)
        defer { socket.close() }
        try socket.setReceiveTimeout(seconds: 5)
        var bad = [UInt8](repeating: 0x41, count: FrameHeader.size + 16)
        try bad.withUnsafeBytes { try socket.sendMessage($0.baseAddress!, count: $0.count) }
        let more = [UInt8](repeating: 0x79, count: 100)
        for _ in 0..<extra { try more.withUnsafeBytes { try socket.sendMessage($0.baseAddress!, count: $0.count) } }
        bad[0] = 0  // the test keeps no peer bytes either
        // The target has answered and closed by the time this reads (its log says so).
        let deadline = MonotonicClock.nanos() + 3_000_000_000
        while target.log.entries("malformed frame; closing", atLeast: .warning).isEmpty, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 5_000_000) }
        MonotonicClock.sleep(nanos: 300_000_000)
        let reader = FrameReader(socket: socket, maxPayload: 65536)
        let reply = try #require(try reader.next(), "the error frame, not the end")
        #expect(reply.header.type == .error && ErrorMessage(errorFrame: reply).code == "bad_magic", "\(ErrorMessage(errorFrame: reply))")
    }

    /// The same on a control connection after its hello (its error paths are the target's too).
    @Test func aControlConnectionsErrorFrameSurvivesPacketsAfterTheBadOne() throws {
        let target = try InProcessServer(seqpacket: true)
        defer { target.stop() }
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 23, spec: Specs.rr(), timeoutSeconds: 5)
        defer { control.socket.close() }
        let bad = [UInt8](repeating: 0x41, count: FrameHeader.size + 16)
        try bad.withUnsafeBytes { try control.socket.sendMessage($0.baseAddress!, count: $0.count) }
        for _ in 0..<2 { try bad.prefix(100).withUnsafeBytes { try control.socket.sendMessage($0.baseAddress!, count: $0.count) } }
        let deadline = MonotonicClock.nanos() + 3_000_000_000
        while target.log.entries("malformed frame on the control connection; closing", atLeast: .warning).isEmpty, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 5_000_000) }
        MonotonicClock.sleep(nanos: 300_000_000)
        let reply = try #require(try control.reader.next(), "the error frame, not the end")
        #expect(reply.header.type == .error && ErrorMessage(errorFrame: reply).code == "bad_magic", "\(ErrorMessage(errorFrame: reply))")
    }

    @Test("a packet larger than the target's frame limit: frame_too_large, named, and the server goes on")
    func oversizedPacket() throws {
        let target = try InProcessServer(seqpacket: true) { $0.maxFrame = 4096 }
        defer { target.stop() }
        let socket = try Socket.connect(to: target.endpoint)
        defer { socket.close() }
        try socket.setReceiveTimeout(seconds: 5)
        var packet = [UInt8](repeating: 0, count: 10_000)
        packet.withUnsafeMutableBytes { FrameHeader(type: .hello, length: 10_000 - FrameHeader.size).encode(into: $0.baseAddress!) }
        try packet.withUnsafeBytes { try socket.sendMessage($0.baseAddress!, count: $0.count) }
        let reader = FrameReader(socket: socket, maxPayload: 65536)
        let reply = try #require(try reader.next())
        let message = ErrorMessage(errorFrame: reply)
        #expect(reply.header.type == .error && message.code == "frame_too_large", "\(message)")
        #expect(message.message.contains("a message larger than the frame limit 4096 arrived (10000 bytes"), "\(message)")
        #expect(try reader.next()?.header == nil)
        let m = try CaseRunner.run(Specs.rr(stop: .messages(30)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 30)
    }
}
