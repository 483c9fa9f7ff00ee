import ArgumentParser
import VsockBenchEngine
import VsockTransport

/// `--target`: an endpoint to drive, or `null` (the target's pipeline in this process).
enum TargetArgument: ExpressibleByArgument, Sendable, Equatable {
    case endpoint(Endpoint)
    case inProcess

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    @Sendable static func parse(_ text: String) throws -> TargetArgument {
        if text == InProcessTarget.endpointName { return .inProcess }
        let endpoint = try EndpointArgument.parse(text).endpoint
        if endpoint.vsockAddress?.cid == Endpoint.vsockAnyCID {
            throw ArgumentError("'any' is for listening; name the target's CID (an enclave's, e.g. vsock://16:5005, or local)")
        }
        switch endpoint {
        case .tcp(_, 0):
            throw ArgumentError("port 0 means any port when listening; name the port the target listens on")
        default:
            break
        }
        return .endpoint(endpoint)
    }

    var defaultValueDescription: String {
        switch self {
        case let .endpoint(endpoint): return endpoint.description
        case .inProcess: return InProcessTarget.endpointName
        }
    }
}

/// An endpoint on the command line: `vsock://CID:PORT`, `unix:///path`, `tcp://HOST:PORT`,
/// `vsock+seqpacket://CID:PORT`, `unix+seqpacket:///path`.
struct EndpointArgument: ExpressibleByArgument, Sendable, Equatable {
    let endpoint: Endpoint

    init?(argument: String) {
        guard let parsed = try? Self.parse(argument) else { return nil }
        self = parsed
    }

    private init(_ endpoint: Endpoint) { self.endpoint = endpoint }

    @Sendable static func parse(_ text: String) throws -> EndpointArgument {
        do { return EndpointArgument(try Endpoint(parsing: text)) } catch { throw ArgumentError(error.description) }
    }

    var defaultValueDescription: String { endpoint.description }
}
