/// What removing syscalls from every message can give: the model `fragmented_writes` and
/// `flow_control_bound` share. Each side's CPU per message is shared evenly over its syscalls
/// to bound what the removed ones cost (an upper bound: work every syscall shares, wakeups
/// included, counts as theirs); removing none of that cost is the low end.
struct SyscallSaving {
    /// Fraction of each side's CPU per message the removed syscalls account for, at most.
    let driverFraction: Double
    let targetFraction: Double
    /// The removed syscalls per message, both sides.
    let removed: Double

    init(_ e: CaseEvidence, extraDriver: Double, extraTarget: Double) {
        let driverCalls = (e.c.writesPerMessage ?? 1) + (e.c.readsPerMessage ?? 1)
        let targetCalls = (e.c.targetWritesPerMessage ?? 1) + (e.c.targetReadsPerMessage ?? 1)
        driverFraction = min(max(extraDriver, 0) / max(driverCalls, 1), 1)
        targetFraction = min(max(extraTarget, 0) / max(targetCalls, 1), 1)
        removed = max(extraDriver, 0) + max(extraTarget, 0)
    }

    /// CPU microseconds per message the removed syscalls cost at most (both sides).
    func savedMicros(_ now: CPUCost) -> Interval {
        let saved = now.driver.scaled(driverFraction) + (now.target?.scaled(targetFraction) ?? .exact(0))
        return Interval(low: 0, value: saved.value / 2, high: saved.high)
    }

    /// What is left per message after the change: the lower end assumes the removed syscalls
    /// cost their full share.
    func cpuAfter(_ now: CPUCost) -> CPUCost {
        func left(_ i: Interval, _ f: Double) -> Interval { Interval(low: i.low * (1 - f), value: i.value * (1 - f / 2), high: i.high) }
        return CPUCost(driver: left(now.driver, driverFraction), target: now.target.map { left($0, targetFraction) })
    }

    /// The rate (msgs/s, all connections) from `base` once the saving is made. Stop-and-wait:
    /// the saved CPU leaves the critical path, t' = t - saved. Pipelined: the CPU per message
    /// shrinks, rate' = rate x cpu / (cpu - saved). The high end is infinite when the saving
    /// could be the whole time (the model alone cannot bound it).
    func rate(from base: Interval, _ e: CaseEvidence, now: CPUCost) -> Interval {
        let saved = savedMicros(now).scaled(1e-6)
        if e.stopAndWait {
            let perMessage = base.reciprocal(times: e.connections)
            let fastest = perMessage.low - saved.high
            let middle = perMessage.value - saved.value
            return Interval(low: base.low, value: middle > 0 ? e.connections / middle : base.value,
                            high: fastest > 0 ? e.connections / fastest : .infinity)
        }
        let total = now.total
        let fraction = total.high > 0 ? saved.high * 1e6 / total.high : 1
        return Interval(low: base.low, value: base.value, high: fraction < 1 ? base.high / (1 - fraction) : .infinity)
    }
}
