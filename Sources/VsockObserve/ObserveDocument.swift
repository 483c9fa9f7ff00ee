import VsockProbe

/// The JSON of `observe --json`, schema `vsockbench-observe/1`. Every key is always present;
/// a figure that was not counted is `null`, never 0.
public struct ObserveDocument: Sendable, Encodable {
    public static let schema = "vsockbench-observe/1"

    public var port: UInt32
    public var cid: UInt32?
    public var pids: [Int32]
    public var command: [String]?
    public var startedAt: String
    public var seconds: Double
    public var kernel: String
    public var figures: Figures
    public var connections: [ConnectionFigures]
    /// Every packet by direction (`tx`: from the parent, `rx`: to it) and op.
    public var packets: PacketsByOp
    public var writes: WriteFigures
    /// System calls of the followed processes by name; nil without a process.
    public var syscalls: [String: UInt64]?
    public var lostPackets: UInt64
    public var lostWrites: UInt64
    public var probe: ProbeCounters?
    public var diagnosis: [Finding]
    public var warnings: [String]
    public var exitStatus: Int32?
    /// The signal that ended the command ("SIGTERM"), null when it exited of itself or none ran.
    public var exitSignal: String?
    public var pcapPackets: Int?

    /// The figures a connection and the whole observation share.
    public struct Figures: Sendable {
        public var exchanges: Int
        public var exchangesPerSecond: Double?
        public var mbpsTx: Double?
        public var mbpsRx: Double?
        /// The most requests in flight at an answer; nil before any exchange.
        public var inFlightMax: Int?
        public var turnaroundMicroseconds: Distribution
        public var thinkMicroseconds: Distribution
        public var requestBytes: Distribution
        public var responseBytes: Distribution
        public var perExchange: PerExchange
    }

    public struct PerExchange: Sendable, Encodable, Equatable {
        public var packetsTx: Double?
        public var packetsRx: Double?
        public var creditUpdates: Double?
        public var syscalls: Double?
        public var writes: Double?
        public var reads: Double?
        public var contextSwitches: Double?
        public var exits: Double?
        public var exitsSource: String?
        public var notifications: Double?

        enum CodingKeys: String, CodingKey {
            case packetsTx = "packets_tx", packetsRx = "packets_rx", creditUpdates = "credit_updates", syscalls, writes
            case reads, contextSwitches = "context_switches", exits, exitsSource = "exits_source", notifications
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(packetsTx, forKey: .packetsTx)
            try container.encode(packetsRx, forKey: .packetsRx)
            try container.encode(creditUpdates, forKey: .creditUpdates)
            try container.encode(syscalls, forKey: .syscalls)
            try container.encode(writes, forKey: .writes)
            try container.encode(reads, forKey: .reads)
            try container.encode(contextSwitches, forKey: .contextSwitches)
            try container.encode(exits, forKey: .exits)
            try container.encode(exitsSource, forKey: .exitsSource)
            try container.encode(notifications, forKey: .notifications)
        }
    }

    public struct ConnectionFigures: Sendable {
        public var connection: VsockConnection
        /// From its first packet to its last.
        public var seconds: Double
        /// From its first exchange's request to its last exchange's answer (not in the JSON):
        /// the diagnosis's cycle, without the time the connection sat idle before or after.
        public var exchangingSeconds: Double?
        public var figures: Figures
        public var packets: PacketsByOp
        public var unansweredRequests: Int
        public var overlappedExchanges: Int
        /// Data packets of all request turns and of all answers.
        public var requestDataPackets: Int
        public var responseDataPackets: Int
    }

    public struct PacketsByOp: Sendable, Encodable, Equatable {
        public var tx: [String: VsockPacketCount]
        public var rx: [String: VsockPacketCount]
    }

    public struct WriteFigures: Sendable, Encodable {
        /// Write-family calls of the followed processes to vsock sockets; nil without a process.
        public var count: UInt64?
        /// Their write-family calls to anything else (files, pipes, terminals, other sockets),
        /// left out of `count`, `bytes` and `by_syscall`; nil without a process.
        public var other: UInt64?
        public var bytes: Distribution
        public var bySyscall: [String: UInt64]?

        enum CodingKeys: String, CodingKey { case count, other, bytes, bySyscall = "by_syscall" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(count, forKey: .count)
            try container.encode(other, forKey: .other)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(bySyscall, forKey: .bySyscall)
        }
    }

    /// One sentence of the diagnosis, with a stable code for scripts.
    public struct Finding: Sendable, Encodable, Equatable {
        public var code: String
        public var text: String
    }

    enum CodingKeys: String, CodingKey {
        case schema, port, cid, pids, command, startedAt = "started_at", seconds, kernel
        case exchanges, exchangesPerSecond = "exchanges_per_s", mbpsTx = "mbps_tx", mbpsRx = "mbps_rx"
        case inFlightMax = "in_flight_max", turnaroundMicroseconds = "turnaround_us", thinkMicroseconds = "think_us"
        case requestBytes = "request_bytes", responseBytes = "response_bytes", perExchange = "per_exchange"
        case connections, packets, writes, syscalls, lostEvents = "lost_events", probe, diagnosis, warnings
        case exitStatus = "exit_status", exitSignal = "exit_signal", pcapPackets = "pcap_packets"
    }

    enum ConnectionKeys: String, CodingKey {
        case parentCID = "parent_cid", parentPort = "parent_port", peerCID = "peer_cid", peerPort = "peer_port", seconds
        case exchanges, exchangesPerSecond = "exchanges_per_s", mbpsTx = "mbps_tx", mbpsRx = "mbps_rx"
        case inFlightMax = "in_flight_max", turnaroundMicroseconds = "turnaround_us", thinkMicroseconds = "think_us"
        case requestBytes = "request_bytes", responseBytes = "response_bytes", perExchange = "per_exchange"
        case packets, unansweredRequests = "unanswered_requests", overlappedExchanges = "overlapped_exchanges"
        case requestDataPackets = "request_data_packets", responseDataPackets = "response_data_packets"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        try container.encode(port, forKey: .port)
        try container.encode(cid, forKey: .cid)
        try container.encode(pids, forKey: .pids)
        try container.encode(command, forKey: .command)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(figures.exchanges, forKey: .exchanges)
        try container.encode(figures.exchangesPerSecond, forKey: .exchangesPerSecond)
        try container.encode(figures.mbpsTx, forKey: .mbpsTx)
        try container.encode(figures.mbpsRx, forKey: .mbpsRx)
        try container.encode(figures.inFlightMax, forKey: .inFlightMax)
        try container.encode(figures.turnaroundMicroseconds, forKey: .turnaroundMicroseconds)
        try container.encode(figures.thinkMicroseconds, forKey: .thinkMicroseconds)
        try container.encode(figures.requestBytes, forKey: .requestBytes)
        try container.encode(figures.responseBytes, forKey: .responseBytes)
        try container.encode(figures.perExchange, forKey: .perExchange)
        var list = container.nestedUnkeyedContainer(forKey: .connections)
        for item in connections {
            var entry = list.nestedContainer(keyedBy: ConnectionKeys.self)
            try entry.encode(item.connection.parentCID, forKey: .parentCID)
            try entry.encode(item.connection.parentPort, forKey: .parentPort)
            try entry.encode(item.connection.peerCID, forKey: .peerCID)
            try entry.encode(item.connection.peerPort, forKey: .peerPort)
            try entry.encode(item.seconds, forKey: .seconds)
            try entry.encode(item.figures.exchanges, forKey: .exchanges)
            try entry.encode(item.figures.exchangesPerSecond, forKey: .exchangesPerSecond)
            try entry.encode(item.figures.mbpsTx, forKey: .mbpsTx)
            try entry.encode(item.figures.mbpsRx, forKey: .mbpsRx)
            try entry.encode(item.figures.inFlightMax, forKey: .inFlightMax)
            try entry.encode(item.figures.turnaroundMicroseconds, forKey: .turnaroundMicroseconds)
            try entry.encode(item.figures.thinkMicroseconds, forKey: .thinkMicroseconds)
            try entry.encode(item.figures.requestBytes, forKey: .requestBytes)
            try entry.encode(item.figures.responseBytes, forKey: .responseBytes)
            try entry.encode(item.figures.perExchange, forKey: .perExchange)
            try entry.encode(item.packets, forKey: .packets)
            try entry.encode(item.unansweredRequests, forKey: .unansweredRequests)
            try entry.encode(item.overlappedExchanges, forKey: .overlappedExchanges)
            try entry.encode(item.requestDataPackets, forKey: .requestDataPackets)
            try entry.encode(item.responseDataPackets, forKey: .responseDataPackets)
        }
        try container.encode(packets, forKey: .packets)
        try container.encode(writes, forKey: .writes)
        try container.encode(syscalls, forKey: .syscalls)
        try container.encode(["packets": lostPackets, "writes": lostWrites], forKey: .lostEvents)
        try container.encode(probe, forKey: .probe)
        try container.encode(diagnosis, forKey: .diagnosis)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(exitSignal, forKey: .exitSignal)
        try container.encode(pcapPackets, forKey: .pcapPackets)
    }
}
