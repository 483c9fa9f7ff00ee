import Testing
@testable import VsockBenchModel

/// Keys in `defaults` are checked as a case's are, and refused at their own line.
@Suite struct ScenarioDefaultsTests {
    static func problems(_ text: String) -> [String] {
        do {
            _ = try ScenarioLoader.parse(text, file: "d.yaml")
            return []
        } catch {
            return error.diagnostics.map { "\($0.line ?? 0): \($0.message)" }
        }
    }

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
