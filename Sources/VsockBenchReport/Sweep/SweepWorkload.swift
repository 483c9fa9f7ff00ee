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

    /// Whether this workload's fit describes a case of `kind`: an rr sweep's alpha is a round
    /// trip, a masked one's a round trip with the agent's work, a stream one's the cost of one
    /// write; none of them is another's.
    public func describes(_ kind: WorkloadKind) -> Bool {
        switch self {
        case .rr: return kind == .rr
        case .stream: return kind == .stream
        case .masked: return kind == .masked
        }
    }

    /// The names of `cases` this workload's fit does not describe (they get no prediction from
    /// it). Throws when it describes none of them: such a sweep can only mislead.
    public func casesNotDescribed(_ cases: [(name: String, kind: WorkloadKind)], sweep: String) throws(SweepError) -> [String] {
        let others = cases.filter { !describes($0.kind) }
        guard others.count == cases.count, !cases.isEmpty else { return others.map(\.name) }
        var kinds: [WorkloadKind] = []
        for c in cases where !kinds.contains(c.kind) { kinds.append(c.kind) }
        let wanted = kinds.compactMap { SweepWorkload(rawValue: $0.rawValue) }.map { "sweep --workload \($0.rawValue) --json FILE" }
        throw .workloadMismatch(
            "\(sweep) is a \(rawValue) sweep (its alpha is \(alphaMeaning)), which describes \(rawValue) cases only; these cases are \(kinds.map(\.rawValue).joined(separator: ", ")): "
                + (wanted.isEmpty ? "no sweep describes them; leave out --sweep" : "give the output of \(wanted.joined(separator: " or ")), or leave out --sweep"))
    }

    /// What the fit's alpha is, in a sentence.
    var alphaMeaning: String {
        switch self {
        case .rr: return "a round trip"
        case .stream: return "the fixed cost of one write"
        case .masked: return "a round trip with the agent's work"
        }
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
        case .masked: return "the fragment size asked (each request carries it protobuf-encoded, somewhat larger; the masked response differs)"
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
    case workloadMismatch(String)

    public var description: String {
        switch self {
        case let .workloadNotAvailable(name, why): return "workload '\(name)' is not available yet: \(why)"
        case let .badSizes(why), let .badSelection(why), let .workloadMismatch(why): return why
        }
    }
}
