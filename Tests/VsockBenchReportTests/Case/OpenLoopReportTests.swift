import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport

/// The open-loop report of a case: requests the interval scheduled but never sent are counted
/// and named; the most in flight is per connection; old documents still read.
@Suite struct OpenLoopReportTests {
    static func worker(sends: UInt64, late: UInt64, unsent: UInt64, behindNanos: UInt64, inFlightMax: UInt64 = 16,
                       held: UInt64 = 0, answered: UInt64? = nil, afterEnd: UInt64 = 0) -> WorkerResult {
        var stats = OpenLoopStats()
        stats.lateHeldByTarget = held
        stats.answeredInInterval = answered ?? sends
        stats.answeredAfterEnd = afterEnd
        stats.askedPerSecond = 2000
        stats.measuredSends = sends
        stats.lateSends = late
        stats.maxSendDelayNanos = behindNanos
        stats.inFlightMax = inFlightMax
        stats.inFlightCap = 16
        stats.unsent = unsent
        stats.behindNanos = behindNanos
        var w = WorkerResult(index: 0)
        w.openLoop = stats
        return w
    }

    @Test func unsentRequestsAreCountedAndSaid() throws {
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 1932, late: 1932, unsent: 2068, behindNanos: 1_126_000_000, held: 1932)],
                                                           seconds: 2, achieved: 950))
        #expect(report.unsent == 2068)
        #expect(report.behindSeconds == 1.126)
        #expect(report.scheduled == 4000)
        #expect(!report.keptUp)
        #expect(report.verdict.contains("2068 of 4000 scheduled requests were never sent (the sender was 1.13 s behind at the end): the latency percentiles cover the 1932 sent and understate the wait"), "\(report.verdict)")
        #expect(report.verdict.contains("the queue grew to the in-flight cap of 16 per connection"), "\(report.verdict)")
        let behind = try #require(RateSweepReport.behind(report))
        #expect(behind.hasSuffix("; 2068 of 4000 scheduled requests never sent (latency understated)"), "\(behind)")
        let json = try #require(String(data: JSONEncoder().encode(report), encoding: .utf8))
        #expect(json.contains("\"unsent\":2068") && json.contains("\"behind_s\":1.126"), "\(json)")
    }

    /// Nothing of the interval's schedule sent: no "cover the 0 sent".
    @Test func noRequestSentSaysNoLatencyWasMeasured() throws {
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 5_000_000), workers: [Self.worker(sends: 0, late: 0, unsent: 5_000_441, behindNanos: 1_200_000_000)],
                                                           seconds: 1, achieved: 0))
        #expect(report.verdict.contains("none of the 5000441 scheduled requests was sent (the sender was 1.20 s behind at the end): no latency was measured"), "\(report.verdict)")
        #expect(!report.verdict.contains("cover the 0 sent") && !report.verdict.contains("of those sent"), "\(report.verdict)")
    }

    /// A case that failed claims nothing: the same figures that read "kept up" read "schedule
    /// not completed" once the case failed (a failed open-loop replay said it kept up).
    @Test func aFailedCaseDoesNotClaimItKeptUp() throws {
        let failed = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 2, answered: 3999)],
                                                           seconds: 2, achieved: 2000, failed: true))
        #expect(!failed.keptUp)
        #expect(!failed.verdict.contains("kept up:"), "\(failed.verdict)")
        #expect(failed.verdict.hasPrefix("schedule not completed: the case failed"), "\(failed.verdict)")
        #expect(failed.verdict.contains("4000 measured requests sent, 3999 answered in the interval"), "\(failed.verdict)")
    }

    /// A stall the cap absorbed: every answer within the interval, few sends late, but the
    /// queue reached the in-flight cap. Still kept up, and the verdict says the target fell behind.
    @Test func aStallTheCapAbsorbedIsSaidBesideKeptUp() throws {
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 40, unsent: 0, behindNanos: 900_000_000, inFlightMax: 16, held: 40)],
                                                           seconds: 2, achieved: 2000))
        #expect(report.keptUp, "\(report.verdict)")
        #expect(report.verdict.contains("at most 16 in flight per connection (the cap: the target fell behind for a while and caught up"), "\(report.verdict)")
        let calm = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 15)],
                                                         seconds: 2, achieved: 2000))
        #expect(!calm.verdict.contains("the cap"), "\(calm.verdict)")
        // At the cap with no send held back late (a window of 1 is always at its cap): chance.
        let full = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 16)],
                                                         seconds: 2, achieved: 2000))
        #expect(full.keptUp && !full.verdict.contains("the cap"), "\(full.verdict)")
    }

    /// A replay's peer is the user's own service: its verdict names it so, not "the target".
    @Test func aReplaysVerdictNamesTheService() throws {
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 1932, late: 1932, unsent: 2068, behindNanos: 1_126_000_000, held: 1932)],
                                                           seconds: 2, achieved: 950, peer: "the service"))
        #expect(!report.keptUp)
        #expect(report.verdict.contains("the service answered 1932 of the 4000"), "\(report.verdict)")
        #expect(report.verdict.contains("waited mostly for the service"), "\(report.verdict)")
        #expect(!report.verdict.contains("target"), "\(report.verdict)")
    }

    @Test func aKeptScheduleLeavesNothingUnsent() throws {
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 2)],
                                                           seconds: 2, achieved: 2000))
        #expect(report.keptUp)
        #expect(report.unsent == 0)
        #expect(!report.verdict.contains("never sent"))
        #expect(report.verdict.hasSuffix("at most 2 in flight per connection"), "\(report.verdict)")
    }

    /// A document written before `unsent` and `behind_s` existed reads as nothing unsent.
    @Test func anOlderDocumentReads() throws {
        let old = #"{"asked_per_s":2000,"arrivals":"constant","sent_per_s":966,"achieved_per_s":950,"measured_sends":1932,"late_sends":1932,"late_threshold_us":250,"max_send_delay_us":1126000,"in_flight_max":16,"in_flight_cap":16,"kept_up":false,"verdict":"did NOT keep up"}"#
        let report = try JSONDecoder().decode(OpenLoopReport.self, from: Data(old.utf8))
        #expect(report.unsent == 0 && report.behindSeconds == 0 && report.measuredSends == 1932)
    }

    /// Late sends the target held back (a full socket, no free slot) are blamed on it, not on
    /// the driver: a stall of the target with a deep window was "the driver did not keep its
    /// own schedule" (review).
    @Test func lateSendsHeldByTheTargetAreBlamedOnIt() throws {
        let held = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 600, unsent: 0, behindNanos: 0, inFlightMax: 3, held: 590)],
                                                         seconds: 2, achieved: 2000))
        #expect(!held.keptUp)
        #expect(held.verdict.contains("590 of them waited mostly for the target"), "\(held.verdict)")
        #expect(!held.verdict.contains("the driver did not keep its own schedule"), "\(held.verdict)")
        #expect(try #require(RateSweepReport.behind(held)).hasPrefix("the target held the sender back: 590 of 600"))

        let own = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 4000, late: 600, unsent: 0, behindNanos: 0, inFlightMax: 3, held: 10)],
                                                        seconds: 2, achieved: 2000))
        #expect(own.verdict.contains("(10 of them waited mostly for the target) while at most 3 were in flight per connection: the driver did not keep its own schedule"), "\(own.verdict)")
        #expect(try #require(RateSweepReport.behind(own)).hasPrefix("the driver fell behind its own schedule"))
        // The sweep says what the machine beside the run was doing, where it was measured.
        #expect(try #require(RateSweepReport.behind(own)).contains("(a busy machine?)"), "an older file: not measured, a question")
        let words = "no other program was busy and no CPU time was stolen: the run's own processes were the machine's load"
        #expect(try #require(RateSweepReport.behind(own, machine: words)).contains("(\(words))"))

        // A busy driver at `window: 1`: the cap is reached by construction and the few answers
        // follow from the few sends; neither is put on the target.
        let busy = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 500), workers: [Self.worker(sends: 414, late: 414, unsent: 587, behindNanos: 1_170_000_000, inFlightMax: 16, held: 0, answered: 412)],
                                                         seconds: 2, achieved: 245))
        #expect(!busy.verdict.contains("the queue grew"), "\(busy.verdict)")
        #expect(!busy.verdict.contains("the target answered"), "\(busy.verdict)")
        #expect(busy.verdict.contains("answered 412 of the 1001 requests the interval scheduled (41%, of the 414 the driver sent"), "\(busy.verdict)")
    }

    /// Kept up is judged on the requests the interval scheduled, not on the mean rate: Poisson
    /// arrivals scheduled 380 in 2 s at 200/s, all answered, which is 190/s (95% of the rate
    /// missed by a hair, "did NOT keep up").
    @Test func keptUpCountsAnswersAgainstTheSchedule() throws {
        var w = Self.worker(sends: 380, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 1, answered: 378)
        w.openLoop?.askedPerSecond = 200
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 200, arrivals: .poisson), workers: [w], seconds: 2, achieved: 189))
        #expect(report.answered == 378)
        #expect(report.keptUp, "\(report.verdict)")

        let behind = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 200), workers: [Self.worker(sends: 400, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 40, answered: 300, afterEnd: 100)],
                                                           seconds: 2, achieved: 150))
        #expect(!behind.keptUp)
        #expect(behind.verdict.contains("the target answered 300 of the 400 requests the interval scheduled (75%"), "\(behind.verdict)")
        #expect(behind.verdict.hasSuffix("; 100 answered only after the interval ended (their waits are in the latency figures)"), "\(behind.verdict)")
        let json = try #require(String(data: JSONEncoder().encode(behind), encoding: .utf8))
        #expect(json.contains("\"answered\":300") && json.contains("\"answered_after_end\":100") && json.contains("\"late_held_by_target\":0"), "\(json)")
        #expect(json.contains("\"forgivable_after_end\":1"), "one answer after the end forgiven per connection: \(json)")
        // Read back, it is the same report, the grace included (it was dropped, and the copy
        // read back differed from the one written).
        #expect(try JSONDecoder().decode(OpenLoopReport.self, from: Data(json.utf8)) == behind)
    }

    /// One answer per connection after the end is the request in flight when a short interval
    /// closed, not a target falling behind (17 of 18 in 300 ms "did NOT keep up").
    @Test func theRequestInFlightAtTheEndIsForgiven() throws {
        var w = Self.worker(sends: 18, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 1, answered: 17, afterEnd: 1)
        w.openLoop?.askedPerSecond = 60
        let short = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 60), workers: [w], seconds: 0.3, achieved: 56.7))
        #expect(short.keptUp, "\(short.verdict)")
        var more = Self.worker(sends: 18, late: 0, unsent: 0, behindNanos: 0, inFlightMax: 2, answered: 16, afterEnd: 2)
        more.openLoop?.askedPerSecond = 60
        let behind = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 60), workers: [more], seconds: 0.3, achieved: 53.3))
        #expect(!behind.keptUp, "two after the end on one connection: \(behind.verdict)")
    }

    /// An older document has no counts of answers nor of held sends: null, and the verdict
    /// logic falls back to the rate.
    @Test func anOlderDocumentHasNullCounts() throws {
        let old = #"{"asked_per_s":2000,"arrivals":"constant","sent_per_s":966,"achieved_per_s":950,"measured_sends":1932,"late_sends":1932,"late_threshold_us":250,"max_send_delay_us":1126000,"in_flight_max":16,"in_flight_cap":16,"kept_up":false,"verdict":"did NOT keep up"}"#
        let report = try JSONDecoder().decode(OpenLoopReport.self, from: Data(old.utf8))
        #expect(report.answered == nil && report.lateHeldByTarget == nil && report.answeredAfterEnd == nil)
        #expect(abs(report.answeredShare - 0.475) < 1e-9)
        let json = try #require(String(data: JSONEncoder().encode(report), encoding: .utf8))
        #expect(json.contains("\"answered\":null") && json.contains("\"late_held_by_target\":null"), "\(json)")
    }
}
