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
    }

    static func drive(_ spec: CaseSpec, control: RunControl, meters: [IntervalMeter], options: DriverOptions,
                      beforeMeasure: () -> Void = {}) -> Outcome {
        let begin = MonotonicClock.nanos()
        var planned: Double? = Double(spec.warmupNanos) / 1e9
        if case let .duration(nanos) = spec.stop { planned = Double(spec.warmupNanos + nanos) / 1e9 }
        func report(_ phase: Phase) {
            guard let onProgress = options.onProgress else { return }
            let total = meters.reduce(Tally()) { $0 + $1.total }
            onProgress(CaseProgress(caseName: spec.name, phase: phase, elapsedSeconds: Double(MonotonicClock.nanos() - begin) / 1e9,
                                    plannedSeconds: planned, messages: total.messages, bytes: total.bytesIn + total.bytesOut))
        }
        wait(until: begin + spec.warmupNanos, control: control) { report(.warmup) }
        // The target's mark first (a control round trip), then the probe's reading and the
        // CPU clock just before the interval opens and just after it closes, so they cover
        // no warmup, no mark and no wind-down.
        beforeMeasure()
        let probeBefore = try? options.probe?.read()
        let cpuStart = CPUTime.process()
        control.enter(.measure)
        switch spec.stop {
        case let .duration(nanos):
            wait(until: MonotonicClock.nanos() + nanos, control: control) { report(.measure) }
        case .messages, .bytes:
            wait(until: .max, control: control, done: { control.finishedWorkers >= spec.connections }) { report(.measure) }
        }
        control.enter(.stop)
        let cpuEnd = CPUTime.process()
        let probeAfter = try? options.probe?.read()
        var probe: ProbeCounters?
        if let before = probeBefore, let after = probeAfter { probe = after.subtracting(before).excludingProbeReads() }
        return Outcome(cpu: cpuEnd - cpuStart, probe: probe)
    }

    /// Waits until `deadline` or `done()`, waking early when the case stops (a failure, an
    /// interrupt) and every quarter second for the progress line. It blocks on a condition
    /// rather than polling, so the runner adds next to nothing to the syscall counts.
    static func wait(until deadline: UInt64, control: RunControl, done: () -> Bool = { false }, tick: () -> Void) {
        var nextTick = MonotonicClock.nanos()
        while control.phase != .stop, !done() {
            let now = MonotonicClock.nanos()
            if now >= deadline { break }
            if now >= nextTick {
                tick()
                nextTick = now + 250_000_000
            }
            control.waitForChange(nanos: min(deadline - now, nextTick - now))
        }
    }
}
