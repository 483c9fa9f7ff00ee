import VsockProbe

/// What the eBPF probe counted for a case over its measured interval (both processes), and
/// the same per message.
public struct ProbeCaseReport: Codable, Sendable, Equatable {
    public var counters: ProbeCounters
    public var perMessage: ProbePerMessage

    public init(counters: ProbeCounters, perMessage: ProbePerMessage) {
        self.counters = counters
        self.perMessage = perMessage
    }

    enum CodingKeys: String, CodingKey {
        case counters, perMessage = "per_msg"
    }
}
