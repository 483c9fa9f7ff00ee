import Testing
@testable import VsockBenchModel

/// Keys in `defaults` are checked as a case's are, and refused at their own line.
@Suite struct ScenarioDefaultsTests {
    static func problems(_ text: String) -> [String] { ScenarioLoaderTests.problems(text, file: "d.yaml") }

    static let workloads = WorkloadKind.allCases.map(\.rawValue).joined(separator: ", ")

    /// A bad workload in defaults was never checked: a case with its own workload ran, and one
    /// without was said to have "no workload", at the case's line.
    @Test func aBadWorkloadInDefaultsIsSaidAtItsLine() {
        #expect(Self.problems("name: t\ndefaults:\n  workload: bogus\ncases:\n  - {name: a, workload: rr}\n")
            == ["3: unknown workload 'bogus'; use one of \(Self.workloads)"])
        #expect(Self.problems("name: t\ndefaults:\n  workload: bogus\ncases:\n  - {name: a}\n  - {name: b}\n")
            == ["3: unknown workload 'bogus'; use one of \(Self.workloads)"])
        #expect(Self.problems("name: t\ndefaults:\n  workload: [rr]\ncases:\n  - {name: a}\n")
            == ["3: workload must be a single value, not a list"])
        #expect(Self.problems("name: t\ndefaults: {workload: rr}\ncases:\n  - {name: a}\n  - {name: b, workload: stream}\n").isEmpty)
    }
}

extension ScenarioDefaultsTests {
    /// Two stop keys in defaults are refused as in a case (the last one given won).
    @Test func conflictingStopKeysInDefaultsAreRefused() throws {
        #expect(Self.problems("name: t\ndefaults: {duration: 1s, messages: 10}\ncases:\n  - {name: a, workload: rr}\n")
            == ["2: use one of duration, messages or bytes in defaults, not duration and messages"])
        #expect(Self.problems("name: t\ndefaults:\n  duration: 1s\n  bytes: 1MiB\ncases:\n  - {name: a, workload: stream}\n")
            == ["4: use one of duration, messages or bytes in defaults, not duration and bytes"])
        // A case's own stop key still replaces the defaults' other one.
        let scenario = try ScenarioLoader.parse("name: t\ndefaults: {duration: 1s}\ncases:\n  - {name: a, workload: rr, messages: 10}\n  - {name: b, workload: rr}\n", file: "d.yaml")
        #expect(scenario.cases.map(\.stop) == [.messages(10), .duration(nanos: 1_000_000_000)])
    }
}
