import Histogram
import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport
import VsockProbe
import VsockTransport

/// One slice of a case's time series (`interval`): the case's figures over that slice only.
/// The slices' messages, bytes and syscalls add up to the case's.
public struct IntervalFigures: Codable, Sendable, Equatable {
    /// Seconds from the opening of the measured interval to the slice's start, and its length.
    public var startSeconds: Double
    public var durationSeconds: Double
    public var messages: UInt64
    public var bytesTx: UInt64
    public var bytesRx: UInt64
    public var mbpsTx: Double
    public var mbpsRx: Double
    public var msgsPerSecond: Double
    /// Of the responses that came in this slice; nil for a stream or a slice without one.
    public var p50Micros: Double?
    public var p99Micros: Double?
    public var writesPerMessage: Double?
    public var readsPerMessage: Double?
    /// Syscalls of the slice (its messages' share of the case's counts).
    public var writes: UInt64
    public var reads: UInt64
    /// The probe's counts over the slice, when `--probe` ran.
    public var probe: ProbeCaseReport?
    /// Under `stallShare` of the case's median slice rate: the channel or the target stalled.
    public var stall: Bool

    /// A slice under this share of the median slice's msgs/s is a stall.
    public static let stallShare = 0.10

    enum CodingKeys: String, CodingKey {
        case startSeconds = "start_s", durationSeconds = "duration_s", messages, bytesTx = "bytes_tx", bytesRx = "bytes_rx"
        case mbpsTx = "mbps_tx", mbpsRx = "mbps_rx", msgsPerSecond = "msgs_per_s", p50Micros = "p50_us", p99Micros = "p99_us"
        case writesPerMessage = "writes_per_msg", readsPerMessage = "reads_per_msg", writes, reads, probe, stall
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(startSeconds, forKey: .startSeconds)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(messages, forKey: .messages)
        try c.encode(bytesTx, forKey: .bytesTx)
        try c.encode(bytesRx, forKey: .bytesRx)
        try c.encode(mbpsTx, forKey: .mbpsTx)
        try c.encode(mbpsRx, forKey: .mbpsRx)
        try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
        try c.encode(p50Micros, forKey: .p50Micros)
        try c.encode(p99Micros, forKey: .p99Micros)
        try c.encode(writesPerMessage, forKey: .writesPerMessage)
        try c.encode(readsPerMessage, forKey: .readsPerMessage)
        try c.encode(writes, forKey: .writes)
        try c.encode(reads, forKey: .reads)
        try c.encode(probe, forKey: .probe)
        try c.encode(stall, forKey: .stall)
    }

    /// The slices of a measured case: neighbouring samples' differences, each slice's latency
    /// from the workers' per-slice histograms, stalls flagged against the median slice.
    static func series(_ m: CaseMeasurement) -> [IntervalFigures]? {
        var samples = m.intervals
        guard samples.count >= 2, let origin = samples.first?.nanos else { return nil }
        // A stream's messages are write_size units of the bytes moved, counted at the end:
        // each sample's share comes from its bytes, bounded by the final count so the slices
        // still add up to it.
        if let stream = m.spec.stream, let final = samples.last?.reading.tally.messages {
            for i in samples.indices.dropLast() {
                let bytes = samples[i].reading.tally.bytesIn + samples[i].reading.tally.bytesOut
                samples[i].reading.tally.messages = min(bytes / UInt64(stream.writeSize), final)
            }
        }
        var slices: [IntervalFigures] = []
        for (index, (before, after)) in zip(samples, samples.dropFirst()).enumerated() {
            let tally = after.reading.tally - before.reading.tally
            let io = after.reading.io - before.reading.io
            let seconds = Double(after.nanos &- before.nanos) / 1e9
            func mbps(_ bytes: UInt64) -> Double { seconds > 0 ? (Double(bytes) * 8 / seconds / 1e6).rounded(toPlaces: 3) : 0 }
            func per(_ count: UInt64) -> Double? { tally.messages > 0 ? (Double(count) / Double(tally.messages)).rounded(toPlaces: 3) : nil }
            var latency: Histogram<UInt64>?
            for worker in m.workers where index < worker.sliceLatency.count {
                if latency == nil { latency = WorkerResult.newSliceHistogram() }
                latency?.add(worker.sliceLatency[index])
            }
            // The last slice also holds any response that came after the last boundary.
            if index == samples.count - 2 {
                for worker in m.workers where worker.sliceLatency.count > samples.count - 1 {
                    for extra in worker.sliceLatency[(samples.count - 1)...] {
                        if latency == nil { latency = WorkerResult.newSliceHistogram() }
                        latency?.add(extra)
                    }
                }
            }
            let hasLatency = (latency?.totalCount ?? 0) > 0
            var probe: ProbeCaseReport?
            if let a = before.probe, let b = after.probe {
                let delta = b.subtracting(a).excludingProbeReads()
                probe = ProbeCaseReport(counters: delta, perMessage: CaseSummary.perMessage(delta, loopback: m.probeLoopback, messages: tally.messages), processes: m.probeProcesses)
            }
            slices.append(IntervalFigures(
                startSeconds: (Double(before.nanos &- origin) / 1e9).rounded(toPlaces: 3), durationSeconds: seconds.rounded(toPlaces: 6),
                messages: tally.messages, bytesTx: tally.bytesOut, bytesRx: tally.bytesIn, mbpsTx: mbps(tally.bytesOut), mbpsRx: mbps(tally.bytesIn),
                msgsPerSecond: seconds > 0 ? (Double(tally.messages) / seconds).rounded(toPlaces: 1) : 0,
                p50Micros: hasLatency ? latency.map { (Double($0.valueAtPercentile(50)) / 1e3).rounded(toPlaces: 1) } : nil,
                p99Micros: hasLatency ? latency.map { (Double($0.valueAtPercentile(99)) / 1e3).rounded(toPlaces: 1) } : nil,
                writesPerMessage: per(io.writes), readsPerMessage: per(io.reads), writes: io.writes, reads: io.reads, probe: probe, stall: false))
        }
        flagStalls(&slices, fewest: stallFloor(m.spec))
        return slices
    }

    /// The fewest messages the median slice must carry for a slice under `stallShare` of it
    /// to be a stall rather than chance: 10 (a stall is then an empty slice), 20 with Poisson
    /// arrivals, whose counts vary by their square root (an empty slice where 10 are expected
    /// comes once in 22,000; where 20 are, once in 500 million). At 100/s in 5 ms slices every
    /// other slice is empty by its schedule alone, and each was flagged a stall (review).
    public static func stallFloor(_ spec: CaseSpec) -> UInt64 {
        spec.exchange?.rate?.arrivals == .poisson ? 20 : 10
    }

    /// The median of the slices' message counts.
    public static func medianMessages(_ slices: [IntervalFigures]) -> Double {
        let counts = slices.map { Double($0.messages) }.sorted()
        guard !counts.isEmpty else { return 0 }
        return counts.count % 2 == 1 ? counts[counts.count / 2] : (counts[counts.count / 2 - 1] + counts[counts.count / 2]) / 2
    }

    /// Marks slices under `stallShare` of the median slice's msgs/s, when the median slice
    /// carries at least `fewest` messages (see `stallFloor`).
    static func flagStalls(_ slices: inout [IntervalFigures], fewest: UInt64 = 10) {
        let rates = slices.map(\.msgsPerSecond).sorted()
        guard !rates.isEmpty, medianMessages(slices) >= Double(fewest) else { return }
        let median = rates.count % 2 == 1 ? rates[rates.count / 2] : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
        for i in slices.indices { slices[i].stall = median > 0 && slices[i].msgsPerSecond < median * stallShare }
    }
}
