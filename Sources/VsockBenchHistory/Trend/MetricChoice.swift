import VsockBenchReport

/// Which figures a trend or a change search follows: one figure by its JSON key (or a short
/// name), payload Mbps per direction (`mbps`), the case's throughput (msgs/s for
/// request/response, Mbps for a stream), the timings `check` gates (throughput and p99), or
/// every figure.
public enum MetricChoice: Sendable, Equatable {
    case figure(Figure)
    /// Payload Mbps in the direction the case moves (``MbpsDirection``), never both summed.
    case mbps
    case throughput
    case timings
    case all

    /// Short names accepted beside the JSON keys.
    static let aliases: [String: Figure] = [
        "msgs": .msgsPerSecond, "msgs/s": .msgsPerSecond, "p50": .latencyP50, "p99": .latencyP99,
        "writes": .writesPerMessage, "reads": .readsPerMessage, "exits": .exits,
    ]

    public init(parsing text: String) throws(HistoryError) {
        switch text {
        case "mbps": self = .mbps
        case "throughput": self = .throughput
        case "timings": self = .timings
        case "all": self = .all
        default:
            if let figure = Figure(rawValue: text) ?? Self.aliases[text] {
                self = .figure(figure)
                return
            }
            throw .badMetric("--metric \(text): not a figure; use throughput, timings, all, a short name (\((Self.aliases.keys + ["mbps"]).sorted().joined(separator: ", "))) or a key: \(Figure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// The figures to follow for a case of `workload` (`rr`, `masked`, `stream`) whose Mbps
    /// follow `mbps`. `all` follows Mbps in every direction the case moves and only those
    /// (``MbpsDirection/moved``: one series `each way` for a case that moves both alike, both
    /// directions for one that moves both unequally, never a direction it does not move), and
    /// leaves out the sum of both directions (`mbps_total`): it is not Mbps, and is followed
    /// only when asked for by its key.
    public func figures(forWorkload workload: String, mbps: MbpsDirection) -> [Figure] {
        let exchange = workload != "stream"
        switch self {
        case let .figure(figure): return [figure]
        case .mbps: return [mbps.figure]
        case .throughput: return [exchange ? .msgsPerSecond : mbps.figure]
        case .timings: return exchange ? [.msgsPerSecond, .latencyP99] : [mbps.figure]
        case .all: return mbps.moved + Figure.allCases.filter { ![.mbpsTx, .mbpsRx, .mbpsTotal].contains($0) }
        }
    }
}
