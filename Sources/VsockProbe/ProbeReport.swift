/// The probe's counts for people: a banner, then fixed-width columns; `-` marks a counter whose
/// program is not attached (the sources section says why).
public enum ProbeReport {
    /// The full report of a session. `title` names what was observed (the command or the pid).
    public static func text(_ result: ProbeSessionResult, title: String) -> String {
        let counters = result.counters
        var lines: [String] = []
        var banner = "vsockbench probe: \(title), \(formatSeconds(result.seconds))"
        if let status = result.exitStatus {
            banner += result.exitSignal.map { ", ended by \(SessionStop.name(of: $0)) (status \(status))" } ?? ", exit status \(status)"
        }
        if let signal = result.stopSignal { banner += ", stopped early by \(SessionStop.name(of: signal))" }
        lines.append(banner)
        let attached = counters.sources.filter(\.attached).count
        lines.append("programs: \(attached) attached, \(counters.sources.count - attached) off")
        lines.append("")
        lines.append(row("COUNTER", "COUNT", "BYTES"))
        lines.append(row("kvm_run", counters.kvmRun.map(String.init) ?? "-"))
        lines += dictionaryRows("kvm_exit", counters.kvmExits, attached: counters.isAttached("kvm_exits"))
        lines += dictionaryRows(
            "kvm_userspace_exit", counters.kvmUserspaceExits, attached: counters.isAttached("kvm_userspace_exits"))
        lines += vsockRows("vsock tx", counters.vsock?.tx)
        lines += vsockRows("vsock rx", counters.vsock?.rx)
        lines.append(row("vsock_irqs", counters.vsockIRQs.map(String.init) ?? "-"))
        lines.append(row("virtqueue_kicks", counters.virtqueueKicks.map(String.init) ?? "-"))
        lines.append(row("syscalls (all)", counters.isAttached("syscalls") ? String(counters.totalSyscalls) : "-"))
        for (name, count) in counters.syscalls.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            lines.append(row("  \(name)", String(count)))
        }
        let off = counters.sources.filter { !$0.attached }
        if !off.isEmpty {
            lines.append("")
            lines.append("off:")
            for source in off {
                lines.append("  \(pad(source.program, 24)) \(source.reason ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The header of the `--interval` table.
    public static let intervalHeader = [
        "TIME(s)", "KVM_RUN", "KVM_EXITS", "VSOCK_TX", "VSOCK_RX", "CREDIT_UPD", "SYSCALLS", "VSOCK_IRQS", "KICKS",
    ].map { leftPad($0, 11) }.joined()

    /// One line of the `--interval` table: the counts of one interval.
    public static func intervalLine(_ delta: ProbeCounters, elapsed: Double) -> String {
        let tx = delta.vsock?.tx.map { $0.values.reduce(0) { $0 + $1.packets } }
        let rx = delta.vsock?.rx.map { $0.values.reduce(0) { $0 + $1.packets } }
        let exits: UInt64? = delta.isAttached("kvm_exits") ? (delta.totalKVMExits ?? 0) : nil
        let values: [String] = [
            formatSeconds(elapsed, unit: false), show(delta.kvmRun), show(exits), show(tx), show(rx),
            show(delta.vsock.map { $0.packets(op: .creditUpdate) }),
            show(delta.isAttached("syscalls") ? delta.totalSyscalls : nil), show(delta.vsockIRQs),
            show(delta.virtqueueKicks),
        ]
        return values.map { leftPad($0, 11) }.joined()
    }

    private static func dictionaryRows(_ label: String, _ counts: [String: UInt64]?, attached: Bool) -> [String] {
        guard attached else { return [row(label, "-")] }
        guard let counts, !counts.isEmpty else { return [row(label, "0")] }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { row("\(label) \($0.key)", String($0.value)) }
    }

    private static func vsockRows(_ label: String, _ counts: [String: VsockPacketCount]?) -> [String] {
        guard let counts else { return [row(label, "-")] }
        let ops = VsockOp.allCases.map(\.name) + [VsockOp.invalidName]
        return ops.compactMap { op in
            counts[op].map { row("\(label) \(op)", String($0.packets), String($0.bytes)) }
        }
    }

    private static func row(_ name: String, _ count: String, _ bytes: String = "") -> String {
        let line = pad(name, 36) + leftPad(count, 14) + (bytes.isEmpty ? "" : leftPad(bytes, 16))
        return line
    }

    private static func show(_ value: UInt64?) -> String { value.map(String.init) ?? "-" }

    static func formatSeconds(_ seconds: Double, unit: Bool = true) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        let text = "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
        return unit ? "\(text) s" : text
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}

extension ProbeCounters {
    /// Whether a program feeding `counter` (a ``ProbeSource/counts`` name) is attached.
    public func isAttached(_ counter: String) -> Bool {
        sources.contains { $0.counts == counter && $0.attached }
    }
}
