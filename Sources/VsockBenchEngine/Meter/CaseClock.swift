import VsockBenchModel
import VsockBenchSupport
import VsockProbe

/// The clock of a case, the same for a socket target and the in-process one: warmup, the
/// measured interval (a duration, or until every worker met its quota), then stop; with the
/// process CPU and the probe read at the interval's edges, and the progress line fed from the
/// connections' meters.
enum CaseClock {
    struct Outcome {
        var cpu: CPUTime
        var probe: ProbeCounters?
        /// The time series, when the case has an interval: samples up to the close.
        var sampler: IntervalSampler?
        var probeAtClose: ProbeCounters?
        var closeNanos: UInt64 = 0
        /// The machine's CPU ticks across the interval (this run's included); nil where
        /// /proc/stat cannot be read.
        var machine: MachineTicks?

        /// The series ending at the case's final readings (taken after every worker finished).
        func series(final reading: IntervalReading) -> [IntervalSample] {
            sampler?.finished(final: reading, probe: probeAtClose, at: reading.end?.nanos ?? closeNanos) ?? []
        }
    }

    static func drive(_ spec: CaseSpec, control: RunControl, meters: [IntervalMeter], options: DriverOptions,
                      beforeMeasure: () -> Void = {}, whenMeasuring: () -> Void = {}) -> Outcome {
        let begin = MonotonicClock.nanos()
        var planned: Double? = Double(spec.warmupNanos) / 1e9
        if case let .duration(nanos) = spec.stop { planned = Double(spec.warmupNanos + nanos) / 1e9 }
        func report(_ phase: Phase, _ slice: SliceProgress? = nil) {
            guard let onProgress = options.onProgress else { return }
            let total = meters.reduce(Tally()) { $0 + $1.total }
            onProgress(CaseProgress(caseName: spec.name, phase: phase, elapsedSeconds: Double(MonotonicClock.nanos() - begin) / 1e9,
                                    plannedSeconds: planned, messages: total.messages, bytesTx: total.bytesOut, bytesRx: total.bytesIn, lastSlice: slice))
        }
        wait(until: begin + spec.warmupNanos, control: control) { report(.warmup) }
        // The target's mark first (a control round trip), then the probe's reading and the
        // CPU clock just before the interval opens and just after it closes, so they cover
        // no warmup, no mark and no wind-down.
        beforeMeasure()
        // The machine's ticks outside the probe's readings: their system calls are not the case's.
        let machineBefore = MachineTicks.read()
        let probeBefore = try? options.probe?.read()
        let cpuStart = CPUTime.process()
        control.enter(.measure)
        var sampler = spec.intervalNanos.map { IntervalSampler(every: $0, meters: meters, probe: options.probe) }
        sampler?.start(at: control.measureStartNanos, probe: probeBefore)
        whenMeasuring()
        switch spec.stop {
        case let .duration(nanos):
            wait(until: MonotonicClock.nanos() + nanos, control: control, sampler: &sampler) { report(.measure, $0) }
        case .messages, .bytes:
            wait(until: .max, control: control, done: { control.finishedWorkers >= spec.connections }, sampler: &sampler) { report(.measure, $0) }
        }
        control.enter(.stop)
        let closeNanos = MonotonicClock.nanos()
        let cpuEnd = CPUTime.process()
        let probeAfter = try? options.probe?.read()
        let machineAfter = MachineTicks.read()
        var probe: ProbeCounters?
        if let before = probeBefore, let after = probeAfter { probe = after.subtracting(before).excludingProbeReads() }
        return Outcome(cpu: cpuEnd - cpuStart, probe: probe, sampler: sampler, probeAtClose: probeAfter, closeNanos: closeNanos,
                       machine: machineAfter.flatMap { after in machineBefore.flatMap { after - $0 } })
    }

    /// Waits until `deadline` or `done()`, waking early when the case stops (a failure, an
    /// interrupt) and every quarter second for the progress line. It blocks on a condition
    /// rather than polling, so the runner adds next to nothing to the syscall counts.
    static func wait(until deadline: UInt64, control: RunControl, done: () -> Bool = { false }, tick: () -> Void) {
        var none: IntervalSampler?
        wait(until: deadline, control: control, done: done, sampler: &none) { _ in tick() }
    }

    /// The same, sampling the time series at each slice boundary on the way.
    static func wait(until deadline: UInt64, control: RunControl, done: () -> Bool = { false }, sampler: inout IntervalSampler?, tick: (SliceProgress?) -> Void) {
        var nextTick = MonotonicClock.nanos()
        while control.phase != .stop, !done() {
            var now = MonotonicClock.nanos()
            if now >= deadline { break }
            if let boundary = sampler?.nextBoundary, now >= boundary {
                sampler?.sample()
                // Latencies go in the slice the sample opened from here: recorded by when the
                // runner sampled, not by the clock against boundaries it reaches late (a
                // response counted in one slice had its latency in the next).
                if let count = sampler?.samples.count { control.enterSlice(count - 1) }
                now = MonotonicClock.nanos()
            }
            if now >= nextTick {
                tick(sampler?.lastSlice)
                nextTick = now + 250_000_000
            }
            let wake = min(deadline, nextTick, sampler?.nextBoundary ?? .max)
            control.waitForChange(nanos: wake > now ? wake - now : 0)
        }
    }
}
