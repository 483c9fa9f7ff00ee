import Testing

@testable import VsockBenchModel
@testable import VsockBenchReport

/// The HTML report's reference table gives Mbps as every other output does: payload per
/// direction, never both directions added.
@Suite struct ReportSectionsTests {
    @Test func allFiguresGiveMbpsPerDirection() {
        // rr 8 KiB stop-and-wait: 1063 each way (2126 summed); a stream: one way only.
        let cases = [ReportFixtures.makeCase("base", mbps: 2126, msgsPerSecond: 16220),
                     ReportFixtures.makeCase("bulk", workload: .stream, size: 65536, mbps: 29761, msgsPerSecond: 56765)]
        let html = ReportSections.numbers(cases).rendered
        #expect(html.contains("1063 each way"), "\(html)")
        #expect(html.contains("29761 tx"), "\(html)")
        #expect(!html.contains("2126"), "the sum of both directions is no Mbps: \(html)")
        #expect(html.contains("Mbps (payload)"))
    }

    /// A replay's service sends no host facts: the target's kernel is unknown for that reason,
    /// not because no case reached the target (which a successful replay's report said).
    @Test func aReplaysUnknownKernelSaysWhy() {
        var c = ReportFixtures.makeCase("agent", mbps: 10, msgsPerSecond: 1000)
        c.spec = CaseSpec(name: "agent", workload: .replay(ReplayWorkload()))
        var document = ReportFixtures.document([c])
        document.host.target = nil
        document.host.targetKernel = nil
        #expect(ReportSections.hosts(document).rendered.contains("unknown (a replay or raw case&#39;s service sends no host facts)")
            || ReportSections.hosts(document).rendered.contains("unknown (a replay or raw case's service sends no host facts)"), "\(ReportSections.hosts(document).rendered)")
        let rr = ReportFixtures.makeCase("rr", mbps: 10, msgsPerSecond: 1000)
        var failed = ReportFixtures.document([rr])
        failed.host.target = nil
        failed.host.targetKernel = nil
        #expect(ReportSections.hosts(failed).rendered.contains("unknown (no case reached the target)"))
    }

    /// As the text table: a figure with trials is their median with its ±, and a case of one
    /// trial says it is a single sample.
    @Test func allFiguresSayWhatEachFigureIs() {
        let single = ReportSections.numbers([CompareFixtures.rr("base", msgs: 1000, p99: 300)]).rendered
        #expect(single.contains("1 (single sample)"), "\(single)")
        #expect(single.contains("Every figure is a single sample"), "\(single)")
        #expect(!single.contains("±"), "\(single)")

        let repeated = CompareFixtures.withTrials(CompareFixtures.rr("base", msgs: 1000, p99: 300),
                                                  msgs: [900, 1000, 1100, 950, 1050, 1000], p99: [280, 300, 320, 290, 310, 300])
        let html = ReportSections.numbers([repeated]).rendered
        #expect(html.contains("<td>6</td>") || html.contains(">6</td>"), "six trials counted: \(html)")
        #expect(html.contains("1000 ±"), "msgs/s with its interval: \(html)")
        #expect(html.contains("300.0 ±"), "p99 with its interval: \(html)")
        #expect(html.contains("median of the case&#39;s trials"), "\(html)")
        #expect(!html.contains("single sample)"), "\(html)")
    }

    /// Two directions within 0.5% are one figure said `each way`: driver to target's, the one
    /// compare's and history's `mbps` follow, not whichever happened to be busier.
    @Test func eachWayIsDriverToTargetsFigure() {
        let echo = CompareTests.ComparisonTests.bothWays("echo", tx: 5000, rx: 5010)
        #expect(echo.mbpsText == "5000 each way", "\(echo.mbpsText)")
        #expect(MbpsDirection(echo.figures).mbps(in: echo.figures) == 5000)
    }
}
