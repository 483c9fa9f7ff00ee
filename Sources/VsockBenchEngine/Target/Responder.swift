import VsockTransport
import VsockWire

/// Builds the response to one request and hands it to the sink.
protocol Responder {
    /// `inPlace`: the sink writes at once, so the request's own buffer may be rewritten and
    /// written (no copy). Returns the response's payload bytes.
    func respond(to frame: Frame, sink: any FrameSink, inPlace: Bool, lane: MeterLane) throws(ServeError) -> Int
    /// Whether `respond` still works once its response is written (the agent wipes its
    /// buffers then). Processing then ends when `respond` returns, not at the write: that work
    /// counted in the next read's I/O wait (a masked target busy 99% of the time read 80% I/O
    /// wait in a debug build, where the wipe is slow).
    var worksAfterWriting: Bool { get }
}

/// Why the target stopped serving a connection: what it tells the peer (an error frame) and
/// what it logs differ by case, so each is its own.
enum ServeError: Error, CustomStringConvertible {
    /// The peer asked for something this target refuses (a bad request, an unexpected frame):
    /// answered with this error frame, then the connection closes.
    case refused(ErrorMessage)
    /// The peer's bytes were not a valid frame: answered with an error frame naming why.
    case badFrame(FrameError)
    /// The socket failed (the peer went away, a timeout): nothing can be answered.
    case socket(SystemError)

    init(_ error: FrameReadError) {
        switch error {
        case let .frame(e): self = .badFrame(e)
        case let .system(e): self = .socket(e)
        }
    }

    /// The input ended (inside a frame, or the socket failed): what a connection sees when
    /// the server's shutdown ends it, as well as a peer that went away.
    var isEndOfInput: Bool {
        switch self {
        case .badFrame(.truncatedHeader), .badFrame(.truncatedPayload): return true
        case let .socket(e): return !e.isTimeout
        case .refused, .badFrame: return false
        }
    }

    /// The error frame to send, when one can still go.
    var errorFrame: ErrorMessage? {
        switch self {
        case let .refused(message): return message
        case let .badFrame(e): return ErrorMessage(code: e.code, message: e.description)
        case .socket: return nil
        }
    }

    var description: String {
        switch self {
        case let .refused(m): return m.description
        case let .badFrame(e): return "malformed frame: \(e)"
        case let .socket(e):
            // A deadline is what it is, not "Resource temporarily unavailable (errno 11)".
            return e.isTimeout ? "timed out: the peer sent no complete frame, or took none of ours, within the target's deadline" : e.description
        }
    }
}

/// Runs a socket call where the target's errors are `ServeError`s.
@inline(__always)
func onSocket<T>(_ body: () throws(SystemError) -> T) throws(ServeError) -> T {
    do { return try body() } catch { throw .socket(error) }
}
