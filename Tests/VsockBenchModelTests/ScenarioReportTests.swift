import Testing
@testable import VsockBenchModel

/// What a bad file is told: each problem once, at its line, in line order.
@Suite struct ScenarioReportTests {
    static func problems(_ text: String) -> [String] { ScenarioLoaderTests.problems(text, file: "r.yaml") }

    /// A name given but refused is not also missing (it was, at line 1).
    @Test(arguments: [
        ("name: \"\"\n", "1: the scenario name must be a non-empty string"),
        ("name:\n", "1: the scenario name must be a non-empty string"),
        ("name: [a]\n", "1: the scenario name must be a non-empty string"),
        ("description: d\nname: [a]\n", "2: the scenario name must be a non-empty string"),
    ])
    func aRefusedNameIsNotAlsoMissing(head: String, said: String) {
        #expect(Self.problems(head + "cases:\n  - {name: a, workload: rr}\n") == [said])
        // A file without one is told so.
        #expect(Self.problems("cases:\n  - {name: a, workload: rr}\n") == ["1: missing 'name'"])
    }

    /// Problems are said in line order, whatever order they were found in (they were sorted
    /// only when the file had a repeated key).
    @Test func problemsAreSaidInLineOrder() {
        let lines = { (text: String) in Self.problems(text).map { Int($0.prefix { $0 != ":" }) ?? -1 } }
        // A default's problem is found with the first case that takes it, after the case's own.
        #expect(lines("name: t\ndefaults: {duration: xx}\ncases:\n  - {name: a, workload: rr, bogus: 1}\n") == [2, 4])
        // A missing name is found after the keys that are there.
        #expect(lines("description: d\nbogus: 1\ncases:\n  - {name: a, workload: rr}\n") == [1, 2])
        // Several on one line keep the order they were found in.
        #expect(Self.problems("name: t\ncases:\n  - {name: a, workload: rr, bogus: 1, inflight: 0}\n").map { $0.prefix(20) }
            == ["3: unknown key 'bogu", "3: inflight 0 is out"])
    }
}
