import Testing

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
}
