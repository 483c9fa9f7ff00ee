import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchReport
import VsockBenchModel

/// A run stopped by an interrupt (SIGINT) says so: nothing it did not measure reads as a
/// figure, and nothing the interrupt cut short reads as lost or corrupted messages.
@Suite struct InterruptedReportTests {
    /// A trial the runner marks interrupted (as `ScenarioRunner` does when the interrupt came
    /// while it ran).
    static func interrupted(_ outcome: CaseOutcome) -> CaseOutcome {
        guard case var .measured(m) = outcome else { return outcome }
        m.interrupted = true
        return .measured(m)
    }

    static func json(_ document: RunDocument) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(document.encoded())) as? [String: Any]
        return try #require(object?["cases"] as? [[String: Any]])
    }

    /// The case the interrupt stopped read `verified: NO` and "bulk: FAILED - interrupted",
    /// in run's table and compare's, which a user reads as lost or corrupted messages (review).
    @Test func anInterruptedCaseReadsCutShortNotFailed() throws {
        let stopped = CaseSummary.summarize(Self.interrupted(TrialSummaryTests.trial(messages: 1000, latency: 10_000, failures: ["interrupted"])), transport: "unix")
        #expect(stopped.interrupted && stopped.cutShort && !stopped.verified && stopped.errors == ["interrupted"])
        let whole = CompareFixtures.rr("whole", msgs: 1000, p99: 300)
        let document = RunDocument(scenario: Scenario(name: "s", cases: [whole.spec, stopped.spec], path: "s.yaml"), target: "t", transport: "unix",
                                   driver: ReportFixtures.driverHost, targetHost: ReportFixtures.targetHost, cases: [whole, stopped], startedAt: "2026-01-02T03:04:05Z")
        let table = RunTable.render(document)
        let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("rr ") })
        #expect(row.hasSuffix(" cut short"), "\(row)")
        #expect(table.contains("\nrr: interrupted\n  - interrupted\n") && !table.contains("FAILED"), "\(table)")
        // The JSON keeps verified and errors, and says why (a new key).
        let cases = try Self.json(document)
        #expect(cases.map { $0["interrupted"] as? Bool } == [false, true])
        #expect(cases[1]["verified"] as? Bool == false && cases[1]["errors"] as? [String] == ["interrupted"])
        #expect(try RunDocument.decode(document.encoded()) == document)
        // compare's table and JSON.
        let comparison = Comparison(document)
        let compareRow = try #require(comparison.text().split(separator: "\n").last { $0.hasPrefix("rr ") })
        #expect(compareRow.hasSuffix(" cut short"), "\(compareRow)")
        #expect(comparison.rows.map(\.interrupted) == [false, true])
        // Still no pass: the run is not verified, and check does not count the trial.
        #expect(!document.allVerified && !stopped.trials[0].counts)
        // The HTML report says it as the tables do (it read NO, "not verified" and NOT VERIFIED).
        let html = HTMLReport.render(Diagnoser.diagnose(document))
        #expect(html.contains("cut short") && html.contains("interrupted (cut short)") && html.contains("CUT SHORT"), "the HTML report")
        #expect(!html.contains("NOT VERIFIED") && !html.contains(">NO<"), "the HTML report")
        #expect(html.contains("or an interrupt cut the case short"), "the problems' caption covers the case it lists")
    }

    /// A trial that failed on its own stays FAILED even when a later one was interrupted, and
    /// a failure is never "cut short" without the runner's flag, whatever its text.
    @Test func aFailureOfItsOwnStaysFailed() throws {
        let corrupt = TrialSummaryTests.trial(messages: 1000, latency: 10_000, failures: ["request 7: corrupt"])
        let stopped = Self.interrupted(TrialSummaryTests.trial(messages: 900, latency: 10_000, failures: ["interrupted"]))
        let both = try #require(CaseSummary.summarize(trials: [corrupt, stopped], transport: "unix"))
        #expect(both.interrupted && !both.cutShort && both.verifiedText == "NO" && both.errorsHeading == "FAILED")
        let lookalike = CaseSummary.summarize(TrialSummaryTests.trial(messages: 1000, latency: 10_000, failures: ["interrupted"]), transport: "unix")
        #expect(!lookalike.interrupted && lookalike.verifiedText == "NO" && lookalike.errorsHeading == "FAILED")
        let table = RunTable.render(ReportFixtures.document([both]))
        #expect(table.contains("\nrr: FAILED\n  - trial 1: request 7: corrupt\n  - trial 2: interrupted\n"), "\(table)")
    }

    /// Interrupted in its warmup, the driver measured no message, but the target's stats
    /// counted its own: the table showed `target reads/msg 2.00`, `target cpu us/msg 27.00`,
    /// `target processing 0.0%` beside msgs/s 0, and the JSON the same beside `messages: 0`.
    @Test func noMessageMeasuredMeansNoTargetFigurePerMessage() throws {
        guard case var .measured(m) = Self.interrupted(TrialSummaryTests.trial(messages: 0, latency: 10_000, failures: ["interrupted"])) else {
            Issue.record("not measured")
            return
        }
        var target = TargetStats()
        target.messages = 500
        target.reads = 1000
        target.writes = 500
        target.cpuUserSeconds = 0.0135
        target.ioWaitSeconds = 0.1
        m.target = target
        let c = CaseSummary.summarize(m, transport: "unix")
        #expect(c.messages == 0)
        #expect(c.targetReadsPerMessage == nil && c.targetWritesPerMessage == nil && c.targetShortWritesPerMessage == nil)
        #expect(c.cpu.targetMicrosPerMessage == nil && c.targetProcessingShare == nil)
        #expect(c.target?.messages == 500, "the target's own stats stay, as it sent them")
        let costs = RunTable.render(ReportFixtures.document([c])).split(separator: "\n").filter { $0.hasPrefix("rr ") }
        let row = try #require(costs.last)
        #expect(row.split(separator: " ").dropFirst().allSatisfy { $0 == "-" }, "\(row)")
        let cases = try Self.json(ReportFixtures.document([c]))
        #expect(cases[0]["target_reads_per_msg"] is NSNull && (cases[0]["cpu"] as? [String: Any])?["target_us_per_msg"] is NSNull)
    }

    /// A skipped case's row had `Mbps -` but `msgs/s 0`; a rate never run read 0 answered/s
    /// and 0 late sends: zeros that were never measured.
    @Test func whatDidNotRunShowsNoZeros() throws {
        let spec = CaseSpec(name: "bulk", workload: .stream(StreamWorkload(writeSize: 65536)))
        let skipped = CaseSummary.summarize(.skipped(spec, reason: "stream cases need a channel"), transport: "null")
        let row = try #require(RunTable.render(ReportFixtures.document([skipped])).split(separator: "\n").first { $0.hasPrefix("bulk ") })
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).filter { $0 == "0" }.isEmpty, "\(row)")
        #expect(row.contains(" - ") && row.hasSuffix("skipped"), "\(row)")
        // A rate never reached: "-" where the figures would be.
        let plan = try RateSweepPlan(workload: .rr, size: 1024, rates: [1000, 2000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let sweep = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000)]))
        let notRun = try #require(RateSweepTable.render(sweep).split(separator: "\n").first { $0.hasSuffix("not run") })
        // offered, answered, messages, p50, p99, p99.9, late sends, kept up.
        #expect(notRun.split(separator: " ").map(String.init) == ["2000", "-", "-", "-", "-", "-", "-", "not", "run"], "\(notRun)")
    }
}
