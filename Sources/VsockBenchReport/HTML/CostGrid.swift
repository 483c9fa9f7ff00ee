import VsockProbe
import VsockBenchSupport

/// Per-message costs side by side: a row per case, a column per cost, each column with its own
/// scale. Our own syscall counts (writes and reads, stacked) and CPU time for both sides always;
/// the probe's vsock packets, credit updates, exits and notifications in a second grid when a
/// case has them.
enum CostGrid {
    struct Column {
        var title: String
        var subtitle: String
        /// The two stacked parts (first dark, second light); the second may be nil.
        var parts: (CaseResult) -> (Double?, Double?)
        var partNames: (String, String)?
    }

    static let width = 1000.0
    static let labelWidth = 200.0
    static let headerHeight = 46.0
    static let rowHeight = 26.0

    /// Our own counts: syscalls (writes and reads, stacked) and CPU time, both sides.
    static func ownColumns() -> [Column] {
        [
            Column(title: "driver syscalls", subtitle: "dark writes + light reads", parts: { ($0.writesPerMessage, $0.readsPerMessage) }, partNames: ("writes", "reads")),
            Column(title: "target syscalls", subtitle: "dark writes + light reads", parts: { ($0.targetWritesPerMessage, $0.targetReadsPerMessage) }, partNames: ("writes", "reads")),
            Column(title: "driver CPU", subtitle: "us", parts: { ($0.cpu.driverMicrosPerMessage, nil) }, partNames: nil),
            Column(title: "target CPU", subtitle: "us", parts: { ($0.cpu.targetMicrosPerMessage, nil) }, partNames: nil),
        ]
    }

    /// The probe's counts, only those some case has.
    static func probeColumns(for cases: [CaseResult]) -> [Column] {
        let probes = cases.compactMap { $0.probe?.perMessage }
        guard !probes.isEmpty else { return [] }
        let candidates: [(String, String, KeyPath<ProbePerMessage, Double?>)] = [
            ("syscalls", processes(cases), \.syscalls),
            ("vsock packets", "all ops, both ways", \.vsockPackets),
            ("credit updates", "CREDIT_UPDATE", \.creditUpdates),
            ("exits", exitSources(cases), \.exits),
            ("notifications", "virtio IRQs + kicks", \.notifications),
        ]
        return candidates.filter { _, _, path in probes.contains { $0[keyPath: path] != nil } }.map { title, subtitle, path in
            Column(title: title, subtitle: subtitle, parts: { c in (c.probe?.perMessage[keyPath: path], nil) }, partNames: nil)
        }
    }

    /// Whose syscalls the probe counted: `driver and target`, `driver` (the target runs
    /// elsewhere); the cases' own words joined when they differ, and the rule where no case
    /// says (an older file).
    static func processes(_ cases: [CaseResult]) -> String {
        let said = ProbeCaseReport.processes(of: cases)
        return said.isEmpty ? "the driver, and the target if the run started it" : said.joined(separator: "; ")
    }

    /// `via kvm_exit`, or the sources joined when cases differ.
    static func exitSources(_ cases: [CaseResult]) -> String {
        var sources: [String] = []
        for c in cases {
            if let source = c.probe?.perMessage.exitsSource, !sources.contains(source) { sources.append(source) }
        }
        return sources.isEmpty ? "no source counted" : "via " + sources.joined(separator: ", ")
    }

    /// One grid of our own counts, and a second of the probe's when a case has them.
    static func render(_ cases: [CaseResult]) -> [HTMLNode] {
        var nodes: [HTMLNode] = [.el("h3", text: "Our own counts"), grid(cases, ownColumns(), title: "Per message: our own syscalls and CPU time")]
        let probe = probeColumns(for: cases)
        if !probe.isEmpty {
            nodes.append(.el("h3", text: "Below the application (eBPF probe)"))
            nodes.append(grid(cases, probe, title: "Per message, below the application (eBPF probe)"))
        }
        return nodes
    }

    static func grid(_ cases: [CaseResult], _ columns: [Column], title: String) -> HTMLNode {
        let columnWidth = (width - labelWidth) / Double(columns.count)
        let height = headerHeight + Double(cases.count) * rowHeight + 8
        var nodes: [HTMLNode] = []
        for (i, column) in columns.enumerated() {
            let x = labelWidth + Double(i) * columnWidth
            nodes.append(SVG.text(x + 4, 16, column.title, cssClass: "col-title"))
            nodes.append(SVG.text(x + 4, 32, column.subtitle, cssClass: "sublabel"))
            nodes.append(SVG.line(x, 2, x, height - 4, cssClass: "grid"))
            let maximum = cases.map { c in let p = column.parts(c); return (p.0 ?? 0) + (p.1 ?? 0) }.max() ?? 0
            let barRoom = columnWidth * 0.58
            for (row, c) in cases.enumerated() {
                let y = headerHeight + Double(row) * rowHeight
                let (first, second) = column.parts(c)
                // A skipped case's zeros were never measured: no bars of 0 beside the others.
                if let reason = c.skipped {
                    nodes.append(SVG.text(x + 8, y + 16, "skipped", cssClass: "missing", tooltip: "\(c.name): skipped: \(reason)"))
                    continue
                }
                guard first != nil || second != nil else {
                    nodes.append(SVG.text(x + 8, y + 16, "–", cssClass: "missing", tooltip: "not measured for this case"))
                    continue
                }
                let a = first ?? 0
                let b = second ?? 0
                let unit = maximum > 0 ? barRoom / maximum : 0
                var tooltip = "\(c.name): \(column.title) (\(column.subtitle)) \(Format.compact(a + b))"
                if let names = column.partNames { tooltip += " = \(Format.compact(a)) \(names.0) + \(Format.compact(b)) \(names.1)" }
                nodes.append(SVG.rect(x + 4, y + 5, a * unit, rowHeight - 11, cssClass: "bar", tooltip: tooltip))
                if second != nil { nodes.append(SVG.rect(x + 4 + a * unit, y + 5, b * unit, rowHeight - 11, cssClass: "bar light", tooltip: tooltip)) }
                nodes.append(SVG.text(x + 8 + (a + b) * unit, y + 17, Format.compact(a + b), cssClass: "value small"))
            }
        }
        for (row, c) in cases.enumerated() {
            let y = headerHeight + Double(row) * rowHeight
            nodes.append(SVG.text(labelWidth - 10, y + 17, SVG.shortened(c.name), anchor: "end", cssClass: c.ranUnverified ? "label bad" : "label", tooltip: c.name))
        }
        return SVG.canvas(width: width, height: height, title: title, nodes)
    }
}
