import CShims

/// Where a target listens or a driver connects: one syntax everywhere.
///
/// - `vsock://CID:PORT`: AF_VSOCK. `CID` is a number or one of `any` (listen on every CID),
///   `local` (1, the loopback CID), `host` (2), `parent` (3, the Nitro parent instance).
/// - `unix:///absolute/path`: a Unix stream socket.
/// - `tcp://HOST:PORT`: TCP; `HOST` is an IPv4 literal, `localhost`, or `[IPv6]`.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case vsock(cid: UInt32, port: UInt32)
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    /// The CID that means "any CID" when listening (`VMADDR_CID_ANY`).
    public static let vsockAnyCID: UInt32 = 0xFFFF_FFFF

    /// Named CIDs accepted in `vsock://NAME:PORT`.
    public static let namedCIDs: [String: UInt32] = ["local": 1, "host": 2, "parent": 3, "any": vsockAnyCID]

    public init(parsing text: String) throws(EndpointError) {
        let pieces = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw EndpointError(text, "expected SCHEME://ADDRESS with scheme vsock, unix or tcp (for example unix:///tmp/vsockbench.sock)")
        }
        let scheme = pieces[0].lowercased()
        let rest = String(pieces[1])
        switch scheme {
        case "vsock":
            self = try Self.parseVsock(rest, original: text)
        case "unix":
            guard !rest.isEmpty else { throw EndpointError(text, "missing socket path (unix:///path/to/socket)") }
            guard rest.hasPrefix("/") else { throw EndpointError(text, "the socket path must be absolute (unix:///path/to/socket)") }
            guard !rest.hasSuffix("/") else { throw EndpointError(text, "the socket path names a directory; name the socket file (unix:///path/to/socket)") }
            // sun_path holds 108 bytes including the terminating NUL.
            guard rest.utf8.count < 108 else { throw EndpointError(text, "socket path is \(rest.utf8.count) bytes; Unix sockets allow at most 107") }
            self = .unix(path: rest)
        case "tcp":
            self = try Self.parseTCP(rest, original: text)
        default:
            throw EndpointError(text, "unknown scheme '\(scheme)'; use vsock://CID:PORT, unix:///path or tcp://HOST:PORT")
        }
    }

    private static func parseVsock(_ rest: String, original: String) throws(EndpointError) -> Endpoint {
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw EndpointError(original, "expected vsock://CID:PORT") }
        let cidText = parts[0].lowercased()
        let cid: UInt32
        if let named = namedCIDs[cidText] {
            cid = named
        } else if let number = UInt32(cidText), number != vsockAnyCID {
            cid = number
        } else if cidText.isEmpty {
            throw EndpointError(original, "missing CID; use a number or one of any, local (1), host (2), parent (3)")
        } else {
            throw EndpointError(original, "CID '\(parts[0])' is not a number below 4294967295 or one of any, local (1), host (2), parent (3)")
        }
        let port = try parsePort(parts[1], max: UInt64(UInt32.max - 1), original: original)
        return .vsock(cid: cid, port: UInt32(port))
    }

    private static func parseTCP(_ rest: String, original: String) throws(EndpointError) -> Endpoint {
        let host: String
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw EndpointError(original, "unterminated IPv6 address; use tcp://[::1]:PORT") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { throw EndpointError(original, "expected :PORT after the IPv6 address") }
            portText = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw EndpointError(original, "expected tcp://HOST:PORT") }
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw EndpointError(original, "missing host; use tcp://127.0.0.1:PORT") }
        let port = try parsePort(portText, max: 65535, original: original)
        return .tcp(host: host, port: UInt16(port))
    }

    private static func parsePort(_ text: Substring, max: UInt64, original: String) throws(EndpointError) -> UInt64 {
        guard !text.isEmpty else { throw EndpointError(original, "missing port") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(text) else {
            throw EndpointError(original, "port '\(text)' is not a number")
        }
        guard value <= max else { throw EndpointError(original, "port \(value) is out of range (0...\(max))") }
        return value
    }

    public var description: String {
        switch self {
        case let .vsock(cid, port):
            return "vsock://\(cid == Self.vsockAnyCID ? "any" : String(cid)):\(port)"
        case let .unix(path):
            return "unix://\(path)"
        case let .tcp(host, port):
            return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The transport's name as reports show it.
    public var transportName: String {
        switch self {
        case .vsock: return "vsock"
        case .unix: return "unix"
        case .tcp: return "tcp"
        }
    }
}

/// A malformed endpoint: says what was given and what is expected.
public struct EndpointError: Error, CustomStringConvertible, Equatable {
    public let input: String
    public let reason: String
    public init(_ input: String, _ reason: String) {
        self.input = input
        self.reason = reason
    }
    public var description: String { "invalid endpoint '\(input)': \(reason)" }
}
