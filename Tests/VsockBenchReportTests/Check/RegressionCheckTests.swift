import Testing

@testable import VsockBenchModel
@testable import VsockBenchReport

@Suite struct RegressionCheckTests {
    func compare(_ results: RunDocument, _ baseline: RunDocument, _ tolerances: CheckTolerances = .standard) throws -> CheckReport {
        try RegressionCheck.compare(results: results, baseline: baseline, tolerances: tolerances)
    }

    @Test("equal runs pass; every compared figure holds; stream p99 is not compared")
    func equal() throws {
        let report = try compare(ReportFixtures.cliff(), ReportFixtures.cliff())
        #expect(report.passed)
        #expect(report.regressions.isEmpty)
        #expect(report.caseNames == ["bulk", "chatty-8k"])
        let bulkP99 = try #require(report.rows.first { $0.caseName == "bulk" && $0.metric == .p99 })
        #expect(bulkP99.verdict == .notCompared && bulkP99.note == nil)
        #expect(report.rows.filter { $0.verdict == .held }.count == 5)
        #expect(report.renderText().contains("PASS"))
    }

    @Test("improved runs pass and say improved: more Mbps, lower p99")
    func improved() throws {
        let report = try compare(ReportFixtures.cliff(bulkMbps: 12000, chattyMbps: 44, chattyRate: 672, p99: 100), ReportFixtures.cliff())
        #expect(report.passed)
        #expect(report.rows.filter { $0.verdict == .improved }.map(\.metric) == [.mbps, .msgsPerSecond, .mbps, .msgsPerSecond, .p99])
    }

    @Test("a drop in Mbps beyond the tolerance regresses, naming case, metric, baseline, now and change")
    func regressedThroughput() throws {
        let report = try compare(ReportFixtures.cliff(bulkMbps: 8000), ReportFixtures.cliff(bulkMbps: 9500))
        #expect(!report.passed)
        let regressions = report.regressions
        #expect(regressions.map(\.caseName) == ["bulk", "bulk"])
        #expect(regressions.map(\.metric) == [.mbps, .msgsPerSecond])
        let mbps = try #require(regressions.first)
        #expect(mbps.baseline == 9500 && mbps.now == 8000)
        #expect(abs((mbps.change ?? 0) + 0.157894) < 1e-5)
        #expect(mbps.sentence == "bulk: Mbps 9500 -> 8000 (-15.8%, limit -10%)")
        let text = report.renderText()
        #expect(text.contains("REGRESSED"))
        #expect(text.contains("bulk: Mbps 9500 -> 8000 (-15.8%, limit -10%)"))
        #expect(text.hasSuffix("FAIL: 2 regressions\n"))
    }

    @Test("direction: higher p99 regresses, lower p99 does not; within the tolerance holds")
    func latencyDirection() throws {
        let worse = try compare(ReportFixtures.cliff(p99: 300), ReportFixtures.cliff(p99: 220))
        #expect(worse.regressions.map(\.metric) == [.p99])
        #expect(worse.regressions.first?.sentence.contains("limit +10%") == true)
        let slightly = try compare(ReportFixtures.cliff(p99: 240), ReportFixtures.cliff(p99: 220))
        #expect(slightly.passed)
    }

    @Test("per-metric tolerance overrides the default")
    func overrides() throws {
        let results = ReportFixtures.cliff(bulkMbps: 9000, p99: 300)
        let baseline = ReportFixtures.cliff(bulkMbps: 9500, p99: 220)
        let strict = try compare(results, baseline, try CheckTolerances.parse(["1%"]))
        #expect(Set(strict.regressions.map(\.metric)) == [.mbps, .msgsPerSecond, .p99])
        let loose = try compare(results, baseline, try CheckTolerances.parse(["1%", "p99=50%", "mbps=10%", "msgs_per_s=10%"]))
        #expect(loose.passed)
    }

    @Test("exits/msg is compared only where both runs had the probe, and more exits regress")
    func exits() throws {
        var results = ReportFixtures.cliff()
        var baseline = ReportFixtures.cliff()
        results.cases[1].probe = ReportFixtures.probe(exits: 14)
        let oneSided = try compare(results, baseline)
        let row = try #require(oneSided.rows.first { $0.caseName == "chatty-8k" && $0.metric == .exits })
        #expect(row.verdict == .notCompared && row.note == "not in the baseline")
        #expect(oneSided.passed)
        baseline.cases[1].probe = ReportFixtures.probe(exits: 10)
        let both = try compare(results, baseline)
        #expect(both.regressions.map(\.metric) == [.exits])
        #expect(both.regressions.first?.sentence == "chatty-8k: exits/msg 10.00 -> 14.00 (+40.0%, limit +10%)")
    }

    @Test("a zero baseline: a cost appearing from zero regresses, zero to zero holds")
    func zeroBaseline() {
        #expect(RegressionCheck.row(.exits, case: "c", baseline: 0, now: 0.5, tolerance: 0.1).verdict == .regressed)
        #expect(RegressionCheck.row(.exits, case: "c", baseline: 0, now: 0, tolerance: 0.1).verdict == .held)
        #expect(RegressionCheck.row(.mbps, case: "c", baseline: 0, now: 10, tolerance: 0.1).verdict == .improved)
    }

    @Test("an unverified case in the results fails the check even with equal figures")
    func unverified() throws {
        var results = ReportFixtures.cliff()
        results.cases[1].verified = false
        results.cases[1].errors = ["response 3: 8 bytes differ"]
        let report = try compare(results, ReportFixtures.cliff())
        #expect(!report.passed && report.regressions.isEmpty)
        #expect(report.unverified.map(\.caseName) == ["chatty-8k"])
        #expect(report.renderText().contains("chatty-8k: response 3: 8 bytes differ"))
        #expect(report.headline == "FAIL: 1 unverified case")
    }

    @Test("mismatched cases are unusable input naming each missing case and side")
    func mismatched() {
        var results = ReportFixtures.cliff()
        results.cases.removeFirst()
        results.cases.append(ReportFixtures.makeCase("new-case", mbps: 1, msgsPerSecond: 1))
        #expect(throws: CheckInputError.mismatchedCases(missingInResults: ["bulk"], missingInBaseline: ["new-case"])) {
            try compare(results, ReportFixtures.cliff())
        }
        let text = CheckInputError.mismatchedCases(missingInResults: ["bulk"], missingInBaseline: ["new-case"]).description
        #expect(text.contains("in the baseline but not the results: bulk"))
        #expect(text.contains("in the results but not the baseline: new-case"))
    }

    @Test("notes when kernels or case shapes differ, and when a baseline case was unverified")
    func warnings() throws {
        var baseline = ReportFixtures.cliff()
        baseline.host.driverKernel = "5.10.0-old"
        baseline.cases[1].spec.workload = .rr(RequestResponseWorkload(requestSize: 4096))
        baseline.cases[0].verified = false
        baseline.cases[0].spec.updateStream { $0.verify = .full }
        let report = try compare(ReportFixtures.cliff(), baseline)
        #expect(report.warnings.contains { $0.contains("bulk verifies streams differently from its baseline (verify: full then, edges now)") })
        #expect(report.warnings.contains { $0.contains("driver kernel differs") })
        #expect(report.warnings.contains { $0.contains("chatty-8k differs from its baseline") })
        #expect(report.warnings.contains { $0.contains("baseline case bulk was not verified") })
    }
}
