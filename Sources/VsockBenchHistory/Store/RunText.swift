import VsockBenchReport
import VsockBenchSupport

/// `history list` and `history show` for a terminal.
public enum RunText {
    public static func list(_ runs: [StoredRun], database: String) -> String {
        var table = TextTable(columns: ["run", "started", "scenario", "cases", "trials", "commit", "driver kernel", "target kernel", "labels"], rightAligned: [0, 3, 4])
        for run in runs {
            table.add([
                String(run.id) + mark(run), Terminal.safe(run.startedAt), Terminal.safe(run.scenario), String(run.cases.count),
                run.trialCounts.columnText, Terminal.safe(run.shortCommit), Terminal.safe(run.driverKernel), Terminal.safe(run.targetKernel ?? "-"),
                Terminal.safe(run.labelText),
            ])
        }
        var out = "history \(Terminal.safe(database)): \(runs.count) run\(runs.count == 1 ? "" : "s")\n\n" + table.render()
        let marks = Set(runs.map(mark))
        if marks.contains("!") { out += "!: a case of this run was not verified\n" }
        if marks.contains("~") { out += "~: the run was cut short (interrupted); what it measured was verified\n" }
        for run in runs where !run.notRun.isEmpty {
            out += "run \(run.id): not run (the interrupt came before \(run.notRun.count == 1 ? "it" : "them")): \(run.notRun.map(Terminal.safe).joined(separator: ", "))\n"
        }
        return out
    }

    /// `!` where a case that ran was not verified, whatever else; `~` where an interrupt cut
    /// the run short and nothing else went wrong (an interrupted run read `!`, as if a case had
    /// failed); empty for a whole, verified run.
    static func mark(_ run: StoredRun) -> String {
        run.cutShort ? "~" : run.verified ? "" : "!"
    }

    /// The run's facts, then each case's main figures with their intervals.
    public static func show(_ run: StoredRun, cases: [StoredCase]) -> String {
        var out = "run \(run.id): \(Terminal.safe(run.scenario)) (\(Terminal.safe(run.scenarioPath)))\n"
        let facts: [(String, String)] = [
            ("started", run.startedAt), ("added", run.addedAt), ("commit", run.gitCommit ?? "-"), ("labels", run.labelText.isEmpty ? "-" : run.labelText),
            ("transport", run.transport), ("target", run.target), ("driver", "\(run.driverHost), kernel \(run.driverKernel), \(run.cpus) cpus, \(run.tool)"),
            ("target host", run.targetHost.map { "\($0), kernel \(run.targetKernel ?? "-")" } ?? "-"), ("trials", run.trialCounts.short ? "\(run.trialCounts.columnText) asked" : String(run.repeatCount)),
        ]
        for (name, value) in facts { out += "  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + Terminal.safe(value) + "\n" }
        let shown: [Figure] = [.msgsPerSecond, .latencyP50, .latencyP99, .writesPerMessage, .readsPerMessage, .driverCPU, .exits]
        // An open-loop case that fell behind its rate listed its p99 as verified with no mark,
        // a p99 the run itself called understated (review): a column says it.
        let openLoop = cases.contains { $0.keptUp != nil }
        let head = ["case", "workload", "trials", "verified"] + (openLoop ? ["kept up"] : []) + ["Mbps (payload)"]
        var table = TextTable(columns: head + shown.map(\.label), rightAligned: Set(2..<(head.count + shown.count)).subtracting(openLoop ? [4] : []))
        for c in cases {
            var row = [Terminal.safe(c.name), c.workload, String(c.trials), c.skipped != nil ? "skipped" : c.verified ? "yes" : c.cutShort ? "cut short" : "NO"]
            if openLoop { row.append(c.skipped != nil ? "-" : keptUpText(c.keptUp)) }
            // A skipped case measured nothing: its stored zeros are no figures (it read
            // `skipped` beside msgs/s 0.000: review), so `-` as for a figure it has none of.
            let skipped = c.skipped != nil
            row.append(skipped ? "-" : mbpsText(c))
            for figure in shown { row.append(skipped ? "-" : cell(c, figure) ?? "-") }
            table.add(row)
        }
        out += "\n" + table.render()
        for c in cases { if let reason = c.skipped { out += "\(Terminal.safe(c.name)): skipped: \(Terminal.safe(reason))\n" } }
        out += "Mbps: application payload per direction, as run prints it; figures: each case's median over its trials [its interval: 95% from 6 trials, min-max below], a case of one trial its single sample; every figure and trial: --json\n"
        if cases.contains(where: { $0.skipped == nil && $0.keptUp?.all == false }) {
            out += "kept up NO: an open-loop case that fell behind its rate (requests sent late or never sent): its latency figures understate the wait\n"
        }
        return out
    }

    /// `yes`, `NO`, `NO (1 of 2 trials kept up)`, or `-` for a closed loop.
    static func keptUpText(_ count: KeptUpCount?) -> String {
        guard let count else { return "-" }
        if count.all { return "yes" }
        return count.of > 1 && count.kept > 0 ? "NO (\(count.kept) of \(count.of) trials kept up)" : "NO"
    }

    /// Mbps as `run` prints it, payload per direction: `1184 each way`, `32115 tx`,
    /// `134 tx / 1342 rx`, each with its interval; never both directions summed.
    static func mbpsText(_ c: StoredCase) -> String {
        let tx = c.figures[Figure.mbpsTx.rawValue] ?? 0, rx = c.figures[Figure.mbpsRx.rawValue] ?? 0
        if tx == 0, rx == 0 { return "-" }
        if rx == 0 { return (cell(c, .mbpsTx) ?? "-") + " tx" }
        if tx == 0 { return (cell(c, .mbpsRx) ?? "-") + " rx" }
        if PayloadDirection.alike(tx, rx) { return (cell(c, tx >= rx ? .mbpsTx : .mbpsRx) ?? "-") + " each way" }
        return (cell(c, .mbpsTx) ?? "-") + " tx / " + (cell(c, .mbpsRx) ?? "-") + " rx"
    }

    /// `19699 [16480-20085]`: the figure with its interval; nil when the case has no such figure.
    static func cell(_ c: StoredCase, _ figure: Figure) -> String? {
        guard let value = c.figures[figure.rawValue] else { return nil }
        let interval = c.intervals[figure.rawValue].map { " [\(Format.compact($0[0]))-\(Format.compact($0[1]))]" } ?? ""
        return Format.compact(value) + interval
    }
}
