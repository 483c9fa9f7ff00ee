import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// The largest frame payload a driver connection accepts from the target for a case.
struct FrameLimits {
    let maxPayload: Int

    init(_ spec: CaseSpec) {
        var largest = spec.largestPayload
        // normalize pads responses too.
        if let strategy = spec.exchange?.strategy {
            largest = strategy.wireSize(ofFrame: FrameHeader.size + largest) - FrameHeader.size
        }
        maxPayload = max(largest, ControlCodec.maxPayload)
    }

    private init(maxPayload: Int) { self.maxPayload = maxPayload }

    /// A control connection's: its ack, error frames and the stats reply, which grows with the
    /// case's connections (a case of 250 connections failed at 64 KiB).
    static let control = FrameLimits(maxPayload: ControlCodec.maxStatsPayload)
}

/// A driver-side connection to the target, past the hello.
public struct DriverConnection: Sendable {
    public let socket: Socket
    public let reader: FrameReader
    public let ack: HelloAck

    /// Connects, applies the case's socket options, sends the hello and waits for the ack.
    /// An error frame from the target (refused CID, unknown session, limits) becomes a
    /// `DriverError.rejected` with the target's reason.
    static func open(to endpoint: Endpoint, hello: CaseHello, limits: FrameLimits, timeoutSeconds: Double) throws(DriverError) -> DriverConnection {
        let socket: Socket
        do {
            socket = try Socket.connect(to: endpoint, options: hello.spec.socket, timesSyscalls: false)
        } catch {
            throw .transport(error)
        }
        let reader = FrameReader(socket: socket, maxPayload: limits.maxPayload, initialCapacity: 256 * 1024)
        do throws(DriverError) {
            do {
                try socket.watchReads(seconds: timeoutSeconds)
                try socket.setSendTimeout(seconds: timeoutSeconds)
            } catch {
                throw DriverError.transport(error)
            }
            // A target that refuses the peer (--allow-cid) sends its error frame and closes
            // before reading the hello: over vsock the hello's send then fails with EPIPE
            // while that frame is still readable, and its reason is what the user needs.
            let connection = DriverConnection(socket: socket, reader: reader, ack: HelloAck.placeholder)
            try connection.send(ControlCodec.frame(.hello, hello))
            let frame = try connection.nextFrame(expecting: "an answer to the hello")
            switch frame.header.type {
            case .ack:
                do throws(ErrorMessage) {
                    return DriverConnection(socket: socket, reader: reader, ack: try ControlCodec.decode(HelloAck.self, from: frame.payload))
                } catch {
                    throw DriverError.protocolViolation("the target's ack is not readable: \(error.message)")
                }
            case .error:
                throw DriverError.rejected(ErrorMessage(errorFrame: frame))
            case .hello:
                // Our own hello back: an echo (`socat ... EXEC:cat`, the user's service) that
                // returns what it reads, not vsockbench's target.
                throw DriverError.protocolViolation("the peer sent our hello back: it echoes what it reads and is not vsockbench serve; to measure an echo or your own service use a replay case (workload: replay, expect: echo) or a raw stream both ways (workload: stream, raw: true, direction: both), or start vsockbench serve there")
            default:
                throw DriverError.protocolViolation("expected an ack to the hello, got \(frame.header.type)")
            }
        } catch {
            socket.close()
            throw error
        }
    }

    /// Connects to a peer that is not vsockbench (replay, raw streams): the case's socket
    /// options and timeouts, no hello. A replay connection's reader reads the service's
    /// framing (`framing`), up to `maxPayload` bytes a message; over seqpacket one message
    /// per packet, unframed.
    static func openForeign(to endpoint: Endpoint, spec: CaseSpec, framing: MessageFraming?, maxPayload: Int, timeoutSeconds: Double) throws(DriverError) -> DriverConnection {
        let socket: Socket
        do {
            socket = try Socket.connect(to: endpoint, options: spec.socket, timesSyscalls: false)
        } catch {
            throw .transport(error)
        }
        do {
            try socket.watchReads(seconds: timeoutSeconds)
            try socket.setSendTimeout(seconds: timeoutSeconds)
        } catch {
            socket.close()
            throw .transport(error)
        }
        let reader = FrameReader(socket: socket, maxPayload: maxPayload, initialCapacity: min(256 * 1024, maxPayload + 16))
        reader.foreign = framing
        return DriverConnection(socket: socket, reader: reader, ack: HelloAck.foreign(spec.workload.kind == .replay ? "replay" : "raw"))
    }

    /// Opens a connection of `role` for the case `spec` of `session`: the hello carries the
    /// case's wire form, the reader accepts the case's largest frames.
    static func open(to endpoint: Endpoint, role: ConnectionRole, session: UInt64, connection: Int = 0, spec: CaseSpec,
                     driver: HostFacts = .current(), timeoutSeconds: Double) throws(DriverError) -> DriverConnection {
        try open(to: endpoint, hello: CaseHello(role: role, session: session, connection: connection, spec: WireCase(spec), driver: driver),
                 limits: role == .control ? .control : FrameLimits(spec), timeoutSeconds: timeoutSeconds)
    }

    /// Writes a whole control frame; a target that dropped the connection is named by its
    /// reason (`sendFailure`). Only from the thread that reads this connection.
    func send(_ bytes: [UInt8]) throws(DriverError) {
        do { try socket.send(bytes) } catch { throw sendFailure(error) }
    }

    /// What a failed send on this connection is. A target that drops a connection sends an
    /// error frame and closes; a send then under way fails with EPIPE or ECONNRESET while that
    /// frame waits to be read: its reason is the error (`rejected`, as when the frame is read in
    /// turn), found within a short bounded wait (`FrameReader.pendingError`). Without one, the
    /// failed send itself. Only from the thread that reads this connection (it reads what is
    /// left of it), and only on the failure path: never called while a send succeeds.
    @inline(never)
    func sendFailure(_ error: SystemError) -> DriverError {
        if let foreign = foreignSendError(error) { return foreign }
        if error.isDisconnect, let message = reader.pendingError() { return .rejected(message) }
        return .system(error)
    }

    /// A send to a service that is not vsockbench (replay) that failed because the service
    /// closed the connection or stopped reading: said of the service, not of a vsockbench
    /// target. nil for anything else, and for vsockbench's target. `position`: say where in
    /// the responses the reader is, only from the thread that reads (or once it has ended).
    @inline(never)
    func foreignSendError(_ error: SystemError, position: Bool = true) -> DriverError? {
        guard reader.foreign != nil else { return nil }
        if error.isDisconnect {
            return .protocolViolation("the service closed the connection (\(error.reason)) while requests were being sent\(position ? foreignPositionNote : "")")
        }
        if error.isTimeout {
            return .protocolViolation("the service did not take a request in time (\(error.call) timed out\(error.context.map { ": \($0)" } ?? ""): it stopped reading)")
        }
        return nil
    }

    /// Reads the next frame whatever its type (the caller checks it); end of stream is an error.
    @inline(__always)
    func nextFrame(expecting what: String) throws(DriverError) -> Frame {
        let next: Frame?
        do { next = try reader.next() } catch { throw foreignReadError(error, while: what) ?? DriverError(error) }
        guard let frame = next else {
            if reader.foreign != nil {
                // A service's close at a message boundary: where in its responses, as every other foreign error says.
                throw .protocolViolation("the service closed the connection while \(what) was expected\(foreignPositionNote)\(emptyPacketNote)")
            }
            throw .protocolViolation("the target closed the connection while \(what) was expected\(emptyPacketNote)")
        }
        return frame
    }

    /// A service that is not vsockbench (replay, raw): where in its responses the reader is,
    /// as its errors say it (", at byte offset 53804 of the response stream (after 49
    /// responses)"); empty for vsockbench's target.
    var foreignPositionNote: String {
        guard reader.foreign != nil else { return "" }
        let (offset, responses) = reader.foreignPosition
        // Over seqpacket there is no stream: the offset counts the packets' payloads, as the reader's own errors say.
        return ", at byte offset \(offset) of the \(reader.packetMode ? "responses" : "response stream") (after \(responses) response\(responses == 1 ? "" : "s"))"
    }

    /// A read from a service that is not vsockbench that failed because the service reset or
    /// dropped the connection (said with where in its responses it happened), did not answer
    /// in time, or sent what its framing does not allow: said of the service, as the README
    /// calls a peer that is not vsockbench, not of a vsockbench target. nil for anything else,
    /// and for vsockbench's target.
    @inline(never)
    func foreignReadError(_ error: FrameReadError, while what: String) -> DriverError? {
        guard reader.foreign != nil else { return nil }
        switch error {
        case let .system(system) where system.isDisconnect:
            // Part of a message had come: said, as a close without the reset says it ("the
            // stream ended inside a u32be message ... (65 bytes of it came)"); a service closing
            // with requests unread resets, and the part was left out (review).
            let part = reader.bufferedCount
            let inside = part > 0 && !reader.packetMode ? ", inside a \(reader.foreign?.rawValue ?? "") message: \(part) byte\(part == 1 ? "" : "s") of it came" : ""
            return .protocolViolation("the service closed the connection (\(system.reason)) while \(what) was expected\(foreignPositionNote)\(inside)")
        case let .system(system) where system.cutByStop:
            // The interrupt's grace time ran out, not the service's timeout: the case's
            // failure is the interrupt, recorded before the cut.
            return .interrupted
        case let .system(system) where system.isTimeout:
            // The read watchdog's context names the timeout: "no data within 2 s".
            return .protocolViolation("the service did not answer in time (\(system.call) timed out\(system.context.map { ": \($0)" } ?? ""))")
        case let .frame(frame):
            // A length over the limit: say which key sets it (review: the message named none).
            var hint = ""
            // Not where the length is beyond any message's: the error asks about the framing, and
            // max_response cannot go that high (it said both: review).
            if case .foreignTooLarge = frame, !reader.framingQuestioned {
                hint = " (the case's max_response; raise it in the scenario if the service's answers are that large)"
            }
            return .protocolViolation("bad response from the service: \(frame)\(hint)")
        case .system:
            return nil
        }
    }

    /// Over seqpacket an empty packet from a service that is not vsockbench is an empty
    /// response, except just before the service closes: then a receive cannot tell it from the
    /// end of the connection, and the message says both.
    var emptyPacketNote: String {
        reader.packetMode && reader.foreign != nil ? " (or answered with an empty packet just before closing: the two then read the same)" : ""
    }

    /// Reads the next frame, turning an error frame into `DriverError.rejected`.
    public func expect(_ type: FrameType) throws(DriverError) -> Frame {
        let frame = try nextFrame(expecting: "a \(type) frame")
        if frame.header.type == type { return frame }
        if frame.header.type == .error {
            throw .rejected(ErrorMessage(errorFrame: frame))
        }
        throw .protocolViolation("expected a \(type) frame, got \(frame.header.type)")
    }
}

extension HelloAck {
    /// Stands in while the ack is awaited (never reported).
    static let placeholder = HelloAck(target: HostFacts(tool: "", kernel: "", hostname: "", pid: 0, cpus: 0), mode: "", maxFrame: 0, socket: EffectiveSocketOptions())

    /// The stand-in for a peer that is not vsockbench: nothing is known of it but the mode.
    static func foreign(_ mode: String) -> HelloAck {
        HelloAck(target: HostFacts(tool: "", kernel: "", hostname: "", pid: 0, cpus: 0), mode: mode, maxFrame: 0, socket: EffectiveSocketOptions())
    }
}

/// Why the driver could not run a case, or a message of it failed.
public enum DriverError: Error, CustomStringConvertible, Sendable {
    case transport(TransportError)
    case system(SystemError)
    case frame(FrameError)
    case rejected(ErrorMessage)
    case protocolViolation(String)
    case localTarget(String)
    /// A replay's corpus could not be read when its case started (it was read once when the
    /// scenario loaded): "corpus PATH: why". It said "local target: corpus ..." (review).
    case corpus(String)
    /// The case cannot run over this target's transport (a batching strategy or a stream
    /// over seqpacket): refused before any connection.
    case unsupported(String)
    /// The run was interrupted (a signal) before the case could start or while it connected.
    case interrupted

    init(_ error: FrameReadError) {
        switch error {
        case let .frame(f): self = .frame(f)
        case let .system(s): self = .system(s)
        }
    }

    init(_ error: SystemError) { self = .system(error) }

    public var description: String { description(peer: "the target") }

    /// The description with the other end named `peer`: "the target" for vsockbench's own,
    /// "the peer" for a raw stream's byte sink or source (a raw case's socat said "the target
    /// closed the connection", review).
    public func description(peer: String) -> String {
        switch self {
        case let .transport(e): return e.description
        case let .system(e):
            if e.cutByStop { return "the interrupt cut the read off (\(e.call) \(e.context ?? "")): the interrupt's, not \(peer)'s timeout" }
            if e.isTimeout {
                // The read watchdog's context names the timeout: "no data within 2 s".
                return "\(peer) did not answer in time (\(e.call) timed out\(e.context.map { ": \($0)" } ?? ""))"
            }
            if e.isDisconnect { return "\(peer) closed the connection (\(e.reason))" }
            return e.description
        case let .frame(e): return "bad frame from the target: \(e)"
        case let .rejected(e): return "the target refused: \(Terminal.safe(e.message)) [\(Terminal.safe(e.code))]"
        case let .protocolViolation(text): return text
        case let .localTarget(text): return "local target: \(text)"
        case let .corpus(text): return "\(text) (read again as the case started)"
        case let .unsupported(text): return text
        case .interrupted: return "interrupted"
        }
    }
}
