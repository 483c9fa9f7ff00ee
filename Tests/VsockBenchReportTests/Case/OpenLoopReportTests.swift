import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport

/// The open-loop report of a case: requests the interval scheduled but never sent are counted
/// and named; the most in flight is per connection; old documents still read.
@Suite struct OpenLoopReportTests {
    static func worker(sends: UInt64, late: UInt64, unsent: UInt64, behindNanos: UInt64, inFlightMax: UInt64 = 16) -> WorkerResult {
        var stats = OpenLoopStats()
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
        let report = try #require(OpenLoopReport.summarize(ArrivalRate(perSecond: 2000), workers: [Self.worker(sends: 1932, late: 1932, unsent: 2068, behindNanos: 1_126_000_000)],
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
}
