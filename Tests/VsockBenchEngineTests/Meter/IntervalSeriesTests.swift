import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
@testable import VsockBenchEngine

/// The time series (`interval`): samples at every slice boundary whose differences add up to
/// the case's totals, and per-slice latency that adds up to the case's histogram.
@Suite struct IntervalSeriesTests {
    /// The resolution the run's text and the README state for a slice's percentiles: within
    /// 0.5 us or 1%, whichever is larger (two significant digits from 512 ns up).
    @Test func aSlicesPercentilesAreWithinHalfAMicrosecondOrOnePercent() {
        for nanos: UInt64 in [900, 2_345, 23_940, 57_470, 131_000, 250_123, 1_234_567, 48_000_000] {
            var h = WorkerResult.newSliceHistogram()
            h.record(nanos)
            let read = Double(h.valueAtPercentile(50))
            let allowed = max(512, Double(nanos) * 0.01)
            #expect(abs(read - Double(nanos)) <= allowed, "\(nanos) ns read as \(read)")
        }
    }

    static func withInterval(_ spec: CaseSpec, _ nanos: UInt64 = 50_000_000) -> CaseSpec {
        var spec = spec
        spec.intervalNanos = nanos
        spec.stop = .duration(nanos: 300_000_000)
        return spec
    }

    static func expectSeriesAddsUp(_ m: CaseMeasurement, latency: Bool) {
        let samples = m.intervals
        // 300 ms in 50 ms slices: six, give or take a boundary the runner woke late for.
        #expect((5...8).contains(samples.count - 1), "\(samples.count - 1) slices")
        let final = m.workers.reduce(IntervalReading()) { $0 + $1.reading }
        #expect(samples.last?.reading.tally == final.tally, "the last sample is the case's final reading")
        #expect(samples.last?.reading.io == final.io)
        #expect(samples.first?.reading.tally == Tally(), "the first sample is the interval's opening")
        // Their seconds add up to the case's span: from its start to its end.
        #expect(samples.first?.nanos == final.start?.nanos, "the first slice starts where the case's span does")
        #expect(samples.last?.nanos == final.end?.nanos, "the last ends where it does")
        for (a, b) in zip(samples, samples.dropFirst()) {
            #expect(b.nanos >= a.nanos)
            #expect(b.reading.tally.bytesIn >= a.reading.tally.bytesIn && b.reading.tally.bytesOut >= a.reading.tally.bytesOut)
            #expect(b.reading.io.writes >= a.reading.io.writes && b.reading.io.reads >= a.reading.io.reads)
        }
        guard latency else { return }
        let total = m.workers.reduce(UInt64(0)) { $0 + ($1.latency?.totalCount ?? 0) }
        let sliced = m.workers.reduce(UInt64(0)) { $0 + $1.sliceLatency.reduce(0) { $0 + $1.totalCount } }
        #expect(total > 0 && sliced == total, "every measured response is in one slice: \(sliced) of \(total)")
        #expect(m.workers.allSatisfy { $0.sliceLatency.count >= 4 })
    }

    /// A latency goes in the slice the runner opened last (it moves on right after sampling
    /// the meters), not in the slice its clock reading falls in: by the clock, a response
    /// that came after a boundary the runner had not yet sampled was counted in one slice and
    /// its latency put in the next.
    @Test func aLatencyGoesInTheSliceTheRunnerOpened() {
        let control = RunControl()
        var recorder = LatencyRecorder(every: 10_000_000, control: control)
        recorder.record(1_000)
        control.enterSlice(3)
        recorder.record(2_000)
        recorder.record(3_000)
        #expect(recorder.slices.map(\.totalCount) == [1, 0, 0, 2])
        #expect(recorder.total.totalCount == 3)
        control.enterSlice(CaseSpec.maxIntervals + 5)
        recorder.record(4_000)
        #expect(recorder.slices.count == CaseSpec.maxIntervals + 1, "past the last slice, latencies fold into it")
        var none = LatencyRecorder(every: nil, control: control)
        none.record(5_000)
        #expect(none.slices.isEmpty && none.total.totalCount == 1)
    }

    /// A runner held up past several boundaries (the driver stopped) samples once and moves on
    /// to the next boundary ahead: no burst of slices microseconds long (review).
    @Test func aLateSampleSkipsTheBoundariesItMissed() {
        var sampler = IntervalSampler(every: 100_000_000, meters: [], probe: nil)
        let now = MonotonicClock.nanos()
        sampler.start(at: now - 1_050_000_000, probe: nil)
        #expect(sampler.nextBoundary < now)
        sampler.sample()
        #expect(sampler.nextBoundary > now, "the next boundary is ahead, not the second of eleven missed")
        #expect(sampler.nextBoundary <= MonotonicClock.nanos() + 100_000_000)
        #expect(sampler.samples.count == 2)
    }

    /// The first sample moves to the case's span start only inside the first slice: never a
    /// slice of 0 s (an open loop whose first request is due after the first boundary).
    @Test func theFirstSliceIsNeverEmptiedOfTime() {
        var sampler = IntervalSampler(every: 100_000_000, meters: [], probe: nil)
        let origin = MonotonicClock.nanos() - 300_000_000
        sampler.start(at: origin, probe: nil)
        sampler.sample()
        func reading(start: UInt64) -> IntervalReading {
            var r = IntervalReading()
            r.start = Moment(nanos: start, cpu: CPUTime())
            r.end = Moment(nanos: origin + 300_000_000, cpu: CPUTime())
            return r
        }
        let second = sampler.samples[1].nanos
        let inside = sampler.finished(final: reading(start: origin + 20_000_000), probe: nil, at: origin + 300_000_000)
        #expect(inside.first?.nanos == origin + 20_000_000, "moved to the span's start")
        let after = sampler.finished(final: reading(start: second + 10_000_000), probe: nil, at: origin + 300_000_000)
        #expect(after.first?.nanos == origin, "left where it was")
        #expect(zip(after, after.dropFirst()).allSatisfy { $1.nanos > $0.nanos }, "no slice of 0 s")
    }

    @Test func stopAndWaitSlicesAddUp() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Self.withInterval(Specs.rr()), options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        Self.expectSeriesAddsUp(m, latency: true)
    }

    @Test func pipelinedOverTwoConnectionsSlicesAddUp() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Self.withInterval(Specs.rr(exchange: Specs.coalesce, connections: 2)), options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        Self.expectSeriesAddsUp(m, latency: true)
    }

    @Test func streamSlicesAddUp() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Self.withInterval(Specs.stream(direction: .both, stop: .messages(1))), options: target.options())
        #expect(m.failures.isEmpty, "\(m.failures)")
        Self.expectSeriesAddsUp(m, latency: false)
    }

    @Test func inProcessSlicesAddUp() {
        let m = InProcessTarget.run(Self.withInterval(Specs.rr()), options: DriverOptions(target: .unix(path: "/unused")))
        #expect(m.failures.isEmpty, "\(m.failures)")
        Self.expectSeriesAddsUp(m, latency: true)
    }

    @Test func noIntervalNoSeries() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let m = try CaseRunner.run(Specs.rr(), options: target.options())
        #expect(m.intervals.isEmpty)
        #expect(m.workers.allSatisfy { $0.sliceLatency.isEmpty })
    }
}
