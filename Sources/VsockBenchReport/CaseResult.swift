import Histogram
import VsockBenchSupport
import VsockTransport
import VsockBenchModel
import VsockBenchEngine

/// Latency percentiles in microseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }

    init(_ histogram: Histogram<UInt64>) {
        func us(_ nanos: UInt64) -> Double { (Double(nanos) / 1000).rounded(toPlaces: 2) }
        p50 = us(histogram.valueAtPercentile(50))
        p90 = us(histogram.valueAtPercentile(90))
        p99 = us(histogram.valueAtPercentile(99))
        p999 = us(histogram.valueAtPercentile(99.9))
        max = us(histogram.max)
        mean = (histogram.mean / 1000).rounded(toPlaces: 2)
    }
}

/// How evenly the connections of a case shared the work.
public struct ConnectionSpread: Codable, Sendable, Equatable {
    public var connections: Int
    public var minMsgsPerSecond: Double
    public var maxMsgsPerSecond: Double
    /// Coefficient of variation of messages/s across connections (0: perfectly even).
    public var cv: Double

    enum CodingKeys: String, CodingKey {
        case connections, minMsgsPerSecond = "min_msgs_per_s", maxMsgsPerSecond = "max_msgs_per_s", cv
    }
}

/// CPU time of both processes over the measured interval.
public struct CPUSummary: Codable, Sendable, Equatable {
    public var driverUserSeconds: Double
    public var driverSystemSeconds: Double
    public var targetUserSeconds: Double?
    public var targetSystemSeconds: Double?
    /// CPU microseconds each side spent per message.
    public var driverMicrosPerMessage: Double?
    public var targetMicrosPerMessage: Double?

    enum CodingKeys: String, CodingKey {
        case driverUserSeconds = "driver_user_s", driverSystemSeconds = "driver_sys_s"
        case targetUserSeconds = "target_user_s", targetSystemSeconds = "target_sys_s"
        case driverMicrosPerMessage = "driver_us_per_msg", targetMicrosPerMessage = "target_us_per_msg"
    }
}

/// Socket options as the kernel applied them on each side.
public struct SocketSummary: Codable, Sendable, Equatable {
    public var driver: EffectiveSocketOptions?
    public var target: EffectiveSocketOptions?
}

/// One case's result: the stable JSON shape (`schema: vsockbench/1`) and the table's source.
public struct CaseResult: Codable, Sendable, Equatable {
    public var name: String
    public var workload: WorkloadKind
    public var transport: String
    /// The case as it ran (every knob); written as `config` (`CaseConfig`).
    public var spec: CaseSpec
    /// Messages in the measured interval (rr: verified responses; stream: write_size units).
    public var messages: UInt64
    /// Application payload bytes each way (frame headers and padding excluded).
    public var bytesTx: UInt64
    public var bytesRx: UInt64
    /// Bytes that crossed the driver's socket per message, both ways (headers, padding).
    public var wireBytesPerMessage: Double? = nil
    public var durationSeconds: Double
    public var mbpsTx: Double
    public var mbpsRx: Double
    public var mbpsTotal: Double
    public var msgsPerSecond: Double
    /// Per message, from ready-to-send to verified response; null for stream.
    public var latencyMicros: LatencySummary?
    /// The driver's own write and read syscalls per message.
    public var writesPerMessage: Double?
    public var readsPerMessage: Double?
    /// Writes the kernel took only part of, per message (a full socket buffer), each side.
    public var shortWritesPerMessage: Double? = nil
    public var targetShortWritesPerMessage: Double? = nil
    /// The target's, from its stats frame (its own message count).
    public var targetWritesPerMessage: Double?
    public var targetReadsPerMessage: Double?
    /// Share of the target's connection-thread time spent processing rather than in I/O.
    public var targetProcessingShare: Double?
    public var cpu: CPUSummary
    public var spread: ConnectionSpread
    public var socket: SocketSummary
    public var errors: [String]
    /// True when every message was checked and nothing was lost, reordered or corrupted.
    public var verified: Bool
    /// What was checked.
    public var verification: String
    /// The target's stats frame.
    public var target: TargetStats?
    public var targetHost: HostFacts?
    /// The eBPF probe's counts (`run --probe`); null without the probe.
    public var probe: ProbeCaseReport?
    /// Verdicts (`diagnose`); null when not diagnosed.
    public var diagnosis: [Diagnosis]?
    /// Why the case did not run although nothing failed (e.g. a stream case with `--target null`).
    public var skipped: String? = nil

    enum CodingKeys: String, CodingKey {
        case name, workload, transport, spec = "config", messages, bytesTx = "bytes_tx", bytesRx = "bytes_rx"
        case wireBytesPerMessage = "wire_bytes_per_msg"
        case durationSeconds = "duration_s", mbpsTx = "mbps_tx", mbpsRx = "mbps_rx", mbpsTotal = "mbps_total"
        case msgsPerSecond = "msgs_per_s", latencyMicros = "latency_us", writesPerMessage = "writes_per_msg"
        case readsPerMessage = "reads_per_msg", targetWritesPerMessage = "target_writes_per_msg"
        case shortWritesPerMessage = "short_writes_per_msg", targetShortWritesPerMessage = "target_short_writes_per_msg"
        case targetReadsPerMessage = "target_reads_per_msg", targetProcessingShare = "target_processing_share"
        case cpu, spread, socket, errors, verified, verification, target, targetHost = "target_host", probe, diagnosis, skipped
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls keep every key present: consumers can rely on the shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encode(transport, forKey: .transport)
        try c.encode(CaseConfig(spec), forKey: .spec)
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
        try c.encode(socket, forKey: .socket)
        try c.encode(errors, forKey: .errors)
        try c.encode(verified, forKey: .verified)
        try c.encode(verification, forKey: .verification)
        try c.encode(target, forKey: .target)
        try c.encode(targetHost, forKey: .targetHost)
        try c.encode(probe, forKey: .probe)
        try c.encode(diagnosis, forKey: .diagnosis)
        try c.encode(skipped, forKey: .skipped)
    }
}

extension CaseResult {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        workload = try c.decode(WorkloadKind.self, forKey: .workload)
        transport = try c.decode(String.self, forKey: .transport)
        spec = try c.decode(CaseConfig.self, forKey: .spec).spec
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
        socket = try c.decode(SocketSummary.self, forKey: .socket)
        errors = try c.decode([String].self, forKey: .errors)
        verified = try c.decode(Bool.self, forKey: .verified)
        verification = try c.decode(String.self, forKey: .verification)
        target = try c.decodeIfPresent(TargetStats.self, forKey: .target)
        targetHost = try c.decodeIfPresent(HostFacts.self, forKey: .targetHost)
        probe = try c.decodeIfPresent(ProbeCaseReport.self, forKey: .probe)
        diagnosis = try c.decodeIfPresent([Diagnosis].self, forKey: .diagnosis)
        skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
