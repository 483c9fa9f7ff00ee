import Histogram
import VsockBenchSupport
import VsockTransport

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
        // The slowest message exactly: `max` is the top of its bucket (up to 0.1% above), so a
        // p99.9 that is the slowest message read 447.8 beside a max of 448.0 (review).
        max = us(histogram.maxRecorded)
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

    public init(connections: Int, minMsgsPerSecond: Double, maxMsgsPerSecond: Double, cv: Double) {
        self.connections = connections
        self.minMsgsPerSecond = minMsgsPerSecond
        self.maxMsgsPerSecond = maxMsgsPerSecond
        self.cv = cv
    }

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
    /// The driver's machine over the measured interval, from /proc/stat (null where it cannot be
    /// read, or the interval is under 300 ms: its ticks are too coarse): CPUs' worth of busy
    /// time, this run's and its virtual machines' included (1.5 of 2 CPUs busy on average).
    public var machineBusyCPUs: Double?
    /// Other programs beside the run: CPUs' worth of the machine's user-space time (user and
    /// nice) that was not this run's, less the driver's and, where the target runs on the same
    /// machine (a Unix socket, vsock CID 1 or its own, TCP loopback, in process), the target's.
    /// Kernel time is left out: the kernel's own work for the run (a TCP loopback's softirqs,
    /// the vsock loopback's workers, a virtio device's interrupts) would read as other work;
    /// so is virtual machines' time (a target in a VM on this host spends its CPU there), and
    /// a program's time in system calls. A lower bound of other programs, then. Null where
    /// the target's CPU on this machine is unknown (a service that is not vsockbench beside
    /// the driver, a TCP address that is not loopback). Ticks of 10 ms make it coarse: within
    /// about 0.1 CPU over 300 ms, less over longer.
    public var otherUserCPUs: Double?
    /// The share of the machine's CPU time its hypervisor took (steal: a virtual CPU ready to
    /// run while the host ran something else), 0 to 1.
    public var machineStealShare: Double?

    public init(driverUserSeconds: Double, driverSystemSeconds: Double, targetUserSeconds: Double? = nil, targetSystemSeconds: Double? = nil,
                driverMicrosPerMessage: Double? = nil, targetMicrosPerMessage: Double? = nil,
                machineBusyCPUs: Double? = nil, otherUserCPUs: Double? = nil, machineStealShare: Double? = nil) {
        self.driverUserSeconds = driverUserSeconds
        self.driverSystemSeconds = driverSystemSeconds
        self.targetUserSeconds = targetUserSeconds
        self.targetSystemSeconds = targetSystemSeconds
        self.driverMicrosPerMessage = driverMicrosPerMessage
        self.targetMicrosPerMessage = targetMicrosPerMessage
        self.machineBusyCPUs = machineBusyCPUs
        self.otherUserCPUs = otherUserCPUs
        self.machineStealShare = machineStealShare
    }

    enum CodingKeys: String, CodingKey {
        case driverUserSeconds = "driver_user_s", driverSystemSeconds = "driver_sys_s"
        case targetUserSeconds = "target_user_s", targetSystemSeconds = "target_sys_s"
        case driverMicrosPerMessage = "driver_us_per_msg", targetMicrosPerMessage = "target_us_per_msg"
        case machineBusyCPUs = "machine_busy_cpus", otherUserCPUs = "other_user_cpus", machineStealShare = "machine_steal_share"
    }

    /// Files written before the machine's figures have none of their keys: null then.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        driverUserSeconds = try c.decode(Double.self, forKey: .driverUserSeconds)
        driverSystemSeconds = try c.decode(Double.self, forKey: .driverSystemSeconds)
        targetUserSeconds = try c.decodeIfPresent(Double.self, forKey: .targetUserSeconds)
        targetSystemSeconds = try c.decodeIfPresent(Double.self, forKey: .targetSystemSeconds)
        driverMicrosPerMessage = try c.decodeIfPresent(Double.self, forKey: .driverMicrosPerMessage)
        targetMicrosPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetMicrosPerMessage)
        machineBusyCPUs = try c.decodeIfPresent(Double.self, forKey: .machineBusyCPUs)
        otherUserCPUs = try c.decodeIfPresent(Double.self, forKey: .otherUserCPUs)
        machineStealShare = try c.decodeIfPresent(Double.self, forKey: .machineStealShare)
    }

    /// Every key, null where not counted (no target stats, no message).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(driverUserSeconds, forKey: .driverUserSeconds)
        try c.encode(driverSystemSeconds, forKey: .driverSystemSeconds)
        try c.encode(targetUserSeconds, forKey: .targetUserSeconds)
        try c.encode(targetSystemSeconds, forKey: .targetSystemSeconds)
        try c.encode(driverMicrosPerMessage, forKey: .driverMicrosPerMessage)
        try c.encode(targetMicrosPerMessage, forKey: .targetMicrosPerMessage)
        try c.encode(machineBusyCPUs, forKey: .machineBusyCPUs)
        try c.encode(otherUserCPUs, forKey: .otherUserCPUs)
        try c.encode(machineStealShare, forKey: .machineStealShare)
    }

    /// Other programs of at least this many CPUs beside a trial is a busy machine.
    public static let busyOtherCPUs = 0.5
    /// A hypervisor that took at least this share of the CPU time is a busy machine.
    public static let busyStealShare = 0.1

    /// Whether the machine was busy beside the run while this trial ran (other programs, or
    /// steal), by the thresholds above; false where it was not measured.
    public var machineWasBusy: Bool {
        (otherUserCPUs ?? 0) >= Self.busyOtherCPUs || (machineStealShare ?? 0) >= Self.busyStealShare
    }

    /// What made the machine busy in `trials` (those `machineWasBusy` found busy): "1.2 CPUs of
    /// other programs; the hypervisor took 31% of its CPU time (steal)", the largest of each,
    /// "up to" over several trials.
    static func busyText(_ trials: [CaseFigures]) -> String {
        let upTo = trials.count > 1 ? "up to " : ""
        var what: [String] = []
        if let other = trials.compactMap(\.cpu.otherUserCPUs).max(), other >= busyOtherCPUs {
            what.append("\(upTo)\(Format.fixed(other, 1)) CPUs of other programs")
        }
        if let steal = trials.compactMap(\.cpu.machineStealShare).max(), steal >= busyStealShare {
            what.append("the hypervisor took \(upTo)\(Format.fixed(steal * 100, 0))% of its CPU time (steal)")
        }
        return what.joined(separator: "; ")
    }
}

/// Socket options as the kernel applied them on each side.
public struct SocketSummary: Codable, Sendable, Equatable {
    public var driver: EffectiveSocketOptions?
    public var target: EffectiveSocketOptions?

    public init(driver: EffectiveSocketOptions? = nil, target: EffectiveSocketOptions? = nil) {
        self.driver = driver
        self.target = target
    }

    enum CodingKeys: String, CodingKey {
        case driver, target
    }

    /// Both keys, null for a side never reached (a failed connection, a service with no hello).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(driver, forKey: .driver)
        try c.encode(target, forKey: .target)
    }
}
