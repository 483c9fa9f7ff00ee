import VsockBenchSupport

/// How far a case's timing figures may be from what a later run of the same case measures:
/// the relative half-width every prediction's inputs are widened by.
enum Uncertainty {
    /// One trial has no interval. ±25% is this machine's run-to-run spread (six identical runs
    /// of the cliff: 7-16% coefficient of variation per case, the slowest 0.64-0.83 of the fastest).
    static let singleTrial = 0.25
    /// With trials, the widest 95% interval of the case's timing figures, but never under
    /// ±10%: the fix is measured in a later run, and figures drift more between runs than
    /// within one.
    static let minimum = 0.10

    static let timingFigures: [Figure] = [.msgsPerSecond, .mbpsTx, .mbpsRx, .driverCPU, .targetCPU]

    /// The relative half-width for `c`.
    static func relative(_ c: CaseResult) -> Double {
        guard c.trials.filter({ $0.messages > 0 }).count > 1, let ci = c.ci else { return singleTrial }
        var widest = minimum
        for figure in timingFigures {
            guard let bounds = ci[figure.rawValue], bounds.count == 2, let value = figure.value(in: c.figures), value > 0 else { continue }
            widest = max(widest, max(value - bounds[0], bounds[1] - value) / value)
        }
        return widest
    }

    /// Says where the width comes from, for the evidence.
    static func note(_ c: CaseResult) -> String {
        let u = relative(c)
        let trials = c.trials.filter { $0.messages > 0 }.count
        if trials > 1, c.ci != nil {
            return "inputs ±\(Say.pct(u)): the widest 95% interval of \(c.name)'s timing figures over \(trials) trials (at least ±\(Say.pct(minimum)), as a later run drifts)"
        }
        return "inputs ±\(Say.pct(u)): one trial has no interval, so this machine's run-to-run spread is assumed"
    }
}
