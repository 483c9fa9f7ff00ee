/// A figure of a case, named by its path in the JSON (`mbps_tx`, `latency_us.p99`,
/// `probe.per_msg.exits`): how to read it from a trial's figures, which way is better, and
/// whether it is a timing (noisy from run to run) or a count per message (deterministic: the
/// same code makes the same syscalls and packets whatever the machine's load).
public enum Figure: String, CaseIterable, Sendable, Codable {
    case mbpsTx = "mbps_tx"
    case mbpsRx = "mbps_rx"
    case mbpsTotal = "mbps_total"
    case msgsPerSecond = "msgs_per_s"
    case latencyP50 = "latency_us.p50"
    case latencyP99 = "latency_us.p99"
    case driverCPU = "cpu.driver_us_per_msg"
    case targetCPU = "cpu.target_us_per_msg"
    case targetProcessingShare = "target_processing_share"
    case wireBytesPerMessage = "wire_bytes_per_msg"
    case writesPerMessage = "writes_per_msg"
    case readsPerMessage = "reads_per_msg"
    case targetWritesPerMessage = "target_writes_per_msg"
    case targetReadsPerMessage = "target_reads_per_msg"
    case syscalls = "probe.per_msg.syscalls"
    case vsockPackets = "probe.per_msg.vsock_packets"
    case creditUpdates = "probe.per_msg.credit_updates"
    case exits = "probe.per_msg.exits"

    /// The figure in one trial (or a case's median figures); nil where it was not measured.
    public func value(in f: CaseFigures) -> Double? {
        switch self {
        case .mbpsTx: return f.mbpsTx
        case .mbpsRx: return f.mbpsRx
        case .mbpsTotal: return f.mbpsTotal
        case .msgsPerSecond: return f.msgsPerSecond
        case .latencyP50: return f.latencyMicros?.p50
        case .latencyP99: return f.latencyMicros?.p99
        case .driverCPU: return f.cpu.driverMicrosPerMessage
        case .targetCPU: return f.cpu.targetMicrosPerMessage
        case .targetProcessingShare: return f.targetProcessingShare
        case .wireBytesPerMessage: return f.wireBytesPerMessage
        case .writesPerMessage: return f.writesPerMessage
        case .readsPerMessage: return f.readsPerMessage
        case .targetWritesPerMessage: return f.targetWritesPerMessage
        case .targetReadsPerMessage: return f.targetReadsPerMessage
        case .syscalls: return f.probe?.perMessage.syscalls
        case .vsockPackets: return f.probe?.perMessage.vsockPackets
        case .creditUpdates: return f.probe?.perMessage.creditUpdates
        case .exits: return f.probe?.perMessage.exits
        }
    }

    /// Throughput is better higher; latency, CPU and counts per message lower.
    public var higherIsBetter: Bool {
        switch self {
        case .mbpsTx, .mbpsRx, .mbpsTotal, .msgsPerSecond: return true
        default: return false
        }
    }

    /// A count per message: deterministic for a given build and case, so gated tightly.
    public var isCount: Bool {
        switch self {
        case .wireBytesPerMessage, .writesPerMessage, .readsPerMessage, .targetWritesPerMessage, .targetReadsPerMessage,
             .syscalls, .vsockPackets, .creditUpdates, .exits:
            return true
        default:
            return false
        }
    }

    /// Column label with its unit. Mbps names its direction; the sum of both directions says
    /// it is a sum, so no table calls it plain Mbps.
    public var label: String {
        switch self {
        case .mbpsTx: return "Mbps tx"
        case .mbpsRx: return "Mbps rx"
        case .mbpsTotal: return "Mbps tx+rx summed"
        case .msgsPerSecond: return "msgs/s"
        case .latencyP50: return "p50 us"
        case .latencyP99: return "p99 us"
        case .driverCPU: return "cpu us/msg"
        case .targetCPU: return "target cpu us/msg"
        case .targetProcessingShare: return "target processing"
        case .wireBytesPerMessage: return "wire B/msg"
        case .writesPerMessage: return "writes/msg"
        case .readsPerMessage: return "reads/msg"
        case .targetWritesPerMessage: return "target writes/msg"
        case .targetReadsPerMessage: return "target reads/msg"
        case .syscalls: return "syscalls/msg"
        case .vsockPackets: return "vsock pkts/msg"
        case .creditUpdates: return "credit upd/msg"
        case .exits: return "exits/msg"
        }
    }
}
