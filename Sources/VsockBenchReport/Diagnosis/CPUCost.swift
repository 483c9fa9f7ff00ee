import VsockBenchSupport

/// CPU microseconds per message on each side, as ranges: what a case spends now, or what a
/// fix is expected to leave.
struct CPUCost {
    var driver: Interval
    /// nil when the target's CPU was not measured (`--target null` runs it inside the driver).
    var target: Interval?

    var total: Interval { target.map { driver + $0 } ?? driver }
}

extension CaseEvidence {
    /// CPU per message now, each side, with the case's uncertainty.
    var cpuNow: CPUCost? {
        guard let d = c.cpu.driverMicrosPerMessage, d > 0 else { return nil }
        return CPUCost(driver: .around(d, relative: u(.driverCPU)), target: c.cpu.targetMicrosPerMessage.map { .around($0, relative: u(.targetCPU)) })
    }

    /// User-space CPU per message, each side (making and checking messages, the target's
    /// processing): what a change of the syscall pattern leaves, so the floor of what
    /// windowing or batching can cost per message.
    var userCPU: CPUCost? {
        guard c.messages > 0 else { return nil }
        let n = Double(c.messages)
        let driver = c.cpu.driverUserSeconds * 1e6 / n
        let target = c.cpu.targetUserSeconds.map { $0 * 1e6 / Double(max(c.target?.messages ?? c.messages, 1)) }
        guard driver > 0 || (target ?? 0) > 0 else { return nil }
        return CPUCost(driver: .around(driver, relative: u(.driverCPU)), target: target.map { .around($0, relative: u(.targetCPU)) })
    }

    /// The CPU the case used is mostly the messages' own (at least a tenth of a CPU busy):
    /// a nearly idle process's CPU per message is its idle costs (timers, wakeups) spread
    /// over few messages, and says nothing about what more messages would cost.
    var cpuIsPerMessage: Bool {
        guard let now = cpuNow else { return false }
        return now.total.value * 1e-6 * c.msgsPerSecond >= Self.busyCPUShare
    }

    static let busyCPUShare = 0.1

    /// True when driver and target ran on one machine (same host name and kernel), so their
    /// CPU per message adds up against its CPUs; nil when the hosts are not known.
    var sharesMachine: Bool? {
        guard let driver = context.driverHost else { return nil }
        guard let target = c.targetHost else { return c.cpu.targetMicrosPerMessage == nil ? true : nil }
        return driver.hostname == target.hostname && driver.kernel == target.kernel
    }

    /// The rate (messages/s, all connections) `cost` allows on the CPUs the sides have, and
    /// the sentence that says so; nil when the CPUs or the cost are not known. One free CPU
    /// (the other busy with other work, or the sides taking turns) allows 1e6 / (µs per
    /// message) on the bottleneck, all the machine's CPUs at most that times their count: the
    /// sentence gives both at the cost's value. The bound's ends carry the cost's range as
    /// well: its low end is one CPU at the highest cost, its high end every CPU at the lowest
    /// (other load on a shared machine decides where between), and the sentence names the
    /// costs they are at, so that every figure in it follows from a cost it states.
    func cpuBound(_ cost: CPUCost, what: String) -> (bound: Interval, sentence: String)? {
        guard let shared = sharesMachine, cpuIsPerMessage else { return nil }
        if shared || cost.target == nil {
            guard let cpus = context.driverHost?.cpus, cpus > 0 else { return nil }
            let total = cost.total
            let bound = Self.rate(total, cpus: cpus)
            guard bound.high.isFinite, total.value > 0 else { return nil }
            let one = Self.oneCPU(total.value)
            let parts = cost.target.map { "driver \(Say.us(cost.driver.value)) + target \(Say.us($0.value))" } ?? "driver \(Say.us(cost.driver.value))"
            var sentence = "driver and target share this machine's \(cpus) CPUs: at \(what), \(Say.us(total.value)) per message (\(parts)), they allow \(Say.rate(one)) on one free CPU up to \(Say.rate(Double(cpus) * one)) on all \(cpus)"
            if total.low < total.high {
                sentence += "; as that CPU may be \(Say.us(total.low))-\(Say.us(total.high)) per message, from \(Say.rate(bound.low)) (one CPU at \(Say.us(total.high))) up to \(Say.rate(bound.high)) (all \(cpus) at \(Say.us(total.low)))"
            }
            if let other = otherProgramsCPUs {
                // "Up to all 2 CPUs" where other programs held one of them reads as room the
                // case never had (review): the CPUs left are said beside.
                let left = max(Double(cpus) - other, 0)
                sentence += "; but other programs took \(Format.fixed(other, 1)) of the \(cpus) CPUs while it ran (the machine was busy), leaving about \(Format.fixed(left, 1)): \(Say.rate(left * one)) at this cost"
            }
            if cost.target != nil, let note = processingAboveCPU { sentence += "; " + note }
            return (bound, sentence)
        }
        guard let target = cost.target, let driverCPUs = context.driverHost?.cpus, let targetCPUs = c.targetHost?.cpus,
              driverCPUs > 0, targetCPUs > 0 else { return nil }
        let bound = Interval.minimum(Self.rate(cost.driver, cpus: driverCPUs), Self.rate(target, cpus: targetCPUs))
        guard bound.high.isFinite, cost.driver.value > 0, target.value > 0 else { return nil }
        // Each side has its own CPUs: the side that allows fewer messages is the bottleneck.
        let one = min(Self.oneCPU(cost.driver.value), Self.oneCPU(target.value))
        let all = min(Double(driverCPUs) * Self.oneCPU(cost.driver.value), Double(targetCPUs) * Self.oneCPU(target.value))
        var sentence = "driver (\(driverCPUs) CPUs) and target (\(targetCPUs) CPUs) run on separate machines: at \(what), \(Say.us(cost.driver.value)) and \(Say.us(target.value)) per message, they allow \(Say.rate(one)) on one free CPU each up to \(Say.rate(all)) on all of them"
        if cost.driver.low < cost.driver.high || target.low < target.high {
            sentence += "; as that CPU may be \(Say.us(cost.driver.low))-\(Say.us(cost.driver.high)) and \(Say.us(target.low))-\(Say.us(target.high)) per message, from \(Say.rate(bound.low)) (one CPU each at the highest) up to \(Say.rate(bound.high)) (all of them at the lowest)"
        }
        if let other = otherProgramsCPUs {
            sentence += "; but other programs took \(Format.fixed(other, 1)) CPUs of the driver's machine (\(driverCPUs)) while it ran (the machine was busy), leaving it about \(Format.fixed(max(Double(driverCPUs) - other, 0), 1))"
        }
        if let note = processingAboveCPU { sentence += "; " + note }
        return (bound, sentence)
    }

    /// The CPUs other programs took beside the case, the most of its trials that found the
    /// machine busy (`CPUSummary.machineWasBusy`, as `CaseResult.machineNote`); nil where none
    /// did, or it was not measured.
    var otherProgramsCPUs: Double? {
        c.trials.filter(\.cpu.machineWasBusy).compactMap(\.cpu.otherUserCPUs).filter { $0 >= CPUSummary.busyOtherCPUs }.max()
    }

    /// Why the target's CPU per message can be below the processing it reported, which next to
    /// it reads as impossible: processing is time on the clock, and the time the target was
    /// descheduled inside it is processing but not CPU (`target_cost` spins until its time has
    /// passed, however little of it ran). nil when the CPU is not below the processing.
    var processingAboveCPU: String? {
        guard let processing = targetProcessingMicrosPerMessage, let cpu = c.cpu.targetMicrosPerMessage, processing > cpu else { return nil }
        let cost = c.spec.exchange?.targetCostNanos ?? 0
        let why = cost > 0
            ? "its busy work (target_cost \(Say.us(Double(cost) / 1000))) spins until the clock has passed it, so the time it was descheduled counts as processing but not as CPU"
            : "the time it was descheduled or waited counts as processing but not as CPU"
        return "the target's processing took \(Say.us(processing)) per message on the clock, more than its \(Say.us(cpu)) of CPU per message: \(why)"
    }

    /// Messages/s that `micros` of CPU per message allow on one CPU.
    private static func oneCPU(_ micros: Double) -> Double { 1e6 / micros }

    /// Messages/s that `micros` of CPU per message allow: one CPU at the high cost (the low
    /// end), all `cpus` at the value (the value) and at the low cost (the high end).
    private static func rate(_ micros: Interval, cpus: Int) -> Interval {
        Interval(low: micros.high > 0 ? oneCPU(micros.high) : .infinity,
                 value: micros.value > 0 ? Double(cpus) * oneCPU(micros.value) : .infinity,
                 high: micros.low > 0 ? Double(cpus) * oneCPU(micros.low) : .infinity)
    }
}
