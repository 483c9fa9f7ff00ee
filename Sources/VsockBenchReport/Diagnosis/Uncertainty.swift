import VsockBenchStats
import VsockBenchSupport

/// How far a case's timing figures may be from what a later run of the same case measures:
/// the relative half-width each prediction input is widened by, figure by figure.
enum Uncertainty {
    /// One trial has no interval. ±25% is this machine's run-to-run spread (six identical runs
    /// of the cliff: 7-16% coefficient of variation per case, the slowest 0.64-0.83 of the fastest).
    static let singleTrial = 0.25
    /// With trials, the figure's 95% interval, but never under ±10%: the fix is measured in a
    /// later run, and figures drift more between runs than within one.
    static let minimum = 0.10

    /// The relative half-width of `figure` in `c`.
    static func relative(_ c: CaseResult, _ figure: Figure) -> Double {
        guard trials(c) > 1, let bounds = c.ci?[figure.rawValue], bounds.count == 2,
              let value = figure.value(in: c.figures), value > 0 else { return trials(c) > 1 ? minimum : singleTrial }
        return max(minimum, max(value - bounds[0], bounds[1] - value) / value)
    }

    static func trials(_ c: CaseResult) -> Int { CaseSummary.medianTrials(c.trials).count }

    /// Says where the widths come from, for the evidence.
    static func note(_ c: CaseResult, _ figure: Figure = .msgsPerSecond) -> String {
        let n = trials(c)
        if n > 1, c.ci != nil {
            // Below 6 trials the interval is the trials' range, whose coverage is lower (3: 75%).
            let ranks = try? OrderStatisticRanks(sampleSize: n, confidence: CaseSummary.confidence)
            let interval = ranks.map { $0.reachesConfidence ? "its 95% interval" : "its trials' range (\(Format.fixed($0.coverage * 100, 0))% coverage)" } ?? "its interval"
            return "\(figure.rawValue) ±\(Say.pct(relative(c, figure))): \(interval) over \(n) trials (at least ±\(Say.pct(minimum)), as a later run drifts); each input with its own interval"
        }
        return "inputs ±\(Say.pct(singleTrial)): one trial has no interval, so this machine's run-to-run spread is assumed"
    }
}
