import Testing
@testable import VsockBenchModel

/// `interval` in scenario files.
@Suite struct IntervalScenarioTests {
    @Test func intervalParsesPerCaseAndFromDefaults() throws {
        let text = """
            name: series
            defaults: {interval: 1s}
            cases:
              - {name: a, workload: rr}
              - {name: b, workload: stream, interval: 250ms}
            """
        let s = try ScenarioLoader.parse(text, file: "s.yaml")
        #expect(s.cases.map(\.intervalNanos) == [1_000_000_000, 250_000_000])
        let plain = try ScenarioLoader.parse("name: x\ncases:\n  - {name: a, workload: rr}\n", file: "x.yaml")
        #expect(plain.cases[0].intervalNanos == nil)
    }

    @Test(arguments: [
        ("name: x\ncases:\n  - {name: a, workload: rr, interval: 5ms}\n", "interval 5ms is shorter than 10ms"),
        ("name: x\ncases:\n  - {name: a, workload: rr, interval: 0s}\n", "longer than zero"),
        ("name: x\ncases:\n  - {name: a, workload: rr, interval: soon}\n", "interval"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: 120m, interval: 10ms}\n", "more than 3600 slices"),
        ("name: x\ncases:\n  - {name: a, workload: rr, duration: 2s, interval: 3s}\n", "interval 3s is longer than the duration (2s): its one slice would be cut short"),
    ])
    func badIntervalsAreLocated(text: String, message: String) {
        do {
            _ = try ScenarioLoader.parse(text, file: "bad.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains("bad.yaml:3: "), "\(error.description)")
            #expect(error.description.contains(message), "\(error.description)")
        }
    }
}
