import VsockBenchSupport

/// The human report of a run: throughput and latency, then per-message costs, then one line
/// comparing the cases.
public enum RunTable {
    public static func render(_ document: RunDocument) -> String {
        var out = "scenario \(document.scenario) (\(document.scenarioPath)) against \(document.target)\n"
        out += "driver: \(document.host.driver.hostname), kernel \(document.host.driverKernel), \(document.host.cpus) CPUs"
        if let target = document.host.target { out += "; target: pid \(target.pid), kernel \(target.kernel)" }
        out += "\n\n"
        var main = TextTable(
            columns: ["case", "workload", "size", "conns", "Mbps", "msgs/s", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "verified"],
            rightAligned: [3, 4, 5, 6, 7, 8, 9, 10])
        for c in document.cases {
            let l = c.latencyMicros
            main.add([
                c.name, c.workload.rawValue, c.spec.describedSizes, String(c.spec.connections),
                Format.compact(c.mbpsTotal), Format.fixed(c.msgsPerSecond, 0),
                Format.compact(l?.p50), Format.compact(l?.p90), Format.compact(l?.p99), Format.compact(l?.p999), Format.compact(l?.max),
                c.skipped != nil ? "skipped" : (c.verified ? "yes" : "NO"),
            ])
        }
        out += main.render() + "\n"
        var costs = TextTable(
            columns: ["case", "writes/msg", "reads/msg", "target writes/msg", "target reads/msg", "cpu us/msg", "target cpu us/msg", "target processing"],
            rightAligned: [1, 2, 3, 4, 5, 6, 7])
        for c in document.cases {
            costs.add([
                c.name, Format.fixed(c.writesPerMessage, 2), Format.fixed(c.readsPerMessage, 2),
                Format.fixed(c.targetWritesPerMessage, 2), Format.fixed(c.targetReadsPerMessage, 2),
                Format.compact(c.cpu.driverMicrosPerMessage), Format.compact(c.cpu.targetMicrosPerMessage),
                c.targetProcessingShare.map { Format.fixed($0 * 100, 1) + "%" } ?? "-",
            ])
        }
        out += "per message (our own syscalls; cpu over the measured interval)\n" + costs.render()
        if document.cases.contains(where: { $0.probe != nil }) { out += "\n" + probeTable(document.cases) }
        if let line = comparisonLine(document.cases) { out += "\n" + line + "\n" }
        for c in document.cases {
            if let phases = c.target?.agentMicrosPerMessage {
                out += "\(c.name): the agent per message: decode \(Format.compact(phases.decode)) us, mask \(Format.compact(phases.mask)) us, encode \(Format.compact(phases.encode)) us\n"
            }
        }
        let spreads = document.cases.filter { $0.spread.connections > 1 }
        for c in spreads {
            out += "\(c.name): \(c.spread.connections) connections, \(Format.fixed(c.spread.minMsgsPerSecond, 0))-\(Format.fixed(c.spread.maxMsgsPerSecond, 0)) msgs/s each (cv \(Format.fixed(c.spread.cv * 100, 1))%)\n"
        }
        for c in document.cases {
            if let reason = c.skipped { out += "\(c.name): skipped: \(reason)\n" }
        }
        for c in document.cases where !c.errors.isEmpty {
            out += "\n\(c.name): FAILED\n" + c.errors.map { "  - \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }

    /// The eBPF probe's counts per message, both processes, measured interval only.
    static func probeTable(_ cases: [CaseResult]) -> String {
        var table = TextTable(
            columns: ["case", "Mbps", "syscalls/msg", "KVM_RUN/msg", "exits/msg", "exits from", "vsock pkts/msg", "credit upd/msg", "notif/msg"],
            rightAligned: [1, 2, 3, 4, 6, 7, 8])
        for c in cases {
            guard let p = c.probe?.perMessage else {
                table.add([c.name, Format.compact(c.mbpsTotal), "-", "-", "-", "no probe", "-", "-", "-"])
                continue
            }
            table.add([
                c.name, Format.compact(c.mbpsTotal), Format.fixed(p.syscalls, 2), Format.fixed(p.kvmRun, 2),
                Format.fixed(p.exits, 2), p.exitsSource ?? "-", Format.fixed(p.vsockPackets, 2),
                Format.fixed(p.creditUpdates, 2), Format.fixed(p.notifications, 2),
            ])
        }
        return "probe (eBPF over the measured interval; syscalls and KVM counts cover this machine's followed processes: the driver, and the target when it was started here; - = not counted here)\n" + table.render()
    }

    /// "bulk moved bytes 38.6x faster than chatty-8k (9512 vs 246 Mbps)".
    public static func comparisonLine(_ cases: [CaseResult]) -> String? {
        let measured = cases.filter { $0.mbpsTotal > 0 }
        guard measured.count >= 2,
              let fastest = measured.max(by: { $0.mbpsTotal < $1.mbpsTotal }),
              let slowest = measured.min(by: { $0.mbpsTotal < $1.mbpsTotal }), fastest.name != slowest.name else { return nil }
        let ratio = fastest.mbpsTotal / slowest.mbpsTotal
        return "\(fastest.name) moved bytes \(Format.compact(ratio))x faster than \(slowest.name) (\(Format.compact(fastest.mbpsTotal)) vs \(Format.compact(slowest.mbpsTotal)) Mbps)"
    }
}
