import VsockBenchAgent
import VsockBenchSupport
import VsockBenchModel

/// What `sweep` measures at each size, and what "a message" and "its time" mean for the fit.
public enum SweepWorkload: String, CaseIterable, Sendable, Codable {
    /// Stop-and-wait request/response: request = response = size, one in flight.
    case rr
    /// Bulk bytes driver to target in writes of size.
    case stream
    /// The masked-agent workload: protobuf fragments of size bytes, masked responses, one in
    /// flight (needs an agent-mode target; the local one is).
    case masked

    /// The case that measures `size` bytes, or why this workload cannot be swept.
    public func caseSpec(size: Int, stop: StopCondition, warmupNanos: UInt64) throws(SweepError) -> CaseSpec {
        var spec: CaseSpec
        switch self {
        case .rr:
            spec = CaseSpec(name: "rr-\(Quantities.formatSize(size))", workload: .rr(RequestResponseWorkload(requestSize: size, responseSize: size)))
        case .stream:
            spec = CaseSpec(name: "stream-\(Quantities.formatSize(size))", workload: .stream(StreamWorkload(writeSize: size, direction: .tx)))
        case .masked:
            guard SizeDistribution.bounds.contains(size) else {
                throw .badSizes("masked fragments are \(Quantities.formatSize(SizeDistribution.bounds.lowerBound)) to \(Quantities.formatSize(SizeDistribution.bounds.upperBound)); \(Quantities.formatSize(size)) is outside")
            }
            spec = CaseSpec(name: "masked-\(Quantities.formatSize(size))", workload: .masked(MaskedWorkload(requestSizes: .fixed(size))))
        }
        spec.connections = 1
        spec.stop = stop
        spec.warmupNanos = warmupNanos
        return spec
    }

    /// What t is, as the report states it.
    public var timeBasis: String {
        switch self {
        case .rr: return "round-trip time per message: 1/msgs_per_s on one connection with one request in flight"
        case .stream: return "seconds per write: 1/msgs_per_s on one connection (one message = one write of size bytes)"
        case .masked: return "time per masked request/response exchange: 1/msgs_per_s on one connection with one request in flight (target processing included)"
        }
    }

    /// What n is, as the report states it.
    public var bytesBasis: String {
        switch self {
        case .rr: return "payload bytes each way per message (request = response = size); frame headers not counted"
        case .stream: return "payload bytes per write"
        case .masked: return "request payload bytes (the masked response is about as large)"
        }
    }

    /// Payload bytes crossing the channel per byte of n: an rr message carries n each way.
    /// The sweep's Mbps (measured and predicted) are per direction all the same, as everywhere.
    public var wireFactor: Double {
        switch self {
        case .rr: return 2
        case .masked: return 2
        case .stream: return 1
        }
    }
}

/// Why a sweep cannot be planned or reported; the text says what to change.
public enum SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    case workloadNotAvailable(String, String)
    case badSizes(String)
    case badSelection(String)

    public var description: String {
        switch self {
        case let .workloadNotAvailable(name, why): return "workload '\(name)' is not available yet: \(why)"
        case let .badSizes(why), let .badSelection(why): return why
        }
    }
}
