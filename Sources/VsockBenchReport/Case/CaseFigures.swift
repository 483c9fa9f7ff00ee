import VsockBenchEngine
import VsockProbe

/// What one trial of a case measured, or, for a case run several times, the median of each
/// figure over its trials: messages and payload each way per second, latency, what each
/// message cost on both sides, CPU. The same keys name a trial (`cases[].trials[]`) and a
/// case (flattened into `cases[]`), so a reader finds a figure in the same place in both.
///
/// Mbps is application payload per second in one direction: `mbps_tx` driver to target,
/// `mbps_rx` target to driver, frame headers and padding excluded (`wire_bytes_per_msg` says
/// what crossed the socket); `mbps_total` is their sum.
public struct CaseFigures: Codable, Sendable, Equatable {
    /// Messages in the measured interval (rr, masked: verified responses; stream: `write_size` units).
    public var messages: UInt64 = 0
    /// Application payload bytes each way.
    public var bytesTx: UInt64 = 0
    public var bytesRx: UInt64 = 0
    /// Bytes that crossed the driver's socket per message, both ways (headers, padding).
    public var wireBytesPerMessage: Double?
    public var durationSeconds: Double = 0
    public var mbpsTx: Double = 0
    public var mbpsRx: Double = 0
    public var mbpsTotal: Double = 0
    public var msgsPerSecond: Double = 0
    /// Per message, from ready-to-send to verified response; null for stream.
    public var latencyMicros: LatencySummary?
    /// The driver's own write and read syscalls per message.
    public var writesPerMessage: Double?
    public var readsPerMessage: Double?
    /// Writes the kernel took only part of, per message (a full socket buffer), each side.
    public var shortWritesPerMessage: Double?
    public var targetShortWritesPerMessage: Double?
    /// The target's, from its stats frame (its own message count).
    public var targetWritesPerMessage: Double?
    public var targetReadsPerMessage: Double?
    /// Share of the target's connection-thread time spent processing rather than in I/O.
    public var targetProcessingShare: Double?
    public var cpu = CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0)
    /// How evenly the connections shared the work.
    public var spread = ConnectionSpread(connections: 0, minMsgsPerSecond: 0, maxMsgsPerSecond: 0, cv: 0)
    /// The time series (`interval`): the case slice by slice; null without an interval.
    public var intervals: [IntervalFigures]?
    /// Open loop: the rate asked against the rate kept; null for closed-loop cases.
    public var openLoop: OpenLoopReport?
    /// The eBPF probe's counts (`run --probe`); null without the probe.
    public var probe: ProbeCaseReport?
    /// What went wrong (never payload bytes); empty when nothing did.
    public var errors: [String] = []
    /// True when every message was checked and nothing was lost, reordered or corrupted.
    public var verified = false
    /// The run was interrupted (SIGINT) while this ran: its figures are cut short, and its
    /// errors are the interrupt's. Not a pass (`verified` stays false), but no verdict on the
    /// channel either: the tables say "cut short", not NO or FAILED. False in older files.
    public var interrupted = false

    public init() {}

    enum CodingKeys: String, CodingKey {
        case messages, bytesTx = "bytes_tx", bytesRx = "bytes_rx", wireBytesPerMessage = "wire_bytes_per_msg"
        case durationSeconds = "duration_s", mbpsTx = "mbps_tx", mbpsRx = "mbps_rx", mbpsTotal = "mbps_total"
        case msgsPerSecond = "msgs_per_s", latencyMicros = "latency_us", writesPerMessage = "writes_per_msg"
        case readsPerMessage = "reads_per_msg", targetWritesPerMessage = "target_writes_per_msg"
        case shortWritesPerMessage = "short_writes_per_msg", targetShortWritesPerMessage = "target_short_writes_per_msg"
        case targetReadsPerMessage = "target_reads_per_msg", targetProcessingShare = "target_processing_share"
        case cpu, spread, probe, errors, verified, interrupted, openLoop = "open_loop", intervals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messages = try c.decode(UInt64.self, forKey: .messages)
        bytesTx = try c.decode(UInt64.self, forKey: .bytesTx)
        bytesRx = try c.decode(UInt64.self, forKey: .bytesRx)
        wireBytesPerMessage = try c.decodeIfPresent(Double.self, forKey: .wireBytesPerMessage)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        mbpsTx = try c.decode(Double.self, forKey: .mbpsTx)
        mbpsRx = try c.decode(Double.self, forKey: .mbpsRx)
        mbpsTotal = try c.decode(Double.self, forKey: .mbpsTotal)
        msgsPerSecond = try c.decode(Double.self, forKey: .msgsPerSecond)
        latencyMicros = try c.decodeIfPresent(LatencySummary.self, forKey: .latencyMicros)
        writesPerMessage = try c.decodeIfPresent(Double.self, forKey: .writesPerMessage)
        readsPerMessage = try c.decodeIfPresent(Double.self, forKey: .readsPerMessage)
        shortWritesPerMessage = try c.decodeIfPresent(Double.self, forKey: .shortWritesPerMessage)
        targetShortWritesPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetShortWritesPerMessage)
        targetWritesPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetWritesPerMessage)
        targetReadsPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetReadsPerMessage)
        targetProcessingShare = try c.decodeIfPresent(Double.self, forKey: .targetProcessingShare)
        cpu = try c.decode(CPUSummary.self, forKey: .cpu)
        spread = try c.decode(ConnectionSpread.self, forKey: .spread)
        probe = try c.decodeIfPresent(ProbeCaseReport.self, forKey: .probe)
        openLoop = try c.decodeIfPresent(OpenLoopReport.self, forKey: .openLoop)
        intervals = try c.decodeIfPresent([IntervalFigures].self, forKey: .intervals)
        errors = try c.decode([String].self, forKey: .errors)
        verified = try c.decode(Bool.self, forKey: .verified)
        interrupted = try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls keep every key present: consumers can rely on the shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messages, forKey: .messages)
        try c.encode(bytesTx, forKey: .bytesTx)
        try c.encode(bytesRx, forKey: .bytesRx)
        try c.encode(wireBytesPerMessage, forKey: .wireBytesPerMessage)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(mbpsTx, forKey: .mbpsTx)
        try c.encode(mbpsRx, forKey: .mbpsRx)
        try c.encode(mbpsTotal, forKey: .mbpsTotal)
        try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
        try c.encode(latencyMicros, forKey: .latencyMicros)
        try c.encode(writesPerMessage, forKey: .writesPerMessage)
        try c.encode(readsPerMessage, forKey: .readsPerMessage)
        try c.encode(shortWritesPerMessage, forKey: .shortWritesPerMessage)
        try c.encode(targetShortWritesPerMessage, forKey: .targetShortWritesPerMessage)
        try c.encode(targetWritesPerMessage, forKey: .targetWritesPerMessage)
        try c.encode(targetReadsPerMessage, forKey: .targetReadsPerMessage)
        try c.encode(targetProcessingShare, forKey: .targetProcessingShare)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(spread, forKey: .spread)
        try c.encode(probe, forKey: .probe)
        try c.encode(openLoop, forKey: .openLoop)
        try c.encode(intervals, forKey: .intervals)
        try c.encode(errors, forKey: .errors)
        try c.encode(verified, forKey: .verified)
        try c.encode(interrupted, forKey: .interrupted)
    }
}

extension CaseFigures {
    /// The latencies a trial's percentiles are made of: its messages, and in open loop also the
    /// measured requests answered after the interval (their latency is recorded, their answer
    /// is not counted in the interval's messages).
    public var latencyCount: UInt64 { messages &+ (openLoop?.answeredAfterEnd ?? 0) }
}
