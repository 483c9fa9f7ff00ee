import Histogram

/// The exchanges of a connection (or of all of them) summed up: HdrHistogram distributions of
/// turnaround, think time and sizes, and the packet counts to divide by the exchanges.
public struct ExchangeStatistics: Sendable {
    public private(set) var exchanges = 0
    /// Nanoseconds.
    public private(set) var turnaround = Self.timeHistogram()
    public private(set) var think = Self.timeHistogram()
    /// Bytes, exact.
    public private(set) var requestBytes = SizeDistribution()
    public private(set) var responseBytes = SizeDistribution()
    public private(set) var requestDataPackets = 0
    public private(set) var responseDataPackets = 0
    public private(set) var packetsFromParent = 0
    public private(set) var packetsToParent = 0
    public private(set) var creditUpdates = 0
    public private(set) var creditRequests = 0
    /// The most requests seen in flight at an answer (1: stop-and-wait); 0 before any exchange.
    public private(set) var inFlightMax = 0
    /// Exchanges answered with more than one request in flight.
    public private(set) var overlapped = 0
    /// The first exchange's first request packet and the last one's last answer packet: the
    /// span the exchanges took (a connection's life can be longer: idle before its first
    /// request or after its last answer).
    public private(set) var firstRequestNanos: UInt64?
    public private(set) var lastResponseNanos: UInt64?

    public init() {}

    public mutating func record(_ exchange: Exchange) {
        exchanges += 1
        _ = turnaround.record(max(1, exchange.turnaroundNanos))
        if let think = exchange.thinkNanos { _ = self.think.record(max(1, think)) }
        requestBytes.record(exchange.requestBytes)
        responseBytes.record(exchange.responseBytes)
        requestDataPackets += exchange.requestDataPackets
        responseDataPackets += exchange.responseDataPackets
        packetsFromParent += exchange.packetsFromParent
        packetsToParent += exchange.packetsToParent
        creditUpdates += exchange.creditUpdates
        creditRequests += exchange.creditRequests
        inFlightMax = max(inFlightMax, exchange.inFlight)
        if exchange.inFlight > 1 { overlapped += 1 }
        firstRequestNanos = min(firstRequestNanos ?? exchange.requestStartNanos, exchange.requestStartNanos)
        lastResponseNanos = max(lastResponseNanos ?? exchange.responseEndNanos, exchange.responseEndNanos)
    }

    /// Seconds from the first exchange's request to the last one's answer; nil without exchanges.
    public var exchangingSeconds: Double? {
        guard let first = firstRequestNanos, let last = lastResponseNanos, last >= first else { return nil }
        return Double(last - first) / 1e9
    }

    public mutating func add(_ other: ExchangeStatistics) {
        exchanges += other.exchanges
        turnaround.add(other.turnaround)
        think.add(other.think)
        requestBytes.add(other.requestBytes)
        responseBytes.add(other.responseBytes)
        requestDataPackets += other.requestDataPackets
        responseDataPackets += other.responseDataPackets
        packetsFromParent += other.packetsFromParent
        packetsToParent += other.packetsToParent
        creditUpdates += other.creditUpdates
        creditRequests += other.creditRequests
        inFlightMax = max(inFlightMax, other.inFlightMax)
        overlapped += other.overlapped
        firstRequestNanos = [firstRequestNanos, other.firstRequestNanos].compactMap { $0 }.min()
        lastResponseNanos = [lastResponseNanos, other.lastResponseNanos].compactMap { $0 }.max()
    }

    /// One nanosecond to an hour, three significant digits, growing past an hour when a value
    /// needs it (a think time of hours). About 270 KB each, however little is recorded:
    /// histograms that started small and grew with their values (65 KiB for a short
    /// connection) made observe's reader stall 0.5-1.2 s once per observation in the lab guest
    /// (its 'fell behind' check failed in 9 of 12 cases over three runs, 0 of 12 with fixed
    /// ranges; the cause is not found), so the range is fixed again and only grows beyond it.
    static func timeHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }

}

/// Sizes, exactly: a count per distinct size while there are at most ``distinctLimit`` of them
/// (messages come in few sizes), and an HdrHistogram beside it that takes over beyond (three
/// significant digits: within 0.1%). A run of one size is counted before it reaches the table
/// (the size of each exchange is often its predecessor's: no hashing then), in the table and
/// in the histogram alike.
public struct SizeDistribution: Sendable {
    /// Every size recorded, the open run included (a copy: for reports, not per event).
    public var histogram: Histogram<UInt64> {
        guard runLength > 0 else { return closedRuns }
        var all = closedRuns
        _ = all.record(max(1, runSize), count: runLength)
        return all
    }
    /// The runs closed so far: up to 1 TiB, growing beyond (as ``ExchangeStatistics``'s times).
    private var closedRuns: Histogram<UInt64> = {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1 << 40, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }()
    private var exact: [UInt64: UInt64]? = [:]
    /// The latest size and how many times in a row it came, not in `exact` yet.
    private var runSize: UInt64 = 0
    private var runLength: UInt64 = 0
    public private(set) var count: UInt64 = 0
    private var sum: Double = 0

    static let distinctLimit = 4096

    public init() {}

    public mutating func record(_ bytes: UInt64) {
        count += 1
        sum += Double(bytes)
        if bytes == runSize && runLength > 0 {
            runLength += 1
        } else {
            closeRun()
            runSize = bytes
            runLength = 1
        }
    }

    public mutating func add(_ other: SizeDistribution) {
        closeRun()
        closedRuns.add(other.histogram)
        count += other.count
        sum += other.sum
        if let theirs = other.exactSizes, exact != nil {
            for (size, times) in theirs { exact?[size, default: 0] += times }
            if (exact?.count ?? 0) > Self.distinctLimit { exact = nil }
        } else {
            exact = nil
        }
    }

    /// Whether the percentiles are exact sizes (else within 0.1%).
    public var isExact: Bool { exactSizes != nil }

    public var distribution: Distribution {
        guard count > 0 else { return .empty }
        guard let exact = exactSizes else { return Distribution(histogram) }
        let sorted = exact.sorted { $0.key < $1.key }
        func percentile(_ p: Double) -> Double {
            let rank = UInt64((p / 100 * Double(count)).rounded(.up))
            var seen: UInt64 = 0
            for (size, times) in sorted {
                seen += times
                if seen >= max(1, rank) { return Double(size) }
            }
            return Double(sorted.last?.key ?? 0)
        }
        return Distribution(
            p50: percentile(50), p90: percentile(90), p99: percentile(99), max: Double(sorted.last?.key ?? 0),
            mean: Distribution.round(sum / Double(count)))
    }

    /// The count per size, the open run included; nil beyond ``distinctLimit`` sizes.
    private var exactSizes: [UInt64: UInt64]? {
        guard var sizes = exact else { return nil }
        guard runLength > 0 else { return sizes }
        sizes[runSize, default: 0] += runLength
        return sizes.count > Self.distinctLimit ? nil : sizes
    }

    private mutating func closeRun() {
        guard runLength > 0 else { return }
        _ = closedRuns.record(max(1, runSize), count: runLength)
        if exact != nil {
            exact?[runSize, default: 0] += runLength
            if (exact?.count ?? 0) > Self.distinctLimit { exact = nil }
        }
        runLength = 0
    }
}

/// `{p50, p90, p99, max, mean}` of a distribution, in the unit of its JSON key; all null when
/// nothing was recorded.
public struct Distribution: Sendable, Equatable, Encodable {
    public var p50: Double?
    public var p90: Double?
    public var p99: Double?
    public var max: Double?
    public var mean: Double?

    public static let empty = Distribution(p50: nil, p90: nil, p99: nil, max: nil, mean: nil)

    /// `histogram`'s values divided by `divisor` (1000 turns nanoseconds into microseconds).
    /// Percentiles as `run`'s latencies read them: the top of the value's bucket (within 0.1%),
    /// never above the largest value recorded; `max` is that value exactly. (The middle of the
    /// bucket, read before, could put a p99 above the slowest exchange.)
    public init(_ histogram: Histogram<UInt64>, divisor: Double = 1) {
        guard histogram.totalCount > 0 else {
            self = .empty
            return
        }
        func scaled(_ value: UInt64) -> Double { Self.round(Double(value) / divisor) }
        p50 = scaled(histogram.valueAtPercentile(50))
        p90 = scaled(histogram.valueAtPercentile(90))
        p99 = scaled(histogram.valueAtPercentile(99))
        max = scaled(histogram.maxRecorded)
        mean = Self.round(histogram.mean / divisor)
    }

    public init(p50: Double?, p90: Double?, p99: Double?, max: Double?, mean: Double?) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.mean = mean
    }

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }

    enum CodingKeys: String, CodingKey { case p50, p90, p99, max, mean }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(p50, forKey: .p50)
        try container.encode(p90, forKey: .p90)
        try container.encode(p99, forKey: .p99)
        try container.encode(max, forKey: .max)
        try container.encode(mean, forKey: .mean)
    }
}
