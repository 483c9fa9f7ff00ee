import Logging
import Synchronization

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

    public init(configuration: TargetConfiguration, logger: Logger) throws(TransportError) {
        self.configuration = configuration
        self.logger = logger
        self.listener = try Listener(endpoint: configuration.listen, options: configuration.socket)
    }

    /// Where the server listens (with the real port when 0 was asked for).
    public var endpoint: Endpoint { listener.endpoint }

    /// Connections being served right now.
    public var activeConnections: Int { active.count }

    /// Accepts until `stop()`; then waits (bounded) for the connections to close.
    public func serve() {
        logger.info("listening", metadata: ["endpoint": "\(endpoint)", "mode": "\(configuration.mode.rawValue)", "max_frame": "\(configuration.maxFrame)"])
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
            active.enter()
            open.withLock { $0[id] = socket }
            let handler = ConnectionHandler(id: id, socket: socket, server: self, sessions: sessions)
            _ = NativeThread.spawn(name: "conn-\(id)") { [self] in
                handler.run()
                open.withLock { _ = $0.removeValue(forKey: id) }
                socket.close()
                active.leave()
            }
        }
        let sockets = open.withLock { Array($0.values) }
        for socket in sockets { socket.shutdownBoth() }
        let left = active.waitUntilIdle(timeoutNanos: 5_000_000_000)
        if left > 0 { logger.warning("connections still open at shutdown", metadata: ["count": "\(left)"]) }
        listener.close()
        logger.info("stopped")
    }

    /// Stops accepting and wakes every connection thread; `serve()` then returns.
    public func stop() {
        listener.stop()
    }
}
