import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport

/// Keeping up is judged on the trials that were judged: a failed trial's report says "not
/// judged" with `kept_up` false, which read as a trial that fell behind (review).
@Suite struct KeptUpTests {
    static func report(_ kept: Bool) -> OpenLoopReport {
        OpenLoopReport(askedPerSecond: 2000, arrivals: .constant, sentPerSecond: 2000, achievedPerSecond: 2000, measuredSends: 2000, lateSends: 0,
                       lateThresholdMicros: 1000, maxSendDelayMicros: 10, inFlightMax: 1, inFlightCap: 1024, keptUp: kept,
                       verdict: kept ? "kept up" : "whether it kept up is not judged")
    }

    @Test func aFailedTrialIsNoTrialThatFellBehind() {
        var c = ReportFixtures.makeCase("ol", mbps: 1, msgsPerSecond: 2000, messages: 2000)
        var failed = c.figures
        failed.verified = false
        failed.openLoop = Self.report(false)
        var kept = c.figures
        kept.openLoop = Self.report(true)
        c.trials = [kept, failed]
        c.figures = kept
        #expect(c.keptUpCount == KeptUpCount(kept: 1, of: 1))
        #expect(!c.fellBehind && c.behindReport == nil)
        // The whole case failed: nothing was judged, and its own report is not said to be behind.
        c.trials = [failed]
        c.figures = failed
        #expect(c.keptUpCount == nil && !c.fellBehind)
        #expect(c.behindReport == nil)
    }
}
