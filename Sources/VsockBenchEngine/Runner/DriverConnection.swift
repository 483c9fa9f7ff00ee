import VsockTransport
import VsockWire

/// A driver-side connection to the target, past the hello.
public struct DriverConnection: Sendable {
    public let socket: Socket
    public let reader: FrameReader
    public let ack: HelloAck

    /// Connects, applies the case's socket options, sends the hello and waits for the ack.
    /// An error frame from the target (refused CID, unknown session, limits) becomes a
    /// `DriverError.rejected` with the target's reason.
    public static func open(to endpoint: Endpoint, hello: CaseHello, timeoutSeconds: Double) throws(DriverError) -> DriverConnection {
        let socket: Socket
        do {
            socket = try Socket.connect(to: endpoint, options: hello.spec.socket, timesSyscalls: false)
        } catch {
            throw .transport(error)
        }
        // Masked responses may be larger than their requests (tokens are longer than names).
        let unpadded = hello.spec.workload == .masked ? 2 * hello.spec.requestSizes.upperBound : max(hello.spec.requestSize, hello.spec.responseSize)
        // normalize pads responses too.
        let largest = hello.spec.strategy.wireSize(ofFrame: FrameHeader.size + unpadded) - FrameHeader.size
        let reader = FrameReader(socket: socket, maxPayload: max(largest, ControlCodec.maxPayload), initialCapacity: 256 * 1024)
        do {
            try socket.setReceiveTimeout(seconds: timeoutSeconds)
            try socket.setSendTimeout(seconds: timeoutSeconds)
            do {
                try socket.send(ControlCodec.frame(.hello, hello))
            } catch {
                if error.isDisconnect, let message = pendingError(reader) { throw DriverError.rejected(message) }
                throw error
            }
            guard let frame = try reader.next() else {
                throw DriverError.protocolViolation("the target closed the connection instead of answering the hello (is it a vsockbench target?)")
            }
            switch frame.header.type {
            case .ack:
                let ack = try ControlCodec.decode(HelloAck.self, from: frame.payload)
                return DriverConnection(socket: socket, reader: reader, ack: ack)
            case .error:
                throw DriverError.rejected(ErrorMessage(errorFrame: frame))
            default:
                throw DriverError.protocolViolation("expected an ack to the hello, got \(frame.header.type)")
            }
        } catch {
            socket.close()
            throw DriverError(error)
        }
    }

    /// The target's error frame, if one is waiting. A target that refuses the peer (--allow-cid)
    /// sends it and closes before reading the hello; over vsock the hello's send then fails with
    /// EPIPE while that frame is still readable, and its reason is what the user needs.
    private static func pendingError(_ reader: FrameReader) -> ErrorMessage? {
        guard let frame = try? reader.next(), frame.header.type == .error else { return nil }
        return ErrorMessage(errorFrame: frame)
    }

    /// Reads the next frame whatever its type (the caller checks it); end of stream is an error.
    @inline(__always)
    func nextFrame(expecting what: String) throws(DriverError) -> Frame {
        do {
            guard let frame = try reader.next() else {
                throw DriverError.protocolViolation("the target closed the connection while a \(what) was expected")
            }
            return frame
        } catch {
            throw DriverError(error)
        }
    }

    /// Reads the next frame, turning an error frame into `DriverError.rejected`.
    public func expect(_ type: FrameType) throws(DriverError) -> Frame {
        do {
            guard let frame = try reader.next() else {
                throw DriverError.protocolViolation("the target closed the connection while a \(type) frame was expected")
            }
            if frame.header.type == type { return frame }
            if frame.header.type == .error {
                throw DriverError.rejected(ErrorMessage(errorFrame: frame))
            }
            throw DriverError.protocolViolation("expected a \(type) frame, got \(frame.header.type)")
        } catch {
            throw DriverError(error)
        }
    }
}

/// Why the driver could not run a case.
public enum DriverError: Error, CustomStringConvertible, Sendable {
    case transport(TransportError)
    case system(SystemError)
    case frame(FrameError)
    case rejected(ErrorMessage)
    case protocolViolation(String)
    case localTarget(String)

    init(_ error: any Error) {
        switch error {
        case let e as DriverError: self = e
        case let e as TransportError: self = .transport(e)
        case let e as SystemError: self = .system(e)
        case let e as FrameError: self = .frame(e)
        case let e as FrameReadError:
            switch e {
            case let .frame(f): self = .frame(f)
            case let .system(s): self = .system(s)
            }
        case let e as ErrorMessage: self = .rejected(e)
        default: self = .protocolViolation("\(error)")
        }
    }

    public var description: String {
        switch self {
        case let .transport(e): return e.description
        case let .system(e):
            if e.isTimeout { return "the target did not answer in time (\(e.call) timed out)" }
            if e.isDisconnect { return "the target closed the connection (\(e.reason))" }
            return e.description
        case let .frame(e): return "bad frame from the target: \(e)"
        case let .rejected(e): return "the target refused: \(e.message) [\(e.code)]"
        case let .protocolViolation(text): return text
        case let .localTarget(text): return "local target: \(text)"
        }
    }
}
