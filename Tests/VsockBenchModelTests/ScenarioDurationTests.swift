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

extension ScenarioDurationTests {
    /// A case shorter than the shortest interval (10ms) is refused at its line: `duration: 1us`
    /// ran one message and reported it as valid.
    @Test(arguments: ["1us", "1ns", "9ms", "9.9ms"])
    func aDurationUnderTenMillisecondsIsRefused(duration: String) {
        let said = ScenarioLoaderTests.problems(case: "workload: rr, duration: \(duration)")
        #expect(said.count == 1 && said.first?.hasPrefix("3: duration ") == true && said.first?.contains("is shorter than 10ms") == true, "\(said)")
        let inDefaults = Self.problems("name: t\ndefaults:\n  duration: \(duration)\ncases:\n  - {name: a, workload: rr}\n")
        #expect(inDefaults.count == 1 && inDefaults.first?.hasPrefix("3: duration ") == true, "\(inDefaults)")
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, duration: 10ms").isEmpty, "10ms is taken")
        // No advice names a duration that is refused.
        #expect(ScenarioLoaderTests.problems(case: "workload: rr, duration: -1s") == ["3: duration: '-1s' is negative; duration must be longer than zero: 500ms, 5s"])
    }

    /// The target holds a hello to the same minimum (a driver is a peer it does not trust).
    @Test func theTargetsLimitsRefuseADurationUnder10ms() {
        var spec = CaseSpec(name: "short", workload: .rr)
        spec.stop = .duration(nanos: 1_000)
        #expect(spec.limitProblems().contains("the duration must be at least 10ms"), "\(spec.limitProblems())")
        spec.stop = .duration(nanos: 10_000_000)
        #expect(spec.limitProblems().isEmpty)
    }

    static func problems(_ text: String) -> [String] { ScenarioLoaderTests.problems(text, file: "d.yaml") }
}
