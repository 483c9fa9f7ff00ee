@testable import VsockBenchModel
@testable import VsockBenchReport

/// Open-loop reports for hand-made cases: kept up, or fallen behind with requests never sent.
enum OpenLoopFixtures {
    static func report(asked: Double = 2000, keptUp: Bool) -> OpenLoopReport {
        let sent: UInt64 = keptUp ? UInt64(asked) : 217
        return OpenLoopReport(askedPerSecond: asked, arrivals: .constant, sentPerSecond: Double(sent), achievedPerSecond: Double(sent),
                              measuredSends: sent, lateSends: keptUp ? 0 : 200, lateThresholdMicros: 1000, maxSendDelayMicros: keptUp ? 50 : 800_000,
                              inFlightMax: keptUp ? 2 : 1, inFlightCap: 1024, unsent: keptUp ? 0 : UInt64(asked) - sent, behindSeconds: keptUp ? 0 : 0.9,
                              lateHeldByTarget: 0, answered: sent, answeredAfterEnd: 0, keptUp: keptUp,
                              verdict: keptUp ? "kept up" : "did NOT keep up")
    }

    /// `c` open loop at 2000/s, its trials kept up (or not) as `trials` says; the case's own
    /// report is its `representative` trial's, as `run --repeat` writes it.
    static func openLoop(_ c: CaseResult, trials: [Bool], representative: Int = 0) -> CaseResult {
        var result = c
        result.spec.updateExchange { $0.rate = ArrivalRate(perSecond: 2000) }
        let base = result.trials.isEmpty ? [result.figures] : result.trials
        result.trials = trials.enumerated().map { index, kept in
            var t = base[min(index, base.count - 1)]
            t.openLoop = report(keptUp: kept)
            return t
        }
        result.figures.openLoop = report(keptUp: trials[representative])
        return result
    }
}
