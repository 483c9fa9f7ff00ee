import Histogram
import VsockBenchModel
import VsockBenchSupport
import VsockProbe

/// A case's measured part cut into slices of `interval` (a time series): the runner samples
/// the connections' meters (and the probe, and the process CPU) at each slice boundary; a
/// slice is the difference of two samples, so the slices add up to the case's totals exactly,
/// and their seconds to the case's span (the first sample is moved to the span's start).
public struct IntervalSample: Sendable {
    /// Every connection's reading from its interval's opening up to this sample.
    public var reading: IntervalReading
    /// Monotonic nanoseconds of the sample.
    public var nanos: UInt64
    /// The probe's counters (since it was attached), when it runs.
    public var probe: ProbeCounters?
}

/// The samples of one case, taken on the runner's thread only.
struct IntervalSampler {
    let every: UInt64
    let meters: [IntervalMeter]
    let probe: Probe?
    private(set) var origin: UInt64 = 0
    private(set) var samples: [IntervalSample] = []

    init(every: UInt64, meters: [IntervalMeter], probe: Probe?) {
        self.every = every
        self.meters = meters
        self.probe = probe
    }

    /// The boundary the next sample is due at (origin + k x every).
    private var boundary = 1

    /// The next boundary, or `.max` once the series is full (the rest folds into the last slice).
    var nextBoundary: UInt64 {
        samples.count > CaseSpec.maxIntervals ? .max : origin + UInt64(boundary) * every
    }

    /// The first sample, at the moment the interval opens (every reading still empty).
    mutating func start(at nanos: UInt64, probe counters: ProbeCounters?) {
        origin = nanos
        boundary = 1
        samples = [IntervalSample(reading: IntervalReading(), nanos: nanos, probe: counters)]
    }

    /// The last finished slice (for the progress line); nil before the first.
    var lastSlice: SliceProgress? {
        guard samples.count >= 2 else { return nil }
        let (a, b) = (samples[samples.count - 2], samples[samples.count - 1])
        let tally = b.reading.tally - a.reading.tally
        return SliceProgress(index: samples.count - 1, seconds: Double(b.nanos &- a.nanos) / 1e9, messages: tally.messages,
                             bytesTx: tally.bytesOut, bytesRx: tally.bytesIn)
    }

    /// Samples the meters, and moves on to the next boundary still ahead: a runner held up
    /// past several (the driver stopped) takes one long slice, not a burst of slices a few
    /// microseconds long (3.5 ms holding 632 messages, "178312 msgs/s").
    mutating func sample() {
        let reading = meters.reduce(IntervalReading()) { $0 + $1.reading() }
        let now = MonotonicClock.nanos()
        samples.append(IntervalSample(reading: reading, nanos: now, probe: try? probe?.read()))
        let passed = now > origin ? min((now - origin) / max(every, 1), UInt64(CaseSpec.maxIntervals) + 1) : 0
        boundary = max(boundary + 1, Int(passed) + 1)
    }

    /// The series with its last sample at the end of the case: the final readings (after
    /// every worker finished) and the probe's reading at the close.
    func finished(final reading: IntervalReading, probe counters: ProbeCounters?, at nanos: UInt64) -> [IntervalSample] {
        guard !samples.isEmpty else { return [] }
        var all = samples
        // A last slice of less than a quarter interval is folded into the one before.
        if all.count > 1, let last = all.last, nanos < last.nanos + every / 4 { all.removeLast() }
        all.append(IntervalSample(reading: reading, nanos: max(nanos, all.last?.nanos ?? nanos), probe: counters))
        // The first slice starts where the case's span does (its first measured request, or
        // an open loop's first intended send), not at the mark before it: the slices' seconds
        // then add up to the case's, as their counts do (a 3-message run's one slice read
        // 1788 msgs/s over 1.68 ms where the case read 2000 over 1.5).
        // Only within the first slice: a span that starts after the first boundary (an open
        // loop whose gap is longer than the interval) would make it 0 s long (review); then the
        // first slices stay the runner's, empty, and the seconds do not add up to the case's.
        if let start = reading.start?.nanos, all.count > 1, start > all[0].nanos, start < all[1].nanos {
            all[0].nanos = start
        }
        return all
    }
}

/// Latency of the measured messages, whole case and per slice: a response's latency goes in
/// the slice under way when it is recorded (`RunControl.currentSlice`), which the runner moves
/// on as it samples the meters; a worker records a latency before it counts its message, so
/// both land in the same slice unless the sample falls between the two.
struct LatencyRecorder {
    var total = WorkerResult.newHistogram()
    var slices: [Histogram<UInt64>] = []
    let every: UInt64?
    let control: RunControl

    init(every: UInt64?, control: RunControl) {
        self.every = every
        self.control = control
    }

    @inline(__always)
    mutating func record(_ latency: UInt64) {
        total.record(latency)
        guard every != nil else { return }
        recordSlice(latency)
    }

    private mutating func recordSlice(_ latency: UInt64) {
        let index = min(control.currentSlice, CaseSpec.maxIntervals)
        while slices.count <= index { slices.append(WorkerResult.newSliceHistogram()) }
        slices[index].record(latency)
    }
}
