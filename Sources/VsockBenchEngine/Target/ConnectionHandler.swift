import Logging
import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// Serves one accepted connection: checks the peer, reads the hello, and hands the connection
/// to the control or workload handler. Every failure ends in an error frame (where the socket
/// still takes one), a log line without payload bytes, and a closed connection.
struct ConnectionHandler: Sendable {
    let id: Int
    let socket: Socket
    let server: TargetServer
    let sessions: SessionRegistry

    private var configuration: TargetConfiguration { server.configuration }

    func run() {
        var logger = server.logger
        logger[metadataKey: "conn"] = "\(id)"
        if let cid = socket.peerCID, !configuration.allowedCIDs.isEmpty, !configuration.allowedCIDs.contains(cid) {
            logger.warning("rejected peer", metadata: ["peer_cid": "\(cid)", "allowed": "\(configuration.allowedCIDs)"])
            sendError(ErrorMessage(code: "cid_not_allowed", message: "peer CID \(cid) is not in --allow-cid \(configuration.allowedCIDs.map(String.init).joined(separator: ","))"))
            return
        }
        logger.debug("accepted", metadata: socket.peerCID.map { ["peer_cid": "\($0)"] } ?? [:])
        do { try socket.setReceiveTimeout(seconds: configuration.helloTimeoutSeconds) } catch {
            logger.warning("cannot set the hello timeout; closing", metadata: ["error": "\(error)"])
            return
        }
        let reader = FrameReader(socket: socket, maxPayload: configuration.maxFrame, initialCapacity: 64 * 1024)
        let hello: CaseHello
        do {
            guard let frame = try reader.next() else {
                logger.debug("closed before hello")
                return
            }
            guard frame.header.type == .hello else {
                throw ErrorMessage(code: "expected_hello", message: "the first frame must be a hello, got \(frame.header.type)")
            }
            hello = try ControlCodec.decode(CaseHello.self, from: frame.payload)
            try validate(hello.spec)
        } catch let error as FrameReadError {
            fail(error, logger: logger)
            return
        } catch let error as ErrorMessage {
            logger.warning("bad hello", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
            sendError(error)
            return
        } catch {
            return
        }
        do { try socket.setReceiveTimeout(seconds: configuration.idleTimeoutSeconds) } catch {
            logger.warning("cannot set the idle timeout; closing", metadata: ["error": "\(error)"])
            return
        }
        logger[metadataKey: "case"] = "\(hello.spec.name)"
        logger[metadataKey: "session"] = "\(hello.session)"

        switch hello.role {
        case .control:
            ControlHandler(socket: socket, reader: reader, server: server, sessions: sessions, logger: logger).run(hello: hello)
        case .data:
            guard let session = sessions.find(hello.session) else {
                logger.warning("data connection for an unknown session")
                sendError(ErrorMessage(code: "unknown_session", message: "no control connection opened session \(hello.session)"))
                return
            }
            // The case's socket options apply to both sides (socket_buffer, nodelay, ...).
            if hello.spec.socket != SocketOptions() {
                do { try socket.apply(hello.spec.socket) } catch {
                    logger.warning("cannot apply the case's socket options", metadata: ["error": "\(error)"])
                }
            }
            let record = ConnectionRecord(index: hello.connection, io: socket.counters)
            guard session.register(record) else {
                logger.warning("data connection refused: duplicate index or too many connections", metadata: ["index": "\(hello.connection)"])
                sendError(ErrorMessage(code: "bad_connection", message: "session \(hello.session) already has data connection \(hello.connection), or all \(session.expectedConnections) it announced"))
                return
            }
            logger.info("data connection", metadata: ["workload": "\(hello.spec.workload.rawValue)", "index": "\(hello.connection)"])
            let ack = HelloAck(target: HostFacts.current(), mode: configuration.mode.rawValue, maxFrame: configuration.maxFrame, socket: socket.effectiveOptions())
            do {
                try socket.send(ControlCodec.frame(.ack, ack))
                let result = try serveData(hello: hello, reader: reader, record: record)
                logger.info("data connection done", metadata: ["messages": "\(record.messages.load(ordering: .relaxed))", "end": "\(result)"])
            } catch let error as FrameReadError {
                record.error.withLock { $0 = error.description }
                fail(error, logger: logger)
            } catch let error as ErrorMessage {
                record.error.withLock { $0 = error.description }
                logger.warning("connection failed", metadata: ["code": "\(error.code)", "error": "\(error.message)"])
                sendError(error)
            } catch {
                record.error.withLock { $0 = "\(error)" }
                logger.warning("connection failed", metadata: ["error": "\(error)"])
            }
            record.finished.store(true, ordering: .releasing)
        }
    }

    private func serveData(hello: CaseHello, reader: FrameReader, record: ConnectionRecord) throws -> String {
        switch hello.spec.workload {
        case .rr:
            let responder = EchoResponder(spec: hello.spec, maxFrame: configuration.maxFrame, fault: configuration.fault)
            return try RequestHandler(socket: socket, reader: reader, record: record, responder: responder).run(spec: hello.spec)
        case .masked:
            return try RequestHandler(socket: socket, reader: reader, record: record, responder: AgentResponder()).run(spec: hello.spec)
        case .stream:
            return try StreamTargetHandler(socket: socket, reader: reader, record: record, spec: hello.spec, fault: configuration.fault).run()
        }
    }

    /// The target refuses cases it cannot serve before any data moves: a hello is a peer's
    /// word, checked against the same bounds as a scenario file and against this target.
    private func validate(_ spec: CaseSpec) throws(ErrorMessage) {
        let problems = spec.limitProblems(maxFrame: configuration.maxFrame)
        if let first = problems.first {
            throw ErrorMessage(code: "bad_case", message: "the case is outside what this target serves: \(first)")
        }
        if spec.workload == .masked, configuration.mode != .agent {
            throw ErrorMessage(code: "wrong_mode", message: "masked cases need a target in agent mode (vsockbench serve --mode agent); this one runs --mode \(configuration.mode.rawValue)")
        }
    }

    private func fail(_ error: FrameReadError, logger: Logger) {
        switch error {
        case let .frame(frameError):
            logger.warning("malformed frame; closing", metadata: ["code": "\(frameError.code)", "error": "\(frameError)"])
            sendError(ErrorMessage(code: frameError.code, message: frameError.description))
        case let .system(systemError):
            if systemError.isTimeout {
                logger.warning("no hello in time; closing", metadata: ["timeout_s": "\(configuration.helloTimeoutSeconds)"])
                sendError(ErrorMessage(code: "timeout", message: "no frame within \(configuration.helloTimeoutSeconds)s"))
            } else {
                logger.info("connection lost", metadata: ["error": "\(systemError)"])
            }
        }
    }

    /// Best effort: the peer may already be gone.
    private func sendError(_ message: ErrorMessage) {
        try? socket.setSendTimeout(seconds: 1)
        try? socket.send(ControlCodec.frame(.error, message))
        socket.shutdownWrite()
    }
}
