import Logging
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The control connection of one case: opens the session, marks the measured interval, and
/// answers the stats request once the data connections have finished.
struct ControlHandler {
    let socket: Socket
    let reader: FrameReader
    let server: TargetServer
    let sessions: SessionRegistry
    let logger: Logger

    func run(hello: CaseHello) {
        let session = sessions.open(id: hello.session, expectedConnections: hello.spec.connections)
        defer { sessions.close(hello.session) }
        logger.info("case started", metadata: ["workload": "\(hello.spec.workload.rawValue)", "connections": "\(hello.spec.connections)", "driver_kernel": "\(hello.driver.kernel)"])
        do {
            let ack = HelloAck(target: HostFacts.current(), mode: server.configuration.mode.rawValue, maxFrame: server.configuration.maxFrame, socket: socket.effectiveOptions())
            try socket.send(ControlCodec.frame(.ack, ack))
            while let frame = try reader.next() {
                switch frame.header.type {
                case .mark:
                    session.mark()
                    try socket.send(ControlCodec.emptyFrame(.ack))
                case .statsRequest:
                    let deadline = MonotonicClock.nanos() + server.configuration.finishTimeoutNanos
                    while !session.allFinished, MonotonicClock.nanos() < deadline {
                        MonotonicClock.sleep(nanos: 1_000_000)
                    }
                    var stats = session.stats()
                    if !session.allFinished {
                        stats.errors.append("not every data connection finished within \(Double(server.configuration.finishTimeoutNanos) / 1e9)s")
                    }
                    try socket.send(ControlCodec.frame(.stats, stats))
                default:
                    throw ErrorMessage(code: "unexpected_frame", message: "control connections take mark and stats_request frames, not \(frame.header.type)")
                }
            }
            logger.info("case finished")
        } catch let error as ErrorMessage {
            logger.warning("control connection failed", metadata: ["error": "\(error)"])
            try? socket.send(ControlCodec.frame(.error, error))
        } catch {
            logger.info("control connection lost", metadata: ["error": "\(error)"])
        }
    }
}
