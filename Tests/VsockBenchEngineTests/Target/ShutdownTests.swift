import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// The connections the server's own shutdown closes are its doing, not the peer's: logged at
/// info with `end=shutdown` (never a warning about a truncated frame or an end of stream), and
/// told so with a `shutting_down` error frame where the protocol has room for one.
@Suite struct ShutdownTests {
    /// The next frame on `socket`: the error frame's message, or nil for anything else.
    static func errorFrame(on socket: Socket) -> ErrorMessage? {
        try? socket.setReceiveTimeout(seconds: 5)
        let reader = FrameReader(socket: socket, maxPayload: ControlCodec.maxPayload)
        guard let frame = try? reader.next(), frame.header.type == .error else { return nil }
        return ErrorMessage(errorFrame: frame)
    }

    static func waitForConnections(_ target: InProcessServer, _ count: Int) {
        let deadline = MonotonicClock.nanos() + 5_000_000_000
        while target.server.activeConnections < count, MonotonicClock.nanos() < deadline {
            MonotonicClock.sleep(nanos: 2_000_000)
        }
    }

    @Test func aConnectionWaitingForItsHelloIsClosedAsShutdown() throws {
        let target = try InProcessServer()
        let socket = try Socket.connect(to: target.endpoint)
        defer { socket.close() }
        try socket.send(Array("VSKB".utf8))
        Self.waitForConnections(target, 1)
        target.stop(expectingIdle: false)
        #expect(Self.errorFrame(on: socket)?.code == "shutting_down")
        let warnings = target.log.all.filter { $0.level >= .warning }
        #expect(warnings.isEmpty, "\(warnings)")
        let closed = target.log.entries("connection closed before its hello: the target is shutting down", atLeast: .info)
        #expect(closed.count == 1 && closed.first?.metadata["end"] == "shutdown", "\(target.log.all)")
    }

    @Test func aRunningCaseIsStoppedAsShutdown() throws {
        let target = try InProcessServer()
        let spec = Specs.rr()
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 9, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 9, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        Self.waitForConnections(target, 2)
        target.stop(expectingIdle: false)
        #expect(Self.errorFrame(on: data.socket)?.code == "shutting_down")
        #expect(Self.errorFrame(on: control.socket)?.code == "shutting_down")
        let warnings = target.log.all.filter { $0.level >= .warning }
        #expect(warnings.isEmpty, "\(warnings)")
        let done = target.log.entries("data connection done")
        #expect(done.count == 1 && done.first?.metadata["end"] == "shutdown", "\(target.log.all)")
        #expect(target.log.entries("case stopped: the target is shutting down").count == 1, "\(target.log.all)")
        #expect(target.log.entries("case finished").isEmpty, "\(target.log.all)")
    }

    /// A stream's end of input at shutdown is not the driver's end of stream.
    @Test func aStreamIsEndedAsShutdown() throws {
        let target = try InProcessServer()
        let spec = Specs.stream(direction: .tx, stop: .messages(1000))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 10, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 10, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        Self.waitForConnections(target, 2)
        target.stop(expectingIdle: false)
        // tx: the target sends nothing after the ack but an error frame.
        #expect(Self.errorFrame(on: data.socket)?.code == "shutting_down")
        let done = target.log.entries("data connection done")
        #expect(done.count == 1 && done.first?.metadata["end"] == "shutdown", "\(target.log.all)")
        #expect(target.log.all.filter { $0.level >= .warning }.isEmpty, "\(target.log.all)")
    }

    /// An rx (or both) stream whose driver stopped reading: the target's source is blocked
    /// sending, and the server's stop ends it at once (it waited out the 1.5 s given to
    /// connections that can still send a shutting_down frame; an rx stream has no room for one).
    @Test(arguments: [StreamDirection.rx, .both]) func aStreamBlockedSendingEndsAtOnceAtShutdown(direction: StreamDirection) throws {
        let target = try InProcessServer()
        let spec = Specs.stream(direction: direction, writeSize: 64 * 1024, stop: .duration(nanos: 20_000_000_000))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 11, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 11, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        Self.waitForConnections(target, 2)
        // Nothing reads the data connection: the source fills the buffers and blocks.
        MonotonicClock.sleep(nanos: 300_000_000)
        let start = MonotonicClock.nanos()
        target.stop(expectingIdle: false)
        let seconds = Double(MonotonicClock.nanos() - start) / 1e9
        #expect(seconds < 1.0, "the server took \(seconds) s to stop")
        let done = target.log.entries("data connection done")
        #expect(done.count == 1 && done.first?.metadata["end"] == "shutdown", "\(target.log.all)")
        #expect(target.log.all.filter { $0.level >= .warning }.isEmpty, "\(target.log.all)")
    }

    @Test func theListeningLineNamesTheLocalCIDOnVsock() {
        let any = Endpoint.vsock(cid: Endpoint.vsockAnyCID, port: 5005)
        #expect(TargetServer.listeningLine(any, localCID: 16) == "listening on vsock://any:5005 (local CID 16)")
        #expect(TargetServer.listeningLine(any, localCID: nil) == "listening on vsock://any:5005")
        #expect(TargetServer.listeningLine(any, localCID: VsockSupport.noTransportCID) == "listening on vsock://any:5005")
        #expect(TargetServer.listeningLine(.unix(path: "/tmp/t.sock"), localCID: 16) == "listening on unix:///tmp/t.sock")
    }

    @Test func theStartLineSaysTheLimitsInForce() throws {
        let target = try InProcessServer { $0.maxConnections = 7; $0.maxMemory = 32 << 20 }
        let deadline = MonotonicClock.nanos() + 5_000_000_000
        while target.log.entries("listening").isEmpty, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 2_000_000) }
        target.stop()
        let line = target.log.entries("listening").first?.metadata ?? [:]
        #expect(line["max_connections"] == "7", "\(line)")
        #expect(line["max_memory"] == "\(32 << 20)", "\(line)")
        #expect(line["hello_timeout_s"] == "5.0" && line["idle_timeout_s"] == "10.0", "\(line)")
    }
}
