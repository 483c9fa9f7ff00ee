import VsockBenchSupport
/// The report as one screen: a line per check under its group, a fixed-width status mark and
/// title, the detail wrapped to ``width``, and `-> advice` under anything not ok.
public enum DoctorScreen {
    public static let width = 110
    private static let markWidth = 8
    private static let titleWidth = 17

    public static func render(_ report: DoctorReport) -> String {
        var lines = ["vsockbench doctor: what \(Terminal.safe(report.hostname)) offers for vsock measurements (\(report.tool))"]
        let checks = report.checks
        for group in DoctorGroup.allCases {
            let members = checks.filter { $0.group == group }
            guard !members.isEmpty else { continue }
            lines.append("")
            lines.append(group.title)
            for check in members { lines += render(check) }
        }
        let counts = report.summary
        lines.append("")
        lines.append(
            DoctorStatus.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                + " (doctor reports only: it connected to nothing and exits 0)")
        return lines.joined(separator: "\n") + "\n"
    }

    static func render(_ check: DoctorCheck) -> [String] {
        let head = "  " + pad(check.status.rawValue, markWidth) + pad(check.title, titleWidth)
        let indent = String(repeating: " ", count: head.count)
        var lines = wrap(check.detail, first: head, rest: indent)
        for note in check.notes { lines += wrap(note, first: indent + "  ", rest: indent + "    ") }
        if let advice = check.advice, check.status != .ok {
            lines += wrap(advice, first: indent + "-> ", rest: indent + "   ")
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// Greedy word wrap: `first` prefixes the first line, `rest` the others.
    static func wrap(_ text: String, first: String, rest: String) -> [String] {
        var lines: [String] = []
        var line = first
        var empty = true
        for word in text.split(separator: " ") {
            if !empty && line.count + 1 + word.count > width {
                lines.append(line)
                line = rest
                empty = true
            }
            line += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(line)
        return lines
    }
}
