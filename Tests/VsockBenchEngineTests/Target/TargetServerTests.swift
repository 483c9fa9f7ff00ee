import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// `TargetServer` in this process: a misbehaving connection gets an error frame and a log line
/// (never payload bytes), ends, and leaves the server serving; timeouts and limits hold; a stop
/// ends every connection.
@Suite struct TargetServerTests {
    /// Connects, sends `bytes` (if any), and returns the error frame the target answers with;
    /// nil when it closes without one.
    static func answer(to bytes: [UInt8], at endpoint: Endpoint) throws -> ErrorMessage? {
        let socket = try Socket.connect(to: endpoint)
        defer { socket.close() }
        try socket.setReceiveTimeout(seconds: 5)
        if !bytes.isEmpty { try socket.send(bytes) }
        let reader = FrameReader(socket: socket, maxPayload: 1 << 20)
        guard let frame = try reader.next() else { return nil }
        #expect(frame.header.type == .error)
        return ErrorMessage(errorFrame: frame)
    }

    static func header(_ type: FrameType, length: Int = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: FrameHeader.size)
        bytes.withUnsafeMutableBytes { FrameHeader(type: type, length: length).encode(into: $0.baseAddress!) }
        return bytes
    }

    @Test func badConnectionsAreAnsweredLoggedAndTheServerKeepsServing() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        // A request before any hello.
        #expect(try Self.answer(to: Self.header(.request), at: target.endpoint)?.code == "expected_hello")
        // Bytes that are not a frame at all.
        #expect(try Self.answer(to: [UInt8](repeating: 0xAB, count: 64), at: target.endpoint)?.code == "bad_magic")
        // A hello that is not JSON.
        let notJSON = try Self.answer(to: Self.header(.hello, length: 4) + Array("nope".utf8), at: target.endpoint)
        #expect(notJSON?.code == "bad_control")
        #expect(notJSON?.message == "cannot read the hello: not valid JSON", "\(String(describing: notJSON))")
        // Half a hello, then gone.
        do {
            let socket = try Socket.connect(to: target.endpoint)
            try socket.send(Array(ControlCodec.frame(.hello, CaseHello(role: .control, session: 1, connection: 0, spec: WireCase(Specs.rr()), driver: .current())).prefix(40)))
            socket.close()
        }
        // A data connection for a session nobody opened.
        do {
            _ = try DriverConnection.open(to: target.endpoint, role: .data, session: 0xDEAD, spec: Specs.rr(), timeoutSeconds: 5)
            Issue.record("a data connection joined an unknown session")
        } catch {
            guard case let .rejected(message) = error else { throw error }
            #expect(message.code == "unknown_session")
        }

        let m = try CaseRunner.run(Specs.rr(stop: .messages(50)), options: target.options())
        BothSides.expectExactAgreement(m, messages: 50)

        #expect(target.log.entries("bad hello", atLeast: .warning).map { $0.metadata["code"] }.contains("expected_hello"), "\(target.log.all)")
        #expect(target.log.entries("malformed frame; closing", atLeast: .warning).first?.metadata["code"] == "bad_magic", "\(target.log.all)")
        #expect(target.log.entries("data connection for an unknown session", atLeast: .warning).count == 1, "\(target.log.all)")
    }

    /// A session belongs to its control connection: a second control hello with a live id is
    /// refused (the live session keeps working); data indexes outside the case are refused.
    @Test func sessionsCannotBeTakenOverNorTheirIndexesForged() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        var spec = Specs.rr(stop: .messages(20))
        spec.connections = 2
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 77, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        func refusal(_ role: ConnectionRole, index: Int = 0) -> String? {
            do {
                let c = try DriverConnection.open(to: target.endpoint, role: role, session: 77, connection: index, spec: spec, timeoutSeconds: 5)
                c.socket.close()
                return nil
            } catch {
                if case let .rejected(message) = error { return message.code }
                return "\(error)"
            }
        }
        #expect(refusal(.control) == "session_in_use")
        #expect(refusal(.data, index: -5) == "bad_connection")
        #expect(refusal(.data, index: 2) == "bad_connection")
        #expect(refusal(.data, index: 1_000_000_000_000_000) == "bad_connection")
        // The live session still takes its own data connection and answers its mark.
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 77, connection: 1, spec: spec, timeoutSeconds: 5)
        data.socket.close()
        try control.send(ControlCodec.emptyFrame(.mark))
        _ = try control.expect(.ack)
    }

    @Test func aSilentConnectionIsDroppedAfterTheHelloTimeout() throws {
        let target = try InProcessServer { $0.helloTimeoutSeconds = 0.2 }
        defer { target.stop() }
        let message = try Self.answer(to: [], at: target.endpoint)
        #expect(message?.code == "timeout", "\(String(describing: message))")
        #expect(target.log.entries("no hello in time; closing", atLeast: .warning).count == 1, "\(target.log.all)")
    }

    @Test func anIdleDataConnectionIsDroppedWithATimeoutFrame() throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.2 }
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 5, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 5, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        do {
            _ = try data.expect(.response)
            Issue.record("an idle connection got a response")
        } catch {
            guard case let .rejected(message) = error else { throw error }
            #expect(message.code == "timeout")
        }
        // The control connection, silent too, with no data connection open any more, is
        // closed after the idle timeout with the same frame.
        do {
            _ = try control.expect(.stats)
            Issue.record("an idle control connection got stats")
        } catch {
            guard case let .rejected(message) = error else { throw error }
            #expect(message.code == "timeout", "\(message)")
        }
    }

    /// The driver says nothing on the control connection from the mark to the stats request:
    /// a case that runs longer than --idle-timeout keeps its control connection and its stats
    /// (they were lost: the control connection was dropped like an idle data connection).
    /// The timeout leaves a loaded machine time to open the data connections (the control
    /// connection counts as idle until one is open), and the case is longer than it.
    @Test(arguments: [Specs.rr(stop: .duration(nanos: 1_600_000_000)), Specs.stream(direction: .tx, stop: .duration(nanos: 1_600_000_000))])
    func aCaseLongerThanTheIdleTimeoutKeepsItsStats(spec: CaseSpec) throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 1 }
        defer { target.stop() }
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        let stats = try #require(m.target, "the target's stats came back")
        #expect(stats.errors.isEmpty, "\(stats.errors)")
        #expect(stats.wallSeconds > 1.2, "the target measured the case's whole interval: \(stats.wallSeconds)s")
        #expect(target.log.entries("control connection idle too long with no data connection open; closing", atLeast: .warning).isEmpty)
    }

    @Test func connectionsBeyondTheLimitAreRefusedUntilOneEnds() throws {
        let target = try InProcessServer { $0.maxConnections = 1 }
        defer { target.stop() }
        let spec = Specs.rr()
        let first = try DriverConnection.open(to: target.endpoint, role: .control, session: 1, spec: spec, timeoutSeconds: 5)
        #expect(try Self.answer(to: [], at: target.endpoint)?.code == "busy")
        #expect(target.log.entries("connection refused: at --max-connections", atLeast: .warning).count == 1)
        first.socket.close()
        #expect(target.waitUntilIdle() == 0)
        let second = try DriverConnection.open(to: target.endpoint, role: .control, session: 2, spec: spec, timeoutSeconds: 5)
        second.socket.close()
    }

    @Test func statsWaitForUnfinishedDataConnectionsOnlySoLong() throws {
        let target = try InProcessServer { $0.finishTimeoutNanos = 100_000_000 }
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 9, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 9, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        try control.send(ControlCodec.emptyFrame(.mark))
        _ = try control.expect(.ack)
        try control.send(ControlCodec.emptyFrame(.statsRequest))
        let frame = try control.expect(.stats)
        let stats = try ControlCodec.decode(TargetStats.self, from: frame.payload)
        #expect(stats.errors == ["not every data connection finished within 0.1s"])
        #expect(stats.connections.map(\.index) == [0])
        #expect(stats.messages == 0)
    }

    /// A stats request on a session no data connection joined is answered at once, not after
    /// the finish timeout (a hostile peer asking again and again held a thread polling for it).
    @Test func statsForASessionNoDataConnectionJoinedComeAtOnce() throws {
        let target = try InProcessServer { $0.finishTimeoutNanos = 5_000_000_000 }
        defer { target.stop() }
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 12, spec: Specs.rr(connections: 2), timeoutSeconds: 5)
        defer { control.socket.close() }
        for _ in 0..<3 {
            let started = MonotonicClock.nanos()
            try control.send(ControlCodec.emptyFrame(.statsRequest))
            let stats = try ControlCodec.decode(TargetStats.self, from: try control.expect(.stats).payload)
            let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
            #expect(elapsed < 1, "answered after \(elapsed) s; the finish timeout is 5 s")
            #expect(stats.errors == ["2 of the case's 2 data connections never connected"])
        }
    }

    /// The wait for an open data connection lasts no longer than the idle timeout, however long
    /// the finish timeout: a control connection is not held past it by its own stats request.
    @Test func statsWaitNoLongerThanTheIdleTimeout() throws {
        let target = try InProcessServer { $0.finishTimeoutNanos = 8_000_000_000; $0.idleTimeoutSeconds = 0.3 }
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 13, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 13, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        let started = MonotonicClock.nanos()
        try control.send(ControlCodec.emptyFrame(.statsRequest))
        let stats = try ControlCodec.decode(TargetStats.self, from: try control.expect(.stats).payload)
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(elapsed < 3, "answered after \(elapsed) s; the idle timeout is 0.3 s")
        #expect(stats.errors.first == "not every data connection finished within 0.3s", "\(stats.errors)")
    }

    /// The wait ends when the last open data connection finishes, not at a poll; a finish
    /// timeout of "forever" with no idle timeout waits as long (its deadline used to wrap past
    /// the clock's range, and the stats came at once with "not every data connection finished").
    @Test(arguments: [(8_000_000_000, 10.0), (UInt64.max, 0.0)])
    func statsComeWhenTheLastDataConnectionFinishes(finish: UInt64, idle: Double) throws {
        let target = try InProcessServer { $0.finishTimeoutNanos = finish; $0.idleTimeoutSeconds = idle }
        defer { target.stop() }
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 14, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 14, spec: spec, timeoutSeconds: 5)
        try control.send(ControlCodec.emptyFrame(.statsRequest))
        MonotonicClock.sleep(nanos: 200_000_000)
        let started = MonotonicClock.nanos()
        data.socket.close()
        let stats = try ControlCodec.decode(TargetStats.self, from: try control.expect(.stats).payload)
        let elapsed = Double(MonotonicClock.nanos() - started) / 1e9
        #expect(elapsed < 2, "answered \(elapsed) s after the data connection closed")
        #expect(stats.connections.map(\.index) == [0])
        #expect(!stats.errors.contains { $0.hasPrefix("not every") }, "\(stats.errors)")
    }

    @Test func aControlConnectionRefusesFramesItDoesNotTake() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 11, spec: Specs.rr(), timeoutSeconds: 5)
        defer { control.socket.close() }
        try control.send(ControlCodec.emptyFrame(.bye))
        do {
            _ = try control.expect(.ack)
            Issue.record("a bye on the control connection was acknowledged")
        } catch {
            guard case let .rejected(message) = error else { throw error }
            #expect(message.code == "unexpected_frame")
        }
    }

    @Test func stopEndsConnectionsStillOpen() throws {
        let target = try InProcessServer()
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 3, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 3, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        #expect(target.server.activeConnections == 2)
        // serve() shuts their sockets down and returns; the fixture checks nothing is left.
        // The control connection is told why (shutting_down), then ends.
        target.stop(expectingIdle: false)
        let last = try control.reader.next()
        #expect(last?.header.type == .error)
        #expect(last.map { ErrorMessage(errorFrame: $0).code } == "shutting_down")
        #expect(try control.reader.next() == nil)
    }
}
