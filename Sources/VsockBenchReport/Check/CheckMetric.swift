/// A figure `check` compares between a result and its baseline, and which way is worse.
public enum CheckMetric: String, CaseIterable, Sendable, Codable {
    /// `mbps_total`: lower is a regression.
    case mbps
    /// `msgs_per_s`: lower is a regression.
    case msgsPerSecond = "msgs_per_s"
    /// `latency_us.p99`: higher is a regression (rr cases only).
    case p99
    /// `probe.per_msg.exits`: higher is a regression (only where both runs had the probe).
    case exits

    /// Column label with its unit.
    public var label: String {
        switch self {
        case .mbps: return "Mbps"
        case .msgsPerSecond: return "msgs/s"
        case .p99: return "p99 us"
        case .exits: return "exits/msg"
        }
    }

    /// True when a larger value is better (throughput); false for costs (latency, exits).
    public var higherIsBetter: Bool {
        switch self {
        case .mbps, .msgsPerSecond: return true
        case .p99, .exits: return false
        }
    }

    /// The figure in a case, nil where that case does not measure it.
    public func value(in result: CaseResult) -> Double? {
        switch self {
        case .mbps: return result.mbpsTotal
        case .msgsPerSecond: return result.msgsPerSecond
        case .p99: return result.latencyMicros?.p99
        case .exits: return result.probe?.perMessage.exits
        }
    }

    /// The metric a `--tolerance NAME=...` names: its key or a common spelling of it.
    public static func named(_ name: String) -> CheckMetric? {
        switch name.lowercased() {
        case "mbps", "mbps_total": return .mbps
        case "msgs_per_s", "msgs/s", "msgs", "msgs_per_sec": return .msgsPerSecond
        case "p99", "p99_us", "latency", "latency_p99": return .p99
        case "exits", "exits_per_msg", "exits/msg": return .exits
        default: return nil
        }
    }
}
