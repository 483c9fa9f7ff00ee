import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// A hostile parent cannot hold the target: deadlines, not per-read timeouts, end trickling
/// and non-reading peers, and their slots are free again for a real run.
@Suite struct HostilePeerTests {
    /// Sends `bytes` one byte every `everyMillis` ms (at most `limit` bytes), until the peer
    /// closes or the bytes run out. Bounded in count and time.
    static func trickle(_ bytes: [UInt8], to socket: Socket, everyMillis: UInt64 = 50, limit: Int = 80) {
        for byte in bytes.prefix(limit) {
            do { try socket.send([byte]) } catch { return }
            MonotonicClock.sleep(nanos: everyMillis * 1_000_000)
        }
    }

    @Test func peersTricklingTheirHelloCannotHoldTheSlots() throws {
        let target = try InProcessServer { $0.helloTimeoutSeconds = 0.4; $0.maxConnections = 3 }
        defer { target.stop() }
        let hello = ControlCodec.frame(.hello, CaseHello(role: .control, session: 1, connection: 0, spec: WireCase(Specs.rr()), driver: .current()))
        let sockets = try (0..<3).map { _ in try Socket.connect(to: target.endpoint) }
        let started = MonotonicClock.nanos()
        // A byte every 50 ms: each read returns well within any per-read timeout.
        let threads = sockets.enumerated().map { index, socket in
            NativeThread.spawn(name: "trickle-\(index)") { Self.trickle(hello, to: socket) }
        }
        // Every slot is free again within the hello deadline (plus a margin for a busy machine).
        #expect(target.waitUntilIdle(seconds: 3) == 0)
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(elapsed < 2.5, "dropped after \(elapsed) s, the hello deadline is 0.4 s")
        for thread in threads { thread.join() }
        for socket in sockets { socket.close() }
        let m = try CaseRunner.run(Specs.rr(stop: .messages(30)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 30)
    }

    /// A data connection must run its session's case: one that announces larger frames than
    /// the control connection did is refused (its stats would describe a case not running).
    @Test func aDataConnectionAnnouncingAnotherCaseIsRefused() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let announced = Specs.rr("small", request: 1024, response: 1024, connections: 2)
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 41, spec: announced, timeoutSeconds: 5)
        defer { control.socket.close() }
        let other = Specs.rr("small", request: 4 << 20, response: 4 << 20, connections: 2)
        do {
            let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 41, spec: other, timeoutSeconds: 5)
            data.socket.close()
            Issue.record("a data connection announcing 4 MiB requests joined a 1 KiB session")
        } catch let error {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "bad_case")
            #expect(message.message.contains("they differ in rr sizes"), "\(message.message)")
        }
        // The session's own case still joins.
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 41, connection: 1, spec: announced, timeoutSeconds: 5)
        data.socket.close()
    }

    @Test func aDataConnectionTricklingAFrameIsDropped() throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.4 }
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 3, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 3, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        var frame = [UInt8](repeating: 0, count: FrameHeader.size + 100)
        frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: 100, aux: 100).encode(into: $0.baseAddress!) }
        let started = MonotonicClock.nanos()
        Self.trickle(frame, to: data.socket, everyMillis: 50, limit: 132)
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(elapsed < 3, "the peer could trickle for \(elapsed) s; the frame deadline is 0.4 s")
        #expect(target.log.entries("idle too long; closing", atLeast: .warning).count == 1, "\(target.log.all)")
    }

    /// A control connection no data connection joins is closed after twice the hello timeout, not
    /// the idle timeout: idle control hellos held --max-connections' slots for 300 s.
    @Test func aControlConnectionNoDataConnectionJoinsIsClosedAtTheHelloTimeout() throws {
        let target = try InProcessServer { $0.helloTimeoutSeconds = 0.4; $0.idleTimeoutSeconds = 30 }
        defer { target.stop() }
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 6, spec: Specs.rr(), timeoutSeconds: 5)
        defer { control.socket.close() }
        let started = MonotonicClock.nanos()
        do {
            _ = try control.expect(.stats)
            Issue.record("a frame other than the error")
        } catch {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "timeout")
            #expect(message.message.contains("no data connection of the case joined within 800ms of its control connection (twice --hello-timeout)"), "\(message.message)")
        }
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(elapsed < 3, "closed after \(elapsed) s; the join window is 0.8 s")
        // A case whose data connections join runs past the hello timeout as before.
        var spec = Specs.rr(stop: .duration(nanos: 800_000_000))
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
    }


    /// Every connection counts in --max-memory from its accept (its thread and the hello
    /// buffer a peer can fill): peers that open connections and say nothing cannot hold more
    /// than the budget, the ones past it are refused with `over_budget`, and it all comes
    /// back when they close. (Before, only a data connection's case counted: a thousand silent
    /// or half-sent hellos held about 85 MB beyond --max-memory.)
    @Test func silentConnectionsCountInTheBudgetFromTheirAccept() throws {
        let base = ConnectionHandler.baseMemory
        let target = try InProcessServer { $0.maxMemory = 40 * base }
        defer { target.stop() }
        let sockets = try (0..<60).map { _ in try Socket.connect(to: target.endpoint) }
        defer { for socket in sockets { socket.close() } }
        // Accepted in the order they connected: the last 20 find the budget taken.
        for socket in sockets.suffix(20) {
            let (message, _) = try AnnouncedSizeTests.errorFrame(on: socket, within: 3)
            #expect(message.code == "over_budget", "\(message)")
            #expect(message.message.contains("taken by the 40 connections open"), "\(message.message)")
        }
        #expect(target.server.activeConnections == 40)
        #expect(target.server.budget.used == 40 * base)
        for socket in sockets { socket.close() }
        #expect(target.waitUntilIdle() == 0)
        #expect(target.server.budget.used == 0, "every accept's share is given back")
        // The budget (40 x 96 KiB) holds a real case once they are gone.
        let m = try CaseRunner.run(Specs.rr(stop: .messages(20)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 20)
        #expect(target.waitUntilIdle() == 0)
        #expect(target.server.budget.used == 0)
    }
    /// `count` requests of 32 bytes asking for 32-byte responses, back to back (one write).
    static func smallRequests(_ count: Int) -> [UInt8] {
        var frames = [UInt8](repeating: 0, count: count * (FrameHeader.size + 32))
        frames.withUnsafeMutableBytes { raw in
            for sequence in 0..<count {
                FrameHeader(type: .request, length: 32, sequence: UInt64(sequence), aux: 32).encode(into: raw.baseAddress! + sequence * (FrameHeader.size + 32))
            }
        }
        return frames
    }

    /// `target_cost` buys CPU per request: a peer that queues more requests than its case's
    /// inflight in one write and goes quiet (reading nothing: the small responses fit in the
    /// socket's buffers) loses the connection at the first request over, however long the idle
    /// timeout (it had spun for the idle timeout plus inflight x target_cost: with the defaults,
    /// 300 s plus up to 68 minutes from one write).
    @Test func queuedCostlyRequestsStopAtTheCasesInflight() throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 60 }
        defer { target.stop() }
        let spec = Specs.rr("costly", request: 32, response: 32, exchange: Exchange(inflight: 2, targetCostNanos: 200_000_000), stop: .messages(100))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 5, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 5, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        // 60 requests of 200 ms each, in one write: 12 s of work; the case allows 2 (0.4 s).
        let frames = Self.smallRequests(60)
        let started = MonotonicClock.nanos()
        try data.socket.send(frames)
        let deadline = started + 6_000_000_000
        while target.server.activeConnections > 1, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 5_000_000) }
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(target.server.activeConnections == 1, "the data connection still works through its queue after \(elapsed) s")
        #expect(elapsed < 3, "dropped after \(elapsed) s; 2 requests in flight take 0.4 s")
        #expect(target.log.entries("connection refused a request", atLeast: .warning).contains { "\($0)".contains("more requests than the case's inflight (2)") }, "\(target.log.all)")
        // The two it may queue were answered before the error frame.
        for sequence in 0..<2 {
            let response = try data.expect(.response)
            #expect(response.header.sequence == UInt64(sequence))
        }
    }

    /// A hello whose in-flight requests would queue more than a minute of target_cost is
    /// refused before any work: 4096 requests of 1 s each.
    @Test func aHelloQueuingMoreThanAMinuteOfWorkIsRefused() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let spec = Specs.rr("spin", request: 32, response: 32, exchange: Exchange(inflight: 4096, targetCostNanos: 1_000_000_000), stop: .messages(4096))
        do {
            let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 6, spec: spec, timeoutSeconds: 5)
            control.socket.close()
            Issue.record("the hello was accepted")
        } catch {
            #expect("\(error)".contains("inflight 4096 x target_cost 1s queues 4096s of busy work on one connection, over the 60s the target accepts"), "\(error)")
        }
    }

    /// A target_cost of centuries, alone or times a deep window, is refused with an error
    /// frame, and the target serves the next case: formatting it in the refusal trapped (an
    /// arithmetic overflow) and took the whole target down with every connection.
    @Test(arguments: [(1, UInt64(Int64.max)), (4096, UInt64(450_359_962_737_050))])
    func aHelloWithAHugeTargetCostIsRefusedNotFatal(inflight: Int, cost: UInt64) throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let spec = Specs.rr("spin", request: 32, response: 32, exchange: Exchange(inflight: inflight, targetCostNanos: cost), stop: .messages(4096))
        do {
            let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 7, spec: spec, timeoutSeconds: 5)
            control.socket.close()
            Issue.record("the hello was accepted")
        } catch let error {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "bad_case")
            #expect(message.message.contains("target_cost longer than 1s per message"), "\(message.message)")
        }
        let m = try CaseRunner.run(Specs.rr(stop: .messages(30)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 30)
    }

    /// An honest backlog is not cut: a case's `inflight` requests may take inflight x
    /// target_cost to work through with no read, longer than the idle timeout (review: a
    /// window of 1024 requests of 500 ms would have been cut at 300 s).
    @Test func aBacklogWithinTheCasesInflightIsWorkedThrough() throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.3 }
        defer { target.stop() }
        let spec = Specs.rr("backlog", request: 32, response: 32, exchange: Exchange(inflight: 8, targetCostNanos: 100_000_000), stop: .messages(8))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 7, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 7, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        let frames = Self.smallRequests(8)
        // 8 x 100 ms of work from one write: 0.8 s with no read, past the 0.3 s idle timeout.
        try data.socket.send(frames)
        for sequence in 0..<8 {
            let response = try data.expect(.response)
            #expect(response.header.sequence == UInt64(sequence))
        }
    }

    /// A peer that asks for large responses and stops reading loses its connection within the
    /// idle timeout (a send deadline), and its slot.
    @Test(arguments: [false, true])
    func aPeerThatStopsReadingIsDropped(stream: Bool) throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.4 }
        defer { target.stop() }
        let spec = stream
            ? CaseSpec(name: "rx", workload: .stream(StreamWorkload(writeSize: 1 << 20, direction: .rx)))
            : Specs.rr("big", request: 16, response: 4 << 20, stop: .messages(100))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 4, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 4, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        if !stream {
            // Requests for 4 MiB responses, never read back.
            var frame = [UInt8](repeating: 0, count: FrameHeader.size + 16)
            for sequence in 0..<8 {
                frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: 16, sequence: UInt64(sequence), aux: 4 << 20).encode(into: $0.baseAddress!) }
                try data.socket.send(frame)
            }
        }
        // Only the control connection may remain.
        let deadline = MonotonicClock.nanos() + 4_000_000_000
        while target.server.activeConnections > 1, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 5_000_000) }
        #expect(target.server.activeConnections == 1, "the non-reading data connection is still served")
    }
}

/// What a peer can make the target allocate is what its hello announced (and the memory
/// budget counted), not `--max-frame`: a larger frame is refused from its header alone.
@Suite struct AnnouncedSizeTests {
    /// The error frame `socket` receives within `seconds`, and how long it took.
    static func errorFrame(on socket: Socket, within seconds: Double) throws -> (ErrorMessage, Double) {
        let started = MonotonicClock.nanos()
        try socket.setReceiveTimeout(seconds: seconds)
        let reader = FrameReader(socket: socket, maxPayload: 65536)
        let frame = try #require(try reader.next(), "an error frame, not the end")
        #expect(frame.header.type == .error)
        return (ErrorMessage(errorFrame: frame), Double(MonotonicClock.nanos() - started) / 1e9)
    }

    @Test func aHelloAnnouncingMegabytesIsRefusedFromItsHeader() throws {
        // The hello deadline is long: a target that buffers what the header announces waits
        // for the bytes (up to --max-frame, 4 MiB, per connection) until it, then says "timeout".
        let target = try InProcessServer { $0.helloTimeoutSeconds = 4 }
        defer { target.stop() }
        let socket = try Socket.connect(to: target.endpoint)
        defer { socket.close() }
        try socket.send(TargetServerTests.header(.hello, length: 1 << 20) + [UInt8](repeating: 0x7B, count: 1000))
        let (message, elapsed) = try Self.errorFrame(on: socket, within: 8)
        #expect(message.code == "frame_too_large", "\(message)")
        #expect(message.message.contains("65536"), "names the control limit: \(message)")
        #expect(elapsed < 2, "answered after \(elapsed) s: it waited for the announced bytes")
        let m = try CaseRunner.run(Specs.rr(stop: .messages(20)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 20)
    }

    @Test(arguments: [false, true])
    func aRequestLargerThanItsCaseAnnouncedIsRefused(seqpacket: Bool) throws {
        let target = try InProcessServer(seqpacket: seqpacket) { $0.idleTimeoutSeconds = 4 }
        defer { target.stop() }
        let spec = Specs.rr("small", request: 100, response: 100, stop: .messages(10))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 31, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 31, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        // The case announced 100-byte requests; this one says 128 KiB (within --max-frame).
        let length = 128 << 10
        if seqpacket {
            // The whole frame in one packet: a target whose buffer takes --max-frame reads it as a request.
            var packet = [UInt8](repeating: 0x42, count: FrameHeader.size + length)
            packet.withUnsafeMutableBytes { FrameHeader(type: .request, length: length, aux: 100).encode(into: $0.baseAddress!) }
            try packet.withUnsafeBytes { try data.socket.sendMessage($0.baseAddress!, count: $0.count) }
        } else {
            var header = [UInt8](repeating: 0, count: FrameHeader.size)
            header.withUnsafeMutableBytes { FrameHeader(type: .request, length: length, aux: 100).encode(into: $0.baseAddress!) }
            try data.socket.send(header + [UInt8](repeating: 0x42, count: 1000))
        }
        let (message, elapsed) = try Self.errorFrame(on: data.socket, within: 8)
        #expect(message.code == "frame_too_large", "\(message)")
        #expect(elapsed < 2, "answered after \(elapsed) s")
        #expect(target.log.entries("malformed frame; closing", atLeast: .warning).count == 1, "\(target.log.all)")
        // The server goes on: a new case runs verified.
        let m = try CaseRunner.run(Specs.rr(stop: .messages(20)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 20)
    }

    /// masked + normalize: the driver pads each fragment to a multiple of the unit, so the
    /// limit the case announces must count the padding (128 KiB frames from 8 KiB requests).
    @Test(arguments: [false, true])
    func aMaskedCaseThatPadsItsFramesIsServed(seqpacket: Bool) throws {
        let target = try InProcessServer(mode: .agent, seqpacket: seqpacket)
        defer { target.stop() }
        let spec = Specs.masked(sizes: .fixed(8192), exchange: Exchange(strategy: .normalize(size: 128 << 10)), stop: .messages(10))
        #expect(spec.limitProblems(maxFrame: 4 << 20).isEmpty)
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        #expect(m.workers.map(\.messages) == [10])
    }
}
