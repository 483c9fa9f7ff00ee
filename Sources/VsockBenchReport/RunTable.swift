import VsockBenchModel
import VsockBenchSupport

/// The human report of a run: throughput and latency, then per-message costs, then one line
/// comparing the cases.
public enum RunTable {
    public static func render(_ document: RunDocument) -> String {
        var out = "scenario \(Terminal.safe(document.scenario)) (\(Terminal.safe(document.scenarioPath))) against \(Terminal.safe(document.target))\n"
        out += "driver: \(Terminal.safe(document.host.driver.hostname)), kernel \(Terminal.safe(document.host.driverKernel)), \(document.host.cpus) CPUs"
        if let target = document.host.target {
            // Under --target null the target runs in the driver's process: its pid is the
            // driver's own, which "target: pid N" did not say. Decided by the cases'
            // transport, not by equal pids and hostnames, which an enclave's process can share
            // with the parent's by chance.
            let inProcess = !document.cases.isEmpty && document.cases.allSatisfy { $0.transport == InProcessKnobs.transport }
            out += inProcess
                ? "; target: in the driver's process (no separate target)"
                : "; target: pid \(target.pid), kernel \(Terminal.safe(target.kernel))"
        }
        out += "\n\n"
        // Trials asked (--repeat N) are said even when an interrupt left one per case: it read
        // "one trial per case ... (--repeat N for medians)" under `statistics.repeat: 3` (review).
        let repeated = document.cases.contains { $0.trialCount > 1 } || (document.statistics?.repeatCount ?? 1) > 1
        var main = TextTable(
            columns: ["case", "workload", "size", "conns", "Mbps (payload)", "msgs/s", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "verified"],
            rightAligned: [3, 4, 5, 6, 7, 8, 9, 10])
        for c in document.cases {
            let l = c.latencyMicros
            main.add([
                Terminal.safe(c.name), c.workload.rawValue, c.spec.describedSizes, String(c.spec.connections),
                c.mbpsText, c.measuredNothing ? "-" : c.cell(.msgsPerSecond) { Format.fixed($0, 0) },
                c.cell(.latencyP50, Format.compact), Format.compact(l?.p90), c.cell(.latencyP99, Format.compact),
                Format.compact(l?.p999), Format.compact(l?.max),
                c.verifiedText,
            ])
        }
        if repeated, let stats = document.statistics {
            // What the cases measured, not what was asked: an interrupted or failing run has
            // fewer trials, and a case with one has no median or interval.
            let measured = document.cases.filter { $0.skipped == nil }.map { c in CaseSummary.medianTrials(c.trials).count }
            if let fewest = measured.filter({ $0 > 1 }).min() {
                let trials = measured.allSatisfy { $0 == stats.repeatCount } ? "median of \(stats.repeatCount) trials per case"
                    : "median of the trials each case measured (\(stats.repeatCount) asked; as few as \(measured.min() ?? 0), a case of one a single sample)"
                out += "\(trials), \(IntervalText.meaning) \(Comparison.intervalName(fewestTrials: fewest)) (\(stats.ciMethod)); latency percentiles the median of the trials', max the largest\n"
            } else {
                let ran = document.cases.filter { $0.skipped == nil }.map(\.trialCount).max() ?? 0
                let ranText = ran < stats.repeatCount ? "at most \(ran) ran" : "all ran"
                out += "\(stats.repeatCount) trials asked per case, \(ranText), but no case measured more than one (interrupted or failed): single samples\n"
            }
        } else {
            out += "one trial per case: single samples (--repeat N for medians with their intervals)\n"
        }
        out += main.render() + "\n"
        if let line = buildLine(document) { out += line }
        for c in document.cases {
            if let open = c.openLoop, let unsent = open.unsentText {
                out += "NOTE \(Terminal.safe(c.name)): \(unsent)\n"
            }
        }
        for c in document.cases {
            if let few = c.fewAnswersNote { out += "\(Terminal.safe(c.name)): \(few)\n" }
            if let tail = c.tailNote { out += "\(Terminal.safe(c.name)): \(tail)\n" }
            if let short = c.shortIntervalNote { out += "NOTE \(Terminal.safe(c.name)): \(short)\n" }
        }
        for c in document.cases {
            if let busy = c.machineNote { out += "NOTE \(Terminal.safe(c.name)): \(busy)\n" }
        }
        var costs = TextTable(
            columns: ["case", "writes/msg", "reads/msg", "target writes/msg", "target reads/msg", "cpu us/msg", "target cpu us/msg", "target processing"],
            rightAligned: [1, 2, 3, 4, 5, 6, 7])
        func two(_ value: Double?) -> String { Format.fixed(value, 2) }
        func share(_ value: Double?) -> String { value.map { Format.fixed($0 * 100, 1) + "%" } ?? "-" }
        for c in document.cases {
            costs.add([
                Terminal.safe(c.name), c.cell(.writesPerMessage, two), c.cell(.readsPerMessage, two),
                c.cell(.targetWritesPerMessage, two), c.cell(.targetReadsPerMessage, two),
                c.cell(.driverCPU, Format.compact), c.cell(.targetCPU, Format.compact), c.cell(.targetProcessingShare, share),
            ])
        }
        out += "per message (our own syscalls; cpu over the measured interval)\n" + costs.render()
        if document.cases.contains(where: { $0.probe != nil }) { out += "\n" + probeTable(document.cases) }
        if let line = comparisonLine(document.cases) { out += "\n" + line + "\n" }
        for c in document.cases {
            if let phases = c.target?.agentMicrosPerMessage {
                out += "\(Terminal.safe(c.name)): the agent per message: decode \(Format.compact(phases.decode)) us, mask \(Format.compact(phases.mask)) us, encode \(Format.compact(phases.encode)) us\n"
            }
        }
        for c in document.cases {
            if let slices = c.intervals, !slices.isEmpty { out += "\n" + intervalTable(c, slices) }
        }
        for c in document.cases {
            if let open = c.openLoop {
                out += "\(Terminal.safe(c.name)): open loop at \(ArrivalRate.text(open.askedPerSecond))/s\(open.arrivals == .poisson ? " (poisson)" : ""), latency from each request's intended send time: \(open.verdict)\(c.representativeTrialText.map { " (from \($0))" } ?? "")"
                // That verdict is one trial's: say how many trials kept up when they disagree.
                if let count = c.keptUpCount, count.of > 1, count.kept > 0, !count.all { out += "; \(count.text)" }
                out += "\n"
            }
        }
        for c in document.cases where c.spec.workload.isForeign {
            out += "\(Terminal.safe(c.name)): \(c.workload == .replay ? "replayed to a service" : "a raw stream to a peer") that is not vsockbench: the target's columns are unknown (no hello, no stats); \(c.verification)\n"
        }
        let spreads = document.cases.filter { $0.spread.connections > 1 && $0.spread.maxMsgsPerSecond > 0 }
        for c in spreads {
            out += "\(Terminal.safe(c.name)): \(c.spread.connections) connections, \(Format.fixed(c.spread.minMsgsPerSecond, 0))-\(Format.fixed(c.spread.maxMsgsPerSecond, 0)) msgs/s each (cv \(Format.fixed(c.spread.cv * 100, 1))%)\(c.representativeTrialText.map { ", from \($0)" } ?? "")\n"
        }
        for c in document.cases {
            if let line = InProcessKnobs.line(c) { out += line + "\n" }
            if let line = SocketBufferNote.line(c) { out += line + "\n" }
        }
        for c in document.cases {
            if let reason = c.skipped { out += "\(Terminal.safe(c.name)): skipped: \(reason)\n" }
        }
        for c in document.cases where !c.errors.isEmpty {
            out += "\n\(Terminal.safe(c.name)): \(c.errorsHeading)\n" + c.errors.map { "  - \(Terminal.safe($0))" }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// The NOTE line under a debug build's figures (`run`, `sweep`, `compare`), nil for a release build.
    public static func buildLine(_ document: RunDocument) -> String? {
        document.host.buildNote.map { "NOTE: \($0)\n" }
    }

    /// A case slice by slice (`interval`), stalls flagged.
    static func intervalTable(_ c: CaseResult, _ slices: [IntervalFigures]) -> String {
        let length = c.spec.intervalNanos.map(Quantities.formatDuration) ?? "?"
        // A count-bounded case can end before its first boundary: one short slice is no series
        // (its figures are the case's), said instead of a table of one row.
        if slices.count == 1, let only = slices.first, let every = c.spec.intervalNanos, only.durationSeconds * 2 < Double(every) / 1e9 {
            return "\(Terminal.safe(c.name)): the case ended \(Quantities.formatDuration(UInt64(only.durationSeconds * 1e9))) into its first \(length) slice: one slice, no series; give it more messages or a shorter interval\n"
        }
        let latency = slices.contains { $0.p50Micros != nil }
        let probe = slices.contains { $0.probe != nil }
        var columns = ["t s", "Mbps tx", "Mbps rx", "msgs/s"]
        if latency { columns += ["p50 us", "p99 us"] }
        columns += ["writes/msg", "reads/msg"]
        if probe { columns += ["vsock pkts/msg", "credit upd/msg"] }
        // Named, so the dash row under it has a header (it had a column of dashes under nothing).
        columns.append("stall")
        var table = TextTable(columns: columns, rightAligned: Set(0..<(columns.count - 1)))
        for s in slices {
            var row = [startText(s.startSeconds, intervalNanos: c.spec.intervalNanos), Format.compact(s.mbpsTx), Format.compact(s.mbpsRx), Format.fixed(s.msgsPerSecond, 0)]
            if latency { row += [Format.compact(s.p50Micros), Format.compact(s.p99Micros)] }
            row += [Format.fixed(s.writesPerMessage, 2), Format.fixed(s.readsPerMessage, 2)]
            if probe { row += [Format.fixed(s.probe?.perMessage.vsockPackets, 2), Format.fixed(s.probe?.perMessage.creditUpdates, 2)] }
            row.append(s.stall ? "STALL" : "")
            table.add(row)
        }
        let from = c.representativeTrialText.map { " (from \($0))" } ?? ""
        var out = "\(Terminal.safe(c.name)) over time\(from): slices of \(length)\(latency ? "; p50/p99 of the responses counted in each slice (to within 0.5 us or 1%, coarser than the case's own)" : "")\n" + table.render()
        let stalls = slices.filter(\.stall)
        let perSlice = IntervalFigures.medianMessages(slices)
        let floor = IntervalFigures.stallFloor(c.spec)
        if perSlice < Double(floor), slices.count >= 2 {
            let count = Format.fixed(perSlice, perSlice == perSlice.rounded() ? 0 : 1)
            out += "\(Terminal.safe(c.name)): \(count) message\(perSlice == 1 ? "" : "s") in the median slice, too few to tell a stall from chance (\(floor) needed): no slice flagged; use a longer interval\n"
        } else if !stalls.isEmpty {
            let median = slices.map(\.msgsPerSecond).sorted()[slices.count / 2]
            out += "\(Terminal.safe(c.name)): \(stalls.count) slice\(stalls.count == 1 ? "" : "s") under \(Int(IntervalFigures.stallShare * 100))% of the median slice (\(Format.fixed(median, 0)) msgs/s): a stall at t = \(stalls.map { startText($0.startSeconds, intervalNanos: c.spec.intervalNanos) + "s" }.joined(separator: ", "))\n"
        }
        return out
    }

    /// A slice's start in seconds with as many decimals as the interval needs to tell one
    /// slice from the next: 1s -> `2`, 100ms -> `0.2`, 250ms -> `0.75`, 10ms -> `0.03`, at
    /// most 3 (the JSON's `start_s` is rounded to the millisecond); 1 when the interval is unknown.
    static func startText(_ seconds: Double, intervalNanos: UInt64?) -> String {
        Format.fixed(seconds, startPlaces(intervalNanos: intervalNanos))
    }

    /// The fewest decimals (0 to 3) in which every multiple of the interval is exact.
    static func startPlaces(intervalNanos: UInt64?) -> Int {
        guard let interval = intervalNanos, interval > 0 else { return 1 }
        var unit: UInt64 = 1_000_000_000
        for places in 0..<3 {
            if interval % unit == 0 { return places }
            unit /= 10
        }
        return 3
    }

    /// The eBPF probe's counts per message, of the followed processes, measured interval only.
    static func probeTable(_ cases: [CaseResult]) -> String {
        var table = TextTable(
            columns: ["case", "Mbps (payload)", "syscalls/msg", "KVM_RUN/msg", "exits/msg", "exits from", "vsock pkts/msg", "credit upd/msg", "notif/msg"],
            rightAligned: [1, 2, 3, 4, 6, 7, 8])
        for c in cases {
            guard let p = c.probe?.perMessage else {
                table.add([Terminal.safe(c.name), c.mbpsText, "-", "-", "-", "no probe", "-", "-", "-"])
                continue
            }
            table.add([
                Terminal.safe(c.name), c.mbpsText, Format.fixed(p.syscalls, 2), Format.fixed(p.kvmRun, 2),
                Format.fixed(p.exits, 2), p.exitsSource ?? "-", Format.fixed(p.vsockPackets, 2),
                Format.fixed(p.creditUpdates, 2), Format.fixed(p.notifications, 2),
            ])
        }
        let said = ProbeCaseReport.processes(of: cases)
        let whose = said.isEmpty ? "the driver, and the target when it was started here" : "here the " + said.joined(separator: "; ")
        var out = "probe (eBPF over the measured interval; syscalls and KVM counts cover this machine's followed processes: \(whose); - = not counted here: vsock packets, credit updates and notifications over a Unix or TCP target, exits where the followed processes run no guest, as no KVM_RUN says: this machine's own exits are its hypervisor's to count)\n" + table.render()
        for c in cases where c.probe != nil {
            if let from = c.representativeTrialText { out += "\(Terminal.safe(c.name)): probe counts from \(from)\n" }
        }
        return out
    }

    /// Like with like: payload per second in one direction, the fastest case against the
    /// slowest (closed-loop cases: an open-loop case moves what its rate asks), both in a
    /// direction each of them moves. `bulk moved 27426 Mbps driver to
    /// target, chatty-8k 3100 Mbps each way: 8.85x (application payload per direction)`. The
    /// direction is the one the most verified cases move (driver to target on a tie); nil when
    /// no two cases move the same direction (a tx-only stream and an rx-only one do not compare).
    public static func comparisonLine(_ cases: [CaseResult]) -> String? {
        // Verified cases only: a failed or interrupted case's figures are no headline; nor is an
        // open-loop case's, whose throughput is the rate it asked for, not what the channel gave.
        guard let (direction, measured) = PayloadDirection.mostMoved(by: cases.filter { $0.verified && $0.spec.exchange?.rate == nil }),
              measured.count >= 2,
              let fastest = measured.max(by: { direction.mbps($0) < direction.mbps($1) }),
              let slowest = measured.min(by: { direction.mbps($0) < direction.mbps($1) }), fastest.name != slowest.name else { return nil }
        let ratio = direction.mbps(fastest) / direction.mbps(slowest)
        return "\(Terminal.safe(fastest.name)) moved \(direction.mbpsText(fastest)), \(Terminal.safe(slowest.name)) \(direction.mbpsText(slowest)): \(Format.compact(ratio))x (application payload per direction)"
    }
}
