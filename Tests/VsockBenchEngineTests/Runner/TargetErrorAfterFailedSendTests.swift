#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// A target that drops a connection sends its reason (an error frame) and closes. A driver
/// caught inside a send then fails with EPIPE or ECONNRESET, while that frame waits in its
/// receive queue: the case names the target's reason, as when the frame is read in turn,
/// never a bare "Broken pipe" or "Connection reset by peer".
@Suite struct TargetErrorAfterFailedSendTests {
    static func isBareDisconnect(_ failure: String) -> Bool {
        failure.contains("Broken pipe") || failure.contains("reset by peer")
    }

    /// A 4 MiB request written a byte at a time cannot be complete within the target's frame
    /// deadline (0.3 s here): the target drops the connection with a `timeout` error frame
    /// while the driver is still writing the request. Stop-and-wait reads the frame itself;
    /// in a window the receiver reads it while the sender waits for it.
    @Test(arguments: [1, 4])
    func aRequestTheTargetGaveUpOnNamesItsTimeout(inflight: Int) throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.3 }
        defer { target.stop() }
        var spec = Specs.rr(request: 4 << 20, response: 64, exchange: Exchange(inflight: inflight, writeChunk: 1), stop: .messages(1))
        spec.warmupNanos = 0
        let m = try CaseRunner.run(spec, options: target.options())
        #expect(m.failures.first == "connection 0, request sequence 0: the target refused: no frame within 0.3s [timeout]", "\(m.failures)")
        #expect(!m.failures.contains(where: Self.isBareDisconnect), "\(m.failures)")
    }

    /// A control frame sent after the target dropped a silent control connection: the send
    /// fails (EPIPE), and the error is the target's `timeout`.
    @Test func aControlFrameSentAfterTheTargetDroppedTheConnectionNamesWhy() throws {
        let target = try InProcessServer { $0.idleTimeoutSeconds = 0.3 }
        defer { target.stop() }
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 11, spec: Specs.rr(), timeoutSeconds: 5)
        defer { control.socket.close() }
        // Silent, with no data connection of its case open: dropped after 0.3 s, and closed.
        #expect(target.waitUntilIdle() == 0)
        do {
            try control.send(ControlCodec.emptyFrame(.statsRequest))
            Issue.record("the send to a closed connection succeeded")
        } catch {
            guard case let .rejected(message) = error else {
                Issue.record("expected the target's reason, got: \(error)")
                return
            }
            #expect(message.code == "timeout", "\(message)")
            #expect(error.description.hasPrefix("the target refused: no frame within 0.3s on the control connection"), "\(error)")
        }
    }

    /// A tx stream whose target refuses it mid-stream (a stand-in target: acknowledges the
    /// hello, takes some bytes, sends an error frame and closes with the rest unread): the
    /// driver's write fails, and the case names the target's reason.
    @Test func aStreamTheTargetRefusedNamesItsReason() throws {
        var template = Array("/tmp/vsb-epipe-XXXXXX".utf8CString)
        let directory = try #require(mkdtemp(&template).map { String(cString: $0) })
        defer { rmdir(directory) }
        let listener = try Listener(endpoint: .unix(path: directory + "/t.sock"))
        let refusal = ErrorMessage(code: "stream_corrupt", message: "stream byte at offset 70000 is not the expected one")
        let standIn = NativeThread.spawn(name: "refusing-target") {
            guard let socket = try? listener.accept() else { return }
            defer { socket.close() }
            // A broken test must not hang here.
            try? socket.setReceiveTimeout(seconds: 5)
            let reader = FrameReader(socket: socket, maxPayload: ControlCodec.maxPayload)
            guard (try? reader.next())?.header.type == .hello else { return }
            let ack = HelloAck(target: .current(), mode: "echo", maxFrame: 4 << 20, socket: EffectiveSocketOptions())
            try? socket.send(ControlCodec.frame(.ack, ack))
            // Some of the stream, then the refusal; the driver's later writes are never read.
            var taken = reader.bufferedCount
            reader.drainBuffered { _ in }
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { scratch.deallocate() }
            while taken < 128 << 10, let n = try? socket.read(into: scratch, count: 64 << 10), n > 0 { taken += n }
            try? socket.send(ControlCodec.frame(.error, refusal))
        }
        defer {
            listener.stop()
            standIn.join()
            listener.close()
        }
        var spec = Specs.stream(direction: .tx, writeSize: 64 << 10, stop: .duration(nanos: 10_000_000_000))
        spec.warmupNanos = 0
        let connection = try DriverConnection.open(to: listener.endpoint, role: .data, session: 1, spec: spec, timeoutSeconds: 5)
        defer { connection.socket.close() }
        let control = RunControl()
        guard case let .stream(stream) = spec.workload else { return }
        _ = StreamDriver(connection: connection, stream: stream, index: 0, quotaBytes: nil, control: control,
                         pool: PayloadPool(seed: spec.seed, maxMessage: 64 << 10), meter: IntervalMeter(io: connection.socket.counters)).run()
        #expect(control.failures.first == "connection 0: the target reported: \(refusal)", "\(control.failures)")
        #expect(!control.failures.contains(where: Self.isBareDisconnect), "\(control.failures)")
    }
}
