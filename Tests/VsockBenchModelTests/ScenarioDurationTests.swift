import Testing
@testable import VsockBenchModel

/// Durations in a scenario: what is refused, and the advice given.
@Suite struct ScenarioDurationTests {
    /// A bare 0 where zero is refused was told "for example 0s", which is refused next.
    @Test(arguments: ["duration", "interval"])
    func aBareZeroIsToldAValidExample(key: String) {
        let said = ScenarioLoaderTests.problems(case: "workload: rr, \(key): 0")
        #expect(said == ["3: \(key): '0' needs a unit, and \(key) must be longer than zero: for example 1s or 500ms"], "\(said)")
        #expect(said.allSatisfy { !$0.contains("0s") }, "\(said)")
        // Where zero is allowed, 0s is the example, and it is taken.
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, warmup: 0").first?.hasSuffix("(for example 0s)") == true)
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, warmup: 0s").isEmpty)
    }
}
