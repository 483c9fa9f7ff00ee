import VsockBenchSupport

/// The observation for people: a banner, one row per connection and one for all, the sizes
/// and times, what each exchange cost below the application, and the diagnosis.
public enum ObserveText {
    public static func render(_ document: ObserveDocument) -> String {
        var lines: [String] = []
        let figures = document.figures
        var banner = "vsockbench observe: port \(document.port)"
        if let cid = document.cid { banner += ", CID \(cid)" }
        banner += ", \(Format.fixed(document.seconds, 2)) s, \(document.connections.count) connection"
        banner += document.connections.count == 1 ? "" : "s"
        // The followed pids: a command's comes first, and --pid given beside a command follows too.
        let givenPids = document.command == nil ? document.pids[...] : document.pids.dropFirst()
        if let command = document.command {
            banner += ", `\(Format.shellWords(command))`"
            // As probe's banner: how the command ended (vsockbench exits with it).
            if let status = document.exitStatus {
                banner += document.exitSignal.map { " (ended by \($0), status \(status))" } ?? " (exit status \(status))"
            }
        }
        if !givenPids.isEmpty { banner += ", pid \(givenPids.map(String.init).joined(separator: ", "))" }
        lines.append(banner)
        lines.append("")
        let header = [
            "connection", "exchanges", "exch/s", "Mbps tx", "Mbps rx", "in flight", "turnaround p50", "p99", "think p50",
            "request B", "answer B",
        ]
        var rows = document.connections.map { row($0.connection.description, $0.figures) }
        if document.connections.count != 1 { rows.append(row("all", figures)) }
        lines += table(header, rows)
        lines.append("")
        lines.append("per exchange: " + perExchange(figures.perExchange))
        if let count = document.writes.count {
            let sizes = document.writes.bytes
            lines.append(
                "parent writes to vsock: \(count) (\(Format.compact(figures.perExchange.writes)) per exchange), sizes p50 \(bytes(sizes.p50)) p99 \(bytes(sizes.p99)) max \(bytes(sizes.max))"
                    + ((document.writes.other ?? 0) > 0 ? "; \(document.writes.other ?? 0) more to files, pipes, other sockets or descriptors closed before observe looked, left out" : ""))
        }
        let packets = ["tx", "rx"].map { way -> String in
            let counts = way == "tx" ? document.packets.tx : document.packets.rx
            let parts = ["RW", "CREDIT_UPDATE", "CREDIT_REQUEST", "REQUEST", "RESPONSE", "SHUTDOWN", "RST"].compactMap { op in
                counts[op].flatMap { $0.packets > 0 ? "\(op) \($0.packets)" : nil }
            }
            return "\(way) \(parts.isEmpty ? "none" : parts.joined(separator: ", "))"
        }
        lines.append("packets: " + packets.joined(separator: "; "))
        if document.lostPackets + document.lostWrites > 0 {
            lines.append("lost: \(document.lostPackets) packets, \(document.lostWrites) writes (the ring buffer was full)")
        }
        lines.append("")
        lines.append("diagnosis:")
        for finding in document.diagnosis { lines.append("  - \(finding.text)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ name: String, _ figures: ObserveDocument.Figures) -> [String] {
        [
            name, String(figures.exchanges), Format.compact(figures.exchangesPerSecond), Format.compact(figures.mbpsTx),
            Format.compact(figures.mbpsRx), figures.inFlightMax.map(String.init) ?? "-",
            time(figures.turnaroundMicroseconds.p50), time(figures.turnaroundMicroseconds.p99),
            time(figures.thinkMicroseconds.p50), bytes(figures.requestBytes.p50), bytes(figures.responseBytes.p50),
        ]
    }

    private static func perExchange(_ figures: ObserveDocument.PerExchange) -> String {
        var parts = [
            "packets tx \(Format.compact(figures.packetsTx))", "rx \(Format.compact(figures.packetsRx))",
            "credit updates \(Format.compact(figures.creditUpdates))",
        ]
        if let syscalls = figures.syscalls {
            parts.append("syscalls \(Format.compact(syscalls))")
            parts.append("writes \(Format.compact(figures.writes))")
            parts.append("reads \(Format.compact(figures.reads))")
        }
        if let switches = figures.contextSwitches { parts.append("context switches \(Format.compact(switches))") }
        if let notifications = figures.notifications { parts.append("notifications \(Format.compact(notifications))") }
        if let exits = figures.exits { parts.append("exits \(Format.compact(exits)) (\(figures.exitsSource ?? "?"))") }
        return parts.joined(separator: ", ")
    }

    static func time(_ microseconds: Double?) -> String {
        microseconds.map { ObserveDiagnosis.duration($0) } ?? "-"
    }

    static func bytes(_ value: Double?) -> String {
        value.map { String(Int($0)) } ?? "-"
    }

    /// Left-aligned first column, right-aligned others, two spaces apart, a rule under the header.
    static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return [line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)
    }
}
