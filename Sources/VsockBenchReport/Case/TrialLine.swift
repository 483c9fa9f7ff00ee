import VsockBenchEngine
import VsockBenchSupport

/// One plain line per finished trial on stderr: `[3/15] chatty-8k (round 1/5): 21509 msgs/s`,
/// with what failed, and with the machine's other programs or steal where they were busy.
public enum TrialLine {
    public static func text(_ p: TrialProgress) -> String {
        let round = p.rounds > 1 ? " (round \(p.round)/\(p.rounds))" : ""
        var line = "vsockbench: [\(p.trial)/\(p.trials)] \(Terminal.safe(p.outcome.spec.name))\(round): "
        switch p.outcome {
        case let .measured(m):
            // The table's figure, rounded as it is (to 0.1 first): computed apart, 16626.46
            // read 16626 here and 16627 in the table of the same single-trial run.
            let figures = CaseSummary.summarize(m, transport: "").figures
            // Cut short by the interrupt is no failure of the channel: it read "FAILED: interrupted".
            let ending = m.failures.isEmpty ? "" : m.interrupted ? ", interrupted (cut short)" : ", FAILED: \(Terminal.safe(m.failures.first ?? ""))"
            line += "\(Format.fixed(figures.msgsPerSecond, 0)) msgs/s" + ending
            // A CI log says which trial the machine disturbed, as it happens.
            if figures.cpu.machineWasBusy { line += " (the machine was busy: \(CPUSummary.busyText([figures])))" }
        case .failed(_, .interrupted):
            line += "interrupted while it connected (cut short)"
        case let .failed(_, error):
            line += "FAILED: \(Terminal.safe(error.description))"
        case let .skipped(_, reason):
            line += "skipped: \(reason)"
        }
        return line
    }
}
