import Logging
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// Serves one accepted connection: checks the peer, reads the hello, and hands the connection
/// to the control or workload handler. Every failure ends in an error frame (where the socket
/// still takes one), a log line without payload bytes, and a closed connection.
struct ConnectionHandler: Sendable {
    let id: Int
    let socket: Socket
    let server: TargetServer
    let sessions: SessionRegistry

    private var configuration: TargetConfiguration { server.configuration }

    /// What a connection holds from its accept, whatever it turns out to be: its thread, and
    /// the hello's buffer a peer can fill (up to the control limit, 64 KiB). Measured with a
    /// thousand half-sent 64 KiB hellos: about 83 KiB of RSS each (release build). The budget
    /// takes it at the accept and gives it back when the connection's thread ends.
    static let baseMemory = 96 << 10

    /// Serves the connection; returns the memory it reserved from the budget (0 if none), once
    /// every buffer of it is freed, so the caller can return large ones to the system.
    @discardableResult
    func run() -> Int {
        var logger = server.logger
        logger[metadataKey: "conn"] = "\(id)"
        if let cid = socket.peerCID, !configuration.allowedCIDs.isEmpty, !configuration.allowedCIDs.contains(cid) {
            logger.warning("rejected peer", metadata: ["peer_cid": "\(cid)", "allowed": "\(configuration.allowedCIDs)"])
            sendError(ErrorMessage(code: "cid_not_allowed", message: "peer CID \(cid) is not in --allow-cid \(configuration.allowedCIDs.map(String.init).joined(separator: ","))"))
            return 0
        }
        logger.debug("accepted", metadata: socket.peerCID.map { ["peer_cid": "\($0)"] } ?? [:])
        // Deadlines, not per-read timeouts: the whole hello within --hello-timeout of the
        // accept; afterwards a complete frame within --idle-timeout of the last, and every send
        // within it too (a peer that stops reading loses its connection, threads and buffers).
        do {
            try socket.setReceiveTimeout(seconds: configuration.helloTimeoutSeconds)
            try socket.setSendTimeout(seconds: configuration.idleTimeoutSeconds)
        } catch {
            logger.warning("cannot set the connection's timeouts; closing", metadata: ["error": "\(error)"])
            return 0
        }
        // A hello is a control frame: no larger than the control limit, whatever --max-frame
        // allows (a peer announcing megabytes of hello is refused from the header, before a
        // byte of it is buffered); a data connection's limit follows from its case.
        let reader = FrameReader(socket: socket, maxPayload: min(configuration.maxFrame, ControlCodec.maxPayload), initialCapacity: 64 * 1024)
        reader.deadline = MonotonicClock.nanos() &+ UInt64(configuration.helloTimeoutSeconds * 1e9)
        let hello: CaseHello
        let spec: CaseSpec
        do throws(ServeError) {
            guard let read = try readHello(reader) else {
                if server.isStopping {
                    closedByShutdown(logger: logger)
                } else {
                    logger.debug("closed before hello")
                }
                return 0
            }
            (hello, spec) = read
        } catch {
            if server.isStopping, error.isEndOfInput {
                closedByShutdown(logger: logger)
            } else {
                report(error, phase: "hello", logger: logger)
            }
            return 0
        }
        // A data connection's reads are bounded by the read watchdog; a control connection's
        // by its own deadline (ControlHandler), as its silence is expected while the case runs.
        if hello.role == .data {
            do { try socket.watchReads(seconds: configuration.idleTimeoutSeconds) } catch {
                logger.warning("cannot set the idle timeout; closing", metadata: ["error": "\(error)"])
                return 0
            }
        }
        reader.deadline = nil
        reader.frameTimeoutNanos = UInt64(configuration.idleTimeoutSeconds * 1e9)
        logger[metadataKey: "case"] = "\(Terminal.safe(spec.name))"
        logger[metadataKey: "session"] = "\(hello.session)"

        switch hello.role {
        case .control:
            ControlHandler(socket: socket, reader: reader, server: server, sessions: sessions, logger: logger).run(hello: hello, spec: spec)
            return 0
        case .data:
            return serveData(hello: hello, spec: spec, reader: reader, logger: logger)
        }
    }

    /// The hello and the case it announces, validated; nil when the peer closed first.
    private func readHello(_ reader: FrameReader) throws(ServeError) -> (CaseHello, CaseSpec)? {
        let next: Frame?
        do { next = try reader.next() } catch { throw ServeError(error) }
        guard let frame = next else { return nil }
        guard frame.header.type == .hello else {
            throw .refused(ErrorMessage(code: "expected_hello", message: "the first frame must be a hello, got \(frame.header.type)"))
        }
        let hello: CaseHello
        do { hello = try ControlCodec.decode(CaseHello.self, from: frame.payload) } catch { throw .refused(error) }
        guard let spec = hello.spec.spec else {
            throw .refused(ErrorMessage(code: "bad_case", message: "the hello's \(hello.spec.workload.rawValue) case lacks its workload's fields"))
        }
        try validate(spec)
        return (hello, spec)
    }

    /// A data connection: joins its session, then serves the workload until the driver's bye
    /// (or the end of the stream).
    /// Returns the memory it reserved (0 when refused before the budget took any).
    private func serveData(hello: CaseHello, spec: CaseSpec, reader: FrameReader, logger: Logger) -> Int {
        guard let session = sessions.find(hello.session) else {
            logger.warning("data connection for an unknown session")
            sendError(ErrorMessage(code: "unknown_session", message: "no control connection opened session \(hello.session)"))
            return 0
        }
        if let mismatch = session.mismatch(hello.spec) {
            logger.warning("data connection refused: not its session's case")
            sendError(ErrorMessage(code: "bad_case", message: mismatch))
            return 0
        }
        // Nothing is allocated for a case the memory budget cannot hold, and no buffer the
        // case asks of the kernel is granted before it is counted.
        let need = spec.targetMemoryPerConnection(maxFrame: configuration.maxFrame, vsock: configuration.listen.isVsock)
        // The accept already took `baseMemory` (its thread and hello buffer, inside `need`'s
        // fixed share): the rest now.
        let more = max(need - Self.baseMemory, 0)
        guard server.budget.reserve(more) else {
            let left = server.budget.left
            logger.warning("data connection refused: over the memory budget", metadata: ["need": "\(need)", "left": "\(left)"])
            sendError(ErrorMessage(code: "over_budget", message: "this case needs about \(Quantities.formatSize(need)) per data connection; \(Quantities.formatSize(max(left, 0))) of this target's --max-memory \(Quantities.formatSize(server.budget.limit)) is left"))
            return 0
        }
        defer { server.budget.release(more) }
        // The case's socket options apply to both sides (socket_buffer, nodelay, ...).
        if spec.socket != SocketOptions() {
            do { try socket.apply(spec.socket) } catch {
                logger.warning("cannot apply the case's socket options", metadata: ["error": "\(error)"])
            }
        }
        reader.limit(toPayload: spec.largestRequestPayload(maxFrame: configuration.maxFrame))
        let record = ConnectionRecord(index: hello.connection, io: socket.counters, workload: spec.workload)
        guard session.register(record) else {
            logger.warning("data connection refused: duplicate index or too many connections", metadata: ["index": "\(hello.connection)"])
            sendError(ErrorMessage(code: "bad_connection", message: "session \(hello.session) has data connections 0..<\(session.expectedConnections); \(hello.connection) is outside them or already connected"))
            // Nothing was allocated for it: no trim (a peer repeating it would trigger one each).
            return 0
        }
        logger.info("data connection", metadata: ["workload": "\(spec.kind.rawValue)", "index": "\(hello.connection)"])
        let ack = HelloAck(target: HostFacts.current(), mode: configuration.mode.rawValue, maxFrame: configuration.maxFrame, socket: socket.effectiveOptions())
        do throws(ServeError) {
            var end = try serve(spec, reader: reader, record: record) { () throws(ServeError) in
                try onSocket { () throws(SystemError) in try socket.send(ControlCodec.frame(.ack, ack)) }
            }
            // The input ended because the server is stopping (not the peer's end of stream):
            // said so, to the peer too where its direction still carries frames.
            if server.isStopping, end != "bye" {
                end = "shutdown"
                if Self.takesErrorFrame(spec) { sendError(TargetServer.shuttingDown) }
            }
            logger.info("data connection done", metadata: ["messages": "\(record.meter.total.messages)", "end": "\(end)"])
        } catch {
            if server.isStopping, error.isEndOfInput {
                record.error.withLock { $0 = TargetServer.shuttingDown.message }
                logger.info("data connection done", metadata: ["messages": "\(record.meter.total.messages)", "end": "shutdown"])
                if Self.takesErrorFrame(spec) { sendError(TargetServer.shuttingDown) }
            } else {
                record.error.withLock { $0 = error.description }
                report(error, phase: "data", logger: logger)
            }
        }
        session.finish(record)
        return need
    }

    /// Serves the case; `acknowledge` sends the ack, before the first frame is read (a stream
    /// sends it once its threads run).
    private func serve(_ spec: CaseSpec, reader: FrameReader, record: ConnectionRecord, acknowledge: () throws(ServeError) -> Void) throws(ServeError) -> String {
        switch spec.workload {
        case let .rr(rr):
            try acknowledge()
            let responder = EchoResponder(workload: rr, seed: spec.seed, maxFrame: configuration.maxFrame, fault: configuration.fault)
            return try RequestHandler(socket: socket, reader: reader, record: record, responder: responder, queuedRequestLimit: max(rr.exchange.inflight, 1)).run(exchange: rr.exchange, shape: rr.exchange.writeShape)
        case let .masked(masked):
            try acknowledge()
            return try RequestHandler(socket: socket, reader: reader, record: record, responder: AgentResponder(maxPayload: configuration.maxFrame), queuedRequestLimit: max(masked.exchange.inflight, 1)).run(exchange: masked.exchange, shape: masked.exchange.writeShape)
        case let .stream(stream):
            let server = server
            return try StreamTargetHandler(socket: socket, reader: reader, record: record, stream: stream, seed: spec.seed, fault: configuration.fault,
                                           serverStopping: { server.isStopping }).run(acknowledge: acknowledge)
        case .replay:
            // A hello never carries one (WireCase has no replay section); refused all the same.
            throw .refused(ErrorMessage(code: "bad_hello", message: "a replay case drives a service that is not vsockbench; vsockbench serve does not serve it"))
        }
    }

    /// The target refuses cases it cannot serve before any data moves: a hello is a peer's
    /// word, checked against the same bounds as a scenario file and against this target.
    private func validate(_ spec: CaseSpec) throws(ServeError) {
        let problems = spec.limitProblems(maxFrame: configuration.maxFrame)
        if let first = problems.first {
            throw .refused(ErrorMessage(code: "bad_case", message: "the case is outside what this target serves: \(first)"))
        }
        if socket.isMessageOriented, let problem = spec.messageTransportProblems().first {
            throw .refused(ErrorMessage(code: "not_on_seqpacket", message: "this target listens on \(configuration.listen.transportName): \(problem)"))
        }
        if spec.kind == .masked, configuration.mode != .agent {
            throw .refused(ErrorMessage(code: "wrong_mode", message: "masked cases need a target in agent mode (vsockbench serve --mode agent); this one runs --mode \(configuration.mode.rawValue)"))
        }
    }

    /// Logs why the connection ends (never payload bytes) and answers with an error frame
    /// where one can still go.
    private func report(_ error: ServeError, phase: String, logger: Logger) {
        switch error {
        case let .refused(message):
            logger.warning(phase == "hello" ? "bad hello" : "connection refused a request", metadata: ["code": "\(Terminal.safe(message.code))", "error": "\(Terminal.safe(message.message))"])
            sendError(message)
        case let .badFrame(frameError):
            logger.warning("malformed frame; closing", metadata: ["code": "\(frameError.code)", "error": "\(frameError)"])
            sendError(ErrorMessage(code: frameError.code, message: frameError.description))
        case let .socket(systemError):
            if systemError.isTimeout {
                let seconds = phase == "hello" ? configuration.helloTimeoutSeconds : configuration.idleTimeoutSeconds
                logger.warning(phase == "hello" ? "no hello in time; closing" : "idle too long; closing", metadata: ["timeout_s": "\(seconds)"])
                sendError(ErrorMessage(code: "timeout", message: "no frame within \(seconds)s"))
            } else {
                logger.info("connection lost", metadata: ["error": "\(systemError)"])
            }
        }
    }

    private func sendError(_ message: ErrorMessage) { socket.sendErrorFrame(message) }

    /// A connection the server's shutdown ended before its hello: logged as the server's
    /// doing (info, `end=shutdown`), and told so in an error frame (a driver waits for the ack).
    private func closedByShutdown(logger: Logger) {
        logger.info("connection closed before its hello: the target is shutting down", metadata: ["end": "shutdown"])
        sendError(TargetServer.shuttingDown)
    }

    /// Whether the target may still send a frame on a data connection of `spec` after its ack:
    /// rr and masked are framed both ways, a tx stream's target sends nothing but an error
    /// frame; rx and both send unframed stream bytes, where a frame would read as data.
    static func takesErrorFrame(_ spec: CaseSpec) -> Bool {
        switch spec.workload {
        case .rr, .masked: return true
        case let .stream(stream): return stream.direction == .tx
        case .replay: return false
        }
    }
}

extension Socket {
    /// The last frame of a connection the target ends (data or control): best effort, the
    /// peer may be gone. What the peer still sends is then discarded, a bounded while, so that
    /// closing does not reset it before it reads the frame.
    func sendErrorFrame(_ message: ErrorMessage) {
        try? setSendTimeout(seconds: 1)
        try? send(ControlCodec.frame(.error, message))
        shutdownWrite()
        discardUntilEnd(maxBytes: Self.discardAfterErrorBytes, maxNanos: Self.discardAfterErrorNanos)
    }

    /// At most this much of a peer's sending is discarded after its error frame, for at most
    /// this long: a hostile peer that keeps sending holds the thread no longer.
    static let discardAfterErrorBytes = 4 << 20
    static let discardAfterErrorNanos: UInt64 = 200_000_000
}
