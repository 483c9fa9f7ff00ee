import CShims

/// Where a target listens or a driver connects: one syntax everywhere.
///
/// - `vsock://CID:PORT`: AF_VSOCK. `CID` is a number or one of `any` (listen on every CID),
///   `local` (1, the loopback CID), `host` (2), `parent` (3, the Nitro parent instance).
/// - `unix:///absolute/path`: a Unix stream socket.
/// - `tcp://HOST:PORT`: TCP; `HOST` is an IPv4 literal, `localhost`, or `[IPv6]`.
/// - `vsock+seqpacket://CID:PORT`, `unix+seqpacket:///absolute/path`: the same addresses with
///   SOCK_SEQPACKET sockets (vsock: Linux 5.14+): every send is one message, every receive
///   one whole message, boundaries kept by the kernel (`isMessageOriented`).
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case vsock(cid: UInt32, port: UInt32)
    case unix(path: String)
    case tcp(host: String, port: UInt16)
    /// AF_VSOCK with SOCK_SEQPACKET.
    case vsockSeqpacket(cid: UInt32, port: UInt32)
    /// AF_UNIX with SOCK_SEQPACKET.
    case unixSeqpacket(path: String)

    /// The CID that means "any CID" when listening (`VMADDR_CID_ANY`).
    public static let vsockAnyCID: UInt32 = 0xFFFF_FFFF

    /// Named CIDs accepted in `vsock://NAME:PORT`.
    public static let namedCIDs: [String: UInt32] = ["local": 1, "host": 2, "parent": 3, "any": vsockAnyCID]

    public init(parsing text: String) throws(EndpointError) {
        let pieces = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else {
            throw EndpointError(text, "expected SCHEME://ADDRESS with scheme vsock, unix, tcp, vsock+seqpacket or unix+seqpacket (for example unix:///tmp/vsockbench.sock)")
        }
        let scheme = pieces[0].lowercased()
        let rest = String(pieces[1])
        switch scheme {
        case "vsock":
            let (cid, port) = try Self.parseVsock(rest, scheme: scheme, original: text)
            self = .vsock(cid: cid, port: port)
        case "unix":
            self = .unix(path: try Self.parseUnixPath(rest, scheme: scheme, original: text))
        case "tcp":
            self = try Self.parseTCP(rest, original: text)
        case "vsock+seqpacket":
            let (cid, port) = try Self.parseVsock(rest, scheme: scheme, original: text)
            self = .vsockSeqpacket(cid: cid, port: port)
        case "unix+seqpacket":
            self = .unixSeqpacket(path: try Self.parseUnixPath(rest, scheme: scheme, original: text))
        default:
            if scheme.hasSuffix("+seqpacket") {
                throw EndpointError(text, "SOCK_SEQPACKET is offered for vsock and unix only; use vsock+seqpacket://CID:PORT or unix+seqpacket:///path")
            }
            throw EndpointError(text, "unknown scheme '\(scheme)'; use vsock://CID:PORT, unix:///path, tcp://HOST:PORT, vsock+seqpacket://CID:PORT or unix+seqpacket:///path")
        }
    }

    private static func parseUnixPath(_ rest: String, scheme: String, original text: String) throws(EndpointError) -> String {
        guard !rest.isEmpty else { throw EndpointError(text, "missing socket path (\(scheme):///path/to/socket)") }
        guard rest.hasPrefix("/") else { throw EndpointError(text, "the socket path must be absolute (\(scheme):///path/to/socket)") }
        guard !rest.hasSuffix("/") else { throw EndpointError(text, "the socket path names a directory; name the socket file (\(scheme):///path/to/socket)") }
        // sun_path holds 108 bytes including the terminating NUL.
        guard rest.utf8.count < 108 else { throw EndpointError(text, "socket path is \(rest.utf8.count) bytes; Unix sockets allow at most 107") }
        return rest
    }

    private static func parseVsock(_ rest: String, scheme: String, original: String) throws(EndpointError) -> (cid: UInt32, port: UInt32) {
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw EndpointError(original, "expected \(scheme)://CID:PORT") }
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
        return (cid, UInt32(port))
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
        case let .vsockSeqpacket(cid, port):
            return "vsock+seqpacket://\(cid == Self.vsockAnyCID ? "any" : String(cid)):\(port)"
        case let .unixSeqpacket(path):
            return "unix+seqpacket://\(path)"
        }
    }

    /// The transport's name as reports show it (the results' `transport`): the scheme.
    public var transportName: String {
        switch self {
        case .vsock: return "vsock"
        case .unix: return "unix"
        case .tcp: return "tcp"
        case .vsockSeqpacket: return "vsock+seqpacket"
        case .unixSeqpacket: return "unix+seqpacket"
        }
    }
}

/// The two kinds of connected socket an endpoint can name.
public enum SocketKind: String, Sendable, Equatable {
    /// SOCK_STREAM: a byte stream; frames carry their own boundaries (the frame header).
    case stream
    /// SOCK_SEQPACKET: every send is one message and every receive returns one whole message.
    case seqpacket

    /// The kind of socket a report's `transport` names (an endpoint's `transportName`).
    public init(transportName: String) {
        self = transportName.hasSuffix("+seqpacket") ? .seqpacket : .stream
    }
}

extension Endpoint {
    /// SOCK_STREAM or SOCK_SEQPACKET.
    public var socketKind: SocketKind {
        switch self {
        case .vsock, .unix, .tcp: return .stream
        case .vsockSeqpacket, .unixSeqpacket: return .seqpacket
        }
    }

    /// True when the kernel keeps message boundaries (SOCK_SEQPACKET): one send is one
    /// message, one receive returns one message, so frames travel as one packet each and
    /// batching strategies that merge frames into one write do not apply.
    public var isMessageOriented: Bool { socketKind == .seqpacket }

    /// The CID and port of an AF_VSOCK endpoint, stream or seqpacket; nil otherwise.
    public var vsockAddress: (cid: UInt32, port: UInt32)? {
        switch self {
        case let .vsock(cid, port), let .vsockSeqpacket(cid, port): return (cid, port)
        case .unix, .tcp, .unixSeqpacket: return nil
        }
    }

    /// True for AF_VSOCK endpoints, stream or seqpacket.
    public var isVsock: Bool { vsockAddress != nil }

    /// The socket file of an AF_UNIX endpoint, stream or seqpacket; nil otherwise.
    public var unixPath: String? {
        switch self {
        case let .unix(path), let .unixSeqpacket(path): return path
        case .vsock, .tcp, .vsockSeqpacket: return nil
        }
    }

    /// The same address with sockets of `kind`; nil for TCP seqpacket, which does not exist.
    public func with(kind: SocketKind) -> Endpoint? {
        switch (self, kind) {
        case (.vsock(let cid, let port), .seqpacket), (.vsockSeqpacket(let cid, let port), .seqpacket): return .vsockSeqpacket(cid: cid, port: port)
        case (.vsock(let cid, let port), .stream), (.vsockSeqpacket(let cid, let port), .stream): return .vsock(cid: cid, port: port)
        case (.unix(let path), .seqpacket), (.unixSeqpacket(let path), .seqpacket): return .unixSeqpacket(path: path)
        case (.unix(let path), .stream), (.unixSeqpacket(let path), .stream): return .unix(path: path)
        case (.tcp, .stream): return self
        case (.tcp, .seqpacket): return nil
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
