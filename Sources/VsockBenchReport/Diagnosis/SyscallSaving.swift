import VsockBenchSupport

/// What removing syscalls from every message can give: the model `fragmented_writes` and
/// `flow_control_bound` share. The low end: the removed syscalls cost nothing. The high end,
/// for stop-and-wait with a fit: a message costs no less than a plain round trip plus the
/// target's processing (the fit's alpha + bytes/beta, one write and one read per frame);
/// otherwise each side's CPU per message shared evenly over its syscalls bounds what the
/// removed ones cost.
struct SyscallSaving {
    let e: CaseEvidence
    /// Fraction of each side's CPU per message the removed syscalls account for, at most.
    let driverFraction: Double
    let targetFraction: Double
    /// The removed syscalls per message, both sides.
    let removed: Double

    /// `driverCalls`/`targetCalls`: what each side's CPU per message is shared over, by
    /// default its writes and reads per message (a stream counts a write's waits for the peer
    /// as well, ``Verdicts/flowControl(_:)``).
    init(_ e: CaseEvidence, extraDriver: Double, extraTarget: Double, driverCalls: Double? = nil, targetCalls: Double? = nil) {
        self.e = e
        let driverCalls = driverCalls ?? (e.c.writesPerMessage ?? 1) + (e.c.readsPerMessage ?? 1)
        let targetCalls = targetCalls ?? (e.c.targetWritesPerMessage ?? 1) + (e.c.targetReadsPerMessage ?? 1)
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
    var cpuAfter: CPUCost? {
        guard let now = e.cpuNow else { return nil }
        func left(_ i: Interval, _ f: Double) -> Interval { Interval(low: i.low * (1 - f), value: i.value * (1 - f / 2), high: i.high) }
        return CPUCost(driver: left(now.driver, driverFraction), target: now.target.map { left($0, targetFraction) })
    }

    /// The rate (msgs/s, all connections) from `base` once the saving is made, and how it was
    /// modelled; nil without a fit or CPU figures. The high end is infinite when the model
    /// alone cannot bound it.
    func rate(from base: Interval) -> (Interval, String)? {
        let c = e.connections
        if e.stopAndWait, let plain = e.plainRoundTrip {
            let floor = plain + e.processing
            let model = Interval(low: base.low, value: max(base.value, c / floor.value), high: max(base.high, c / floor.low))
            return (model, "at best a message costs a plain round trip plus the processing, \(Say.us(floor.value * 1e6)) (\(e.context.fitSource ?? "the fit")); at worst the removed syscalls cost nothing")
        }
        guard let now = e.cpuNow else { return nil }
        let saved = savedMicros(now).scaled(1e-6)
        let sentence = "\(Format.fixed(removed, 1)) fewer syscalls per message save up to \(Say.us(saved.high * 1e6)) of CPU per message (their share of each side's CPU), \(e.stopAndWait ? "all of it on the round trip" : "in CPU per message"); at worst nothing"
        if e.stopAndWait {
            let perMessage = base.reciprocal(times: c)
            let fastest = perMessage.low - saved.high
            let middle = perMessage.value - saved.value
            return (Interval(low: base.low, value: middle > 0 ? c / middle : base.value, high: fastest > 0 ? c / fastest : .infinity), sentence)
        }
        let total = now.total
        let fraction = total.high > 0 ? saved.high * 1e6 / total.high : 1
        return (Interval(low: base.low, value: base.value, high: fraction < 1 ? base.high / (1 - fraction) : .infinity), sentence)
    }
}
