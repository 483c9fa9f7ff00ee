import Testing
@testable import VsockBenchEngine
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

    @Test("with 3 trials the ± is half the trials' range, 75% coverage, not called a 95% interval; from 6 it is one")
    func intervalCoverage() throws {
        func headline(_ trials: Int) throws -> String {
            var document = ReportFixtures.document([
                CompareFixtures.withTrials(CompareFixtures.rr("none", msgs: 1000, p99: 300), msgs: (0..<trials).map { 1000 + Double($0) }),
            ])
            document.statistics = RunStatistics(TrialPlan(repeatCount: trials))
            return String(try #require(RunTable.render(document).split(separator: "\n").first { $0.hasPrefix("median of") }))
        }
        let three = try headline(3)
        #expect(!three.contains("95% interval") && three.contains("75% coverage"), "\(three)")
        #expect(try headline(6).contains("± half the 95% interval"))
    }
}
