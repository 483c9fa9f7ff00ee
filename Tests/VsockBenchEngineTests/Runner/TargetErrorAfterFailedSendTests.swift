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
}
