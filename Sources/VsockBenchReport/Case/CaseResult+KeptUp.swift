/// Whether an open-loop case kept up, judged over its trials: the case's own `open_loop` is
/// one trial's (the median by msgs/s, which in open loop is about the offered rate in every
/// trial, so as far as lateness goes a trial more or less at random: review).
public struct KeptUpCount: Sendable, Equatable {
    /// Trials that kept up, of the trials with an open-loop report.
    public var kept: Int
    public var of: Int

    public init(kept: Int, of: Int) {
        self.kept = kept
        self.of = of
    }

    /// The case keeps up only when every trial did.
    public var all: Bool { kept == of }

    /// `kept up in 1 of 2 trials`.
    public var text: String { "kept up in \(kept) of \(of) trial\(of == 1 ? "" : "s")" }
}

extension CaseFigures {
    /// Whether an open-loop report of these figures judged keeping up: the trial passed its
    /// checks and measured something.
    public var keptUpJudged: Bool { verified && messages > 0 }
}

extension CaseResult {
    /// The open-loop reports of the trials that were judged (the case's own where no trial
    /// has one); empty for a closed-loop case. A trial that failed or was cut short has a
    /// report whose `kept_up` is false without a judgement ("whether it kept up is not
    /// judged"): it read as a trial that fell behind (review).
    public var openLoopTrials: [OpenLoopReport] {
        let reports = trials.filter(\.keptUpJudged).compactMap(\.openLoop)
        if !reports.isEmpty || trials.contains(where: { $0.openLoop != nil }) { return reports }
        return figures.keptUpJudged ? figures.openLoop.map { [$0] } ?? [] : []
    }

    /// How many trials kept up; nil for a closed-loop case.
    public var keptUpCount: KeptUpCount? {
        let reports = openLoopTrials
        guard !reports.isEmpty else { return nil }
        return KeptUpCount(kept: reports.filter(\.keptUp).count, of: reports.count)
    }

    /// An open-loop case of which a trial did not keep up: its latency percentiles leave out
    /// the requests never sent and those sent late, so they understate the wait.
    public var fellBehind: Bool { keptUpCount.map { !$0.all } ?? false }

    /// The first report of a trial that did not keep up (the case's own when it is one).
    public var behindReport: OpenLoopReport? {
        // The case's own report only where it judged (a failed case's reads "not judged").
        if let own = figures.openLoop, !own.keptUp, figures.keptUpJudged { return own }
        return openLoopTrials.first { !$0.keptUp }
    }
}
