import Logging
import Synchronization
import VsockBenchSupport
import VsockTransport
import VsockWire

/// `vsockbench serve`: accepts connections and serves each on its own thread until stopped.
///
/// A misbehaving connection (bad frame, early close, unknown session) gets an error frame where
/// possible and is closed; the others are not affected.
public final class TargetServer: Sendable {
    public let configuration: TargetConfiguration
    public let logger: Logger
    private let listener: Listener
    private let sessions = SessionRegistry()
    private let active = ActivityCounter()
    private let open = Mutex<[Int: Socket]>([:])
    private let nextID = Atomic<Int>(1)
    private let stopping = Atomic<Bool>(false)
    let budget: MemoryBudget
    private let logFlood: LogFlood?

    /// `logFlood`: the log's count of suppressed lines (`RateLimitedLogHandler`), said when the
    /// server stops if a window's own flush has not said it yet.
    public init(configuration: TargetConfiguration, logger: Logger, logFlood: LogFlood? = nil) throws(TransportError) {
        self.configuration = configuration
        self.logger = logger
        self.logFlood = logFlood
        budget = MemoryBudget(limit: configuration.maxMemory)
        // Checked once here, so a bad value stops `serve` at start rather than every connection.
        _ = try SocketTimeout(seconds: configuration.helloTimeoutSeconds)
        _ = try SocketTimeout(seconds: configuration.idleTimeoutSeconds)
        self.listener = try Listener(endpoint: configuration.listen, options: configuration.socket)
    }

    /// Where the server listens (with the real port when 0 was asked for).
    public var endpoint: Endpoint { listener.endpoint }

    /// The line `serve` prints on stdout once it listens: `listening on ENDPOINT`, and on vsock
    /// the machine's own CID when it could be read (`vsock://any:5005` does not say which CID a
    /// driver must connect to).
    public static func listeningLine(_ endpoint: Endpoint, localCID: UInt32?) -> String {
        var line = "listening on \(endpoint)"
        if endpoint.isVsock, let cid = localCID, cid != VsockSupport.noTransportCID {
            line += " (local CID \(cid))"
        }
        return line
    }

    /// Connections being served right now.
    public var activeConnections: Int { active.count }

    /// Accepts until `stop()`; then waits (bounded) for the connections to close.
    public func serve() {
        logger.info("listening", metadata: [
            "endpoint": "\(endpoint)", "mode": "\(configuration.mode.rawValue)", "max_frame": "\(configuration.maxFrame)",
            // The limits in force (after the open-file limit), so a log says what this target refused by.
            "max_connections": "\(configuration.maxConnections)", "max_memory": "\(configuration.maxMemory)",
            "hello_timeout_s": "\(configuration.helloTimeoutSeconds)", "idle_timeout_s": "\(configuration.idleTimeoutSeconds)",
        ])
        while true {
            let socket: Socket?
            do {
                socket = try listener.accept()
            } catch {
                logger.error("accept failed; stopping", metadata: ["error": "\(error)"])
                break
            }
            guard let socket else { break }
            let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
            if active.count >= configuration.maxConnections {
                logger.warning("connection refused: at --max-connections", metadata: ["limit": "\(configuration.maxConnections)"])
                refuse(socket, ErrorMessage(code: "busy", message: "the target serves at most \(configuration.maxConnections) connection\(configuration.maxConnections == 1 ? "" : "s") at once"))
                continue
            }
            // Every connection holds its thread and its hello's buffer before it says what it
            // is: counted in the budget from the accept, or a peer opening --max-connections
            // silent or half-sent hellos holds about 85 MB beyond --max-memory.
            guard budget.reserve(ConnectionHandler.baseMemory) else {
                logger.warning("connection refused: the memory budget is taken", metadata: ["left": "\(budget.left)", "open": "\(active.count)"])
                refuse(socket, ErrorMessage(code: "over_budget", message: "this target's --max-memory \(Quantities.formatSize(budget.limit)) is taken by the \(active.count) connections open (each holds \(Quantities.formatSize(ConnectionHandler.baseMemory)) from its accept, more once its case runs)"))
                continue
            }
            active.enter()
            open.withLock { $0[id] = socket }
            let handler = ConnectionHandler(id: id, socket: socket, server: self, sessions: sessions)
            let started = NativeThread.trySpawn(name: "conn-\(id)") { [self] in
                // The handler's buffers are freed once run() returns: large ones go back to
                // the system from here.
                if handler.run() >= MemoryBudget.trimAbove { MemoryBudget.trim() }
                budget.release(ConnectionHandler.baseMemory)
                finish(id, socket)
            }
            if started == nil {
                logger.warning("connection refused: no thread for it", metadata: ["conn": "\(id)"])
                refuse(socket, ErrorMessage(code: "busy", message: "the target cannot start a thread for this connection"))
                budget.release(ConnectionHandler.baseMemory)
                finish(id, socket, closeSocket: false)
            }
        }
        stopping.store(true, ordering: .releasing)
        // Under the lock: a socket is never shut down after its thread closed it (its
        // descriptor number could belong to another file by then). First only the read side:
        // a connection's thread wakes at the end of its input, sees `isStopping`, and where the
        // protocol has room for one sends a `shutting_down` error frame and logs the end as
        // the server's (not the peer's truncated frame). Threads still blocked (in a send to
        // a peer that does not read) are woken for good after `shutdownFrameNanos`.
        open.withLock { sockets in
            for socket in sockets.values { socket.shutdownRead() }
        }
        var left = active.waitUntilIdle(timeoutNanos: Self.shutdownFrameNanos)
        if left > 0 {
            open.withLock { sockets in
                for socket in sockets.values { socket.shutdownBoth() }
            }
            left = active.waitUntilIdle(timeoutNanos: 5_000_000_000)
        }
        if left > 0 { logger.warning("connections still open at shutdown", metadata: ["count": "\(left)"]) }
        listener.close()
        logger.info("stopped")
        logFlood?.flush()
    }

    /// A connection thread is done: forget its socket and close it, atomically with shutdown.
    private func finish(_ id: Int, _ socket: Socket, closeSocket: Bool = true) {
        open.withLock { sockets in
            _ = sockets.removeValue(forKey: id)
            if closeSocket { socket.close() }
        }
        active.leave()
    }

    /// Best effort error frame, then close.
    private func refuse(_ socket: Socket, _ message: ErrorMessage) {
        try? socket.setSendTimeout(seconds: 1)
        try? socket.send(ControlCodec.frame(.error, message))
        socket.close()
    }

    /// Stops accepting and wakes every connection thread; `serve()` then returns.
    public func stop() {
        listener.stop()
    }

    /// True once `serve()` stopped accepting and is closing the connections: a connection
    /// whose input ends now was ended by the server, not by its peer.
    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// How long, at shutdown, the connections have to send their `shutting_down` frame and
    /// close before their sockets are shut down both ways (a frame's send has 1 s, then
    /// 200 ms of draining: `Socket.sendErrorFrame`).
    static let shutdownFrameNanos: UInt64 = 1_500_000_000

    /// The error frame a connection the server's shutdown ends gets, where its protocol has
    /// room for one (before the ack, on the control connection, between rr/masked frames,
    /// after a tx stream).
    static let shuttingDown = ErrorMessage(code: "shutting_down", message: "the target is shutting down (vsockbench serve was stopped); the connection closes")
}
