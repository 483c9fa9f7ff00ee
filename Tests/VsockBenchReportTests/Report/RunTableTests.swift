import Testing
@testable import VsockBenchReport

/// The run table's headline: like with like, and only from cases whose figures stand.
@Suite struct RunTableTests {
    @Test func theComparisonLineTakesVerifiedCasesOnly() throws {
        let bulk = ReportFixtures.makeCase("bulk", workload: .stream, size: 65536, mbps: 9500, msgsPerSecond: 18000)
        let chatty = ReportFixtures.makeCase("chatty", mbps: 44, msgsPerSecond: 336)
        var stopped = ReportFixtures.makeCase("stopped", workload: .stream, size: 65536, mbps: 20000, msgsPerSecond: 38000)
        stopped.figures.verified = false
        let line = try #require(RunTable.comparisonLine([bulk, chatty, stopped]))
        #expect(line.hasPrefix("bulk moved 9500 Mbps driver to target, chatty 22.00 Mbps each way"), "\(line)")
        #expect(!line.contains("stopped"))
        #expect(RunTable.comparisonLine([bulk, stopped]) == nil, "one verified case compares with nothing")
    }
}
