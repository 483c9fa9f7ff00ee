import Logging
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The control connection of one case: opens the session, marks the measured interval, and
/// answers the stats request once the data connections have finished.
///
/// Its idle timeout counts only while no data connection of the session is open: the driver
/// says nothing on it from the mark to the stats request, however long the case runs, and a
/// case longer than `--idle-timeout` must not lose its stats. A control connection whose
/// session has no open data connection (none connected yet, or all done without a stats
/// request) is closed after `--idle-timeout` with a `timeout` error frame, as a data
/// connection is; a peer holding it longer must keep a data connection busy, which is bounded
/// by that connection's own idle timeout and by `--max-connections`. Until the first data
/// connection of its session joins, it has twice `--hello-timeout` instead (from its ack).
struct ControlHandler {
    let socket: Socket
    let reader: FrameReader
    let server: TargetServer
    let sessions: SessionRegistry
    let logger: Logger

    func run(hello: CaseHello, spec: CaseSpec) {
        guard let session = sessions.open(id: hello.session, expectedConnections: spec.connections, announced: hello.spec) else {
            logger.warning("control hello for a live session refused", metadata: ["session": "\(hello.session)"])
            socket.sendErrorFrame(ErrorMessage(code: "session_in_use", message: "session \(hello.session) is already open on another control connection"))
            return
        }
        defer { sessions.close(session) }
        logger.info("case started", metadata: ["workload": "\(spec.kind.rawValue)", "connections": "\(spec.connections)", "driver_kernel": "\(Terminal.safe(hello.driver.kernel, limit: 128))"])
        do throws(ServeError) {
            try serve(session)
            if server.isStopping {
                stoppedByShutdown()
            } else {
                logger.info("case finished")
            }
        } catch {
            if server.isStopping, error.isEndOfInput {
                stoppedByShutdown()
                return
            }
            switch error {
            case let .refused(message):
                logger.warning("control connection failed", metadata: ["error": "\(message)"])
                socket.sendErrorFrame(message)
            case let .badFrame(frameError):
                logger.warning("malformed frame on the control connection; closing", metadata: ["code": "\(frameError.code)", "error": "\(frameError)"])
                socket.sendErrorFrame(ErrorMessage(code: frameError.code, message: frameError.description))
            case let .socket(systemError):
                if systemError.isTimeout {
                    let seconds = server.configuration.idleTimeoutSeconds
                    logger.warning("control connection idle too long with no data connection open; closing", metadata: ["timeout_s": "\(seconds)"])
                    socket.sendErrorFrame(ErrorMessage(code: "timeout", message: "no frame within \(seconds)s on the control connection, and no data connection of the case open"))
                } else {
                    logger.info("control connection lost", metadata: ["error": "\(systemError)"])
                }
            }
        }
    }

    /// The server's shutdown ended the control connection (its input, not the driver): said
    /// so at info level and in an error frame, which the driver reads in place of its stats.
    private func stoppedByShutdown() {
        logger.info("case stopped: the target is shutting down", metadata: ["end": "shutdown"])
        socket.sendErrorFrame(TargetServer.shuttingDown)
    }

    private func serve(_ session: Session) throws(ServeError) {
        let ack = HelloAck(target: HostFacts.current(), mode: server.configuration.mode.rawValue, maxFrame: server.configuration.maxFrame, socket: socket.effectiveOptions())
        try send(ControlCodec.frame(.ack, ack))
        let idle = server.configuration.idleTimeoutSeconds > 0 ? UInt64(server.configuration.idleTimeoutSeconds * 1e9) : nil
        // A driver opens its data connections right after this ack: until one joins, the
        // control connection has the hello timeout, not the idle timeout (250 control hellos
        // with no data connection held --max-connections' slots for 300 s).
        // Twice the hello timeout: the first data connection is accepted after this ack and has a
        // hello timeout of its own from there (and may wait to be accepted at the open-file limit).
        let joinWindow = UInt64(2 * server.configuration.helloTimeoutSeconds * 1e9)
        let joinBy = MonotonicClock.deadline(after: joinWindow)
        while true {
            let joined = session.registeredConnections > 0
            let idleDeadline = idle.map { MonotonicClock.deadline(after: $0) }
            let joinFirst = !joined && joinBy < (idleDeadline ?? .max)
            reader.deadline = joinFirst ? joinBy : idleDeadline
            let next: Frame?
            do { next = try reader.next() } catch {
                if case let .system(systemError) = error, systemError.isTimeout {
                    if session.hasOpenDataConnection { continue }
                    if joinFirst {
                        // One joined (and finished) meanwhile: the idle timeout from now on.
                        if session.registeredConnections > 0 { continue }
                        throw .refused(ErrorMessage(code: "timeout", message: "no data connection of the case joined within \(Quantities.formatDuration(joinWindow)) of its control connection (twice --hello-timeout)"))
                    }
                }
                throw ServeError(error)
            }
            guard let frame = next else { return }
            switch frame.header.type {
            case .mark:
                session.mark()
                try send(ControlCodec.emptyFrame(.ack))
            case .statsRequest:
                try send(ControlCodec.frame(.stats, stats(of: session, idle: idle)))
            default:
                throw .refused(ErrorMessage(code: "unexpected_frame", message: "control connections take mark and stats_request frames, not \(frame.header.type)"))
            }
        }
    }

    /// The session's stats, once its open data connections finished (the driver's byes are
    /// still being served when it asks): the wait sleeps until the last one finishes, and lasts
    /// no longer than `finishTimeoutNanos` nor the idle timeout. With no data connection open
    /// (none ever connected, or all done) the answer is immediate: a peer asking for stats on
    /// an empty session holds neither a CPU nor the connection.
    private func stats(of session: Session, idle: UInt64?) -> TargetStats {
        let wait = min(server.configuration.finishTimeoutNanos, idle ?? .max)
        let settled = session.waitUntilNoneOpen(deadline: MonotonicClock.deadline(after: wait))
        var stats = session.stats()
        if !settled {
            stats.errors.append("not every data connection finished within \(Double(wait) / 1e9)s")
        } else if case let missing = session.expectedConnections - session.registeredConnections, missing > 0 {
            stats.errors.append("\(missing) of the case's \(session.expectedConnections) data connections never connected")
        }
        return stats
    }

    private func send(_ bytes: [UInt8]) throws(ServeError) {
        try onSocket { () throws(SystemError) in try socket.send(bytes) }
    }
}
