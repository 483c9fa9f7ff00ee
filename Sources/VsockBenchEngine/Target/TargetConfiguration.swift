import VsockBenchModel
import VsockTransport

/// What the target does with requests.
public enum TargetMode: String, Codable, Sendable, CaseIterable {
    /// Echo every request (rr), sink or source bytes (stream).
    case echo
    /// Everything `echo` does, plus the masked-agent workload: decode, mask and re-encode
    /// protobuf result sets, in memory only.
    case agent
}

/// How `vsockbench serve` runs.
public struct TargetConfiguration: Sendable {
    public var listen: Endpoint
    public var mode: TargetMode = .echo
    /// The largest frame payload accepted; no frame makes the target allocate more.
    public var maxFrame: Int = 4 * 1024 * 1024
    /// vsock peers from other CIDs are refused (empty: everyone).
    public var allowedCIDs: [UInt32] = []
    /// Options applied to the listening socket and so to every accepted connection.
    public var socket = SocketOptions()
    /// A connection that sends no hello within this time is dropped.
    public var helloTimeoutSeconds: Double = 5
    /// A data connection silent for this long is dropped (a vanished driver must not hold a
    /// thread forever); a control connection only while none of its case's data connections
    /// is open (it is silent by design while the case runs: `ControlHandler`).
    public var idleTimeoutSeconds: Double = 300
    /// Memory for the connections' buffers: a hello whose case would need more than what is
    /// left is refused with `over_budget`.
    public var maxMemory: Int = 512 << 20
    /// Connections served at once; more are refused with an error frame. By default one case
    /// of the most data connections a case may have (1024) and its control connection (1024
    /// was one short: such a case was refused as busy at its last connection).
    public var maxConnections = CaseSpec.maxConnections + 1
    /// The most `maxConnections` may be: each connection is served by a thread of its own and
    /// holds a file descriptor, and 64 cases of the most connections a case may have (1024)
    /// fit (past the open-file limit, connections wait to be accepted instead of being refused).
    public static let maximumConnections = 65_536
    /// How long a stats request waits for the session's open data connections to finish (no
    /// longer than the idle timeout either).
    public var finishTimeoutNanos: UInt64 = 10_000_000_000

    /// Deliberate misbehaviour, to prove that the driver catches it (tests only).
    public var fault: TargetFault?

    public init(listen: Endpoint) { self.listen = listen }

    /// A target no option changed (its endpoint a placeholder): the one place `serve`'s flags
    /// and their help take their defaults from.
    public static let defaults = TargetConfiguration(listen: .unix(path: ""))
}

/// A fault the target injects on every data connection, so tests can see the driver catch
/// corrupted and lost responses end to end.
public enum TargetFault: Sendable, Equatable {
    /// Flip one byte of the payload of response `n` (0-based, per connection).
    case corruptResponse(UInt64)
    /// Never send response `n`.
    case dropResponse(UInt64)
    /// Flip stream byte `n` (0-based, per connection) of what the target sends (rx, both).
    case corruptStream(UInt64)

    /// `corrupt-response:N`, `drop-response:N` or `corrupt-stream:N`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let n = UInt64(parts[1]) else { return nil }
        switch parts[0] {
        case "corrupt-response": self = .corruptResponse(n)
        case "drop-response": self = .dropResponse(n)
        case "corrupt-stream": self = .corruptStream(n)
        default: return nil
        }
    }
}
