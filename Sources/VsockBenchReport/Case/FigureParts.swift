import Histogram
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

    public init(driverUserSeconds: Double, driverSystemSeconds: Double, targetUserSeconds: Double? = nil, targetSystemSeconds: Double? = nil,
                driverMicrosPerMessage: Double? = nil, targetMicrosPerMessage: Double? = nil) {
        self.driverUserSeconds = driverUserSeconds
        self.driverSystemSeconds = driverSystemSeconds
        self.targetUserSeconds = targetUserSeconds
        self.targetSystemSeconds = targetSystemSeconds
        self.driverMicrosPerMessage = driverMicrosPerMessage
        self.targetMicrosPerMessage = targetMicrosPerMessage
    }

    enum CodingKeys: String, CodingKey {
        case driverUserSeconds = "driver_user_s", driverSystemSeconds = "driver_sys_s"
        case targetUserSeconds = "target_user_s", targetSystemSeconds = "target_sys_s"
        case driverMicrosPerMessage = "driver_us_per_msg", targetMicrosPerMessage = "target_us_per_msg"
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
