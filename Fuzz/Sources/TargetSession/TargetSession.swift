#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The whole target (`TargetServer`, `--mode agent`, as `vsockbench serve` runs it) over a
/// Unix socket, fed by a hostile driver: one control connection and one data connection whose
/// bytes are the input. Hellos, sessions, the echo, agent and stream handlers, the batching
/// sinks, error frames and logging all run on the server's own threads.
///
/// Input: bytes 0-1 the length C of the control connection's bytes (big-endian), the next C
/// bytes sent on the control connection, the rest on the data connection. The harness sends
/// the control bytes; when they start with a whole hello frame it waits for the target's first
/// answer (so that a session exists), else it half-closes at once. Then it opens the data
/// connection, sends its bytes, half-closes, reads everything the target sends until the
/// target closes, and finally half-closes the control connection and reads it to the end.
///
/// The target runs as `serve` would with `--max-frame 16KiB --max-memory 16MiB
/// --hello-timeout 5 --idle-timeout 5` (`HarnessTarget`).
///
/// Checks: the target closes each connection within 5 s of the driver's half-close, and
/// frees its connection slots within 5 s after that; what it sends is whole frames (a stream
/// case's bytes after its ack excepted) of the types a target sends, each error frame's JSON
/// reads as `{code, message}`, and responses, echo and agent alike, stay within `--max-frame`
/// (the agent bounds a response before building it: an amplifying request gets
/// `bad_request`); a data connection whose case needs more than `--max-memory` for the
/// buffers its hello sizes (a stream source's `write_size`, a coalesce or writer_thread
/// `max_bytes`) is never acked (`over_budget`); it sends no more than 64 MiB on a data
/// connection after the driver half-closed. ASan and libFuzzer's memory limits (no allocation
/// over 64 MB) watch the rest.
///
/// Every input is served, with one exception that is a limit of the harness, not a problem of
/// the target: a case whose `target_cost` could keep the target busy for more than a second on
/// the input's requests is skipped (`SlowTarget`: it would outlast the per-input timeout, and
/// slow batches would leave the 5 s reads empty).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTargetSession(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let controlLength = Int(input.uint16())
    let rest = input.rest()
    let control = UnsafeRawBufferPointer(rebasing: rest.prefix(controlLength))
    let dataBytes = UnsafeRawBufferPointer(rebasing: rest.dropFirst(controlLength))
    let controlHello = WholeHello(control)
    let dataHello = WholeHello(dataBytes)
    if SlowTarget.skips(dataHello, dataBytes: dataBytes.count) { return -1 }

    let server = HarnessTarget.shared
    let maxFrame = server.configuration.maxFrame
    let controlSocket = connect(server)
    defer { controlSocket.close() }
    send(control, on: controlSocket)
    var controlReader = ResponseReader(socket: controlSocket)
    if controlHello != nil {
        // The target answers a whole hello (ack or error) before the data connection needs
        // the session it opens.
        controlReader.readFirstFrame(what: "control")
    } else {
        controlSocket.shutdownWrite()
    }
    let dataSocket = connect(server)
    defer { dataSocket.close() }
    send(dataBytes, on: dataSocket)
    dataSocket.shutdownWrite()
    var dataReader = ResponseReader(socket: dataSocket)
    dataReader.readToEnd(what: "data", streamAfterAck: dataHello?.isStream ?? false, hello: dataHello, maxFrame: maxFrame)
    controlSocket.shutdownWrite()
    controlReader.readToEnd(what: "control", streamAfterAck: false, hello: controlHello, maxFrame: maxFrame)

    let deadline = MonotonicClock.nanos() + 5_000_000_000
    while server.activeConnections > 0, MonotonicClock.nanos() < deadline {
        usleep(200)
    }
    fuzzCheck(server.activeConnections == 0, "\(server.activeConnections) connection slot(s) still held 5 s after both peers closed")
    return 0
}

private func connect(_ server: TargetServer) -> Socket {
    do {
        let socket = try Socket.connect(to: server.endpoint, timesSyscalls: false)
        try socket.setReceiveTimeout(seconds: 5)
        try socket.setSendTimeout(seconds: 5)
        return socket
    } catch {
        fuzzCheck(false, "cannot connect to the target: \(error)")
        fatalError("unreachable")
    }
}

private func send(_ bytes: UnsafeRawBufferPointer, on socket: Socket) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    do {
        try socket.writeAll(base, count: bytes.count)
    } catch {
        // The target may close first (a refused hello); what it sent is read next.
        _ = error
    }
}
