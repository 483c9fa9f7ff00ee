/// How many trials a run's cases ran, against how many `--repeat` asked for: an interrupted
/// run ran fewer, and not alike in every case (`history add` said "2 trials each" of a run
/// whose second case ran 1, and `history list` the 3 asked: review).
public struct TrialCounts: Sendable, Equatable {
    /// Trials of each case that ran (skipped cases left out: they ran none by design).
    public var ran: [Int]
    /// `--repeat` as the run asked for it; nil when the document does not say.
    public var asked: Int?

    public init(ran: [Int], asked: Int?) {
        self.ran = ran
        self.asked = asked
    }

    /// The counts of `document`'s cases that were not skipped (every case's when all were).
    public init(_ document: RunDocument) {
        let run = document.cases.filter { $0.skipped == nil }
        self.init(ran: (run.isEmpty ? document.cases : run).map(\.trialCount), asked: document.statistics?.repeatCount)
    }

    public var fewest: Int { ran.min() ?? 0 }
    public var most: Int { ran.max() ?? 0 }

    /// `3`, `2`, or `1-2`: the trials that ran.
    public var rangeText: String { fewest == most ? String(most) : "\(fewest)-\(most)" }

    /// Whether what ran is other than what was asked.
    public var short: Bool { asked.map { fewest != $0 || most != $0 } ?? false }

    /// `3`, or `1-2 of 3` where fewer ran than were asked (`history list`'s column).
    public var columnText: String {
        guard short, let asked else { return rangeText }
        return "\(rangeText) of \(asked)"
    }

    /// `2 cases, 3 trials each`, or `2 cases, 1-2 trials each (3 asked)`.
    public func casesText(cases: Int) -> String {
        var out = "\(cases) case\(cases == 1 ? "" : "s"), \(rangeText) trial\(rangeText == "1" ? "" : "s")\(cases == 1 ? "" : " each")"
        if short, let asked { out += " (\(asked) asked)" }
        return out
    }
}
