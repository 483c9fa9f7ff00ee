import Testing
@testable import VsockBenchModel

/// What a message quotes from the file reaches the terminal escaped and cut short (review: a
/// terminal escape in a value or key was printed raw; a 1,000,000-digit size was a 1 MB line).
@Suite struct ScenarioEchoTests {
    static func diagnostics(_ text: String) -> [ScenarioDiagnostic] { ScenarioLoaderTests.diagnostics(text, file: "e.yaml") }

    @Test func escapesInValuesAndKeysAreShownEscaped() {
        let text = """
            name: t
            "top\\e[31m": 1
            defaults:
              "d\\e[31m": 1
            cases:
              - name: a
                workload: stream
                direction: "tx\\e[31m"
                write_size: "8\\e[31m"
                raw: "x\\e[31m"
                "key\\e[31m": 1
                duration: "1\\e[31m"
              - name: b
                workload: "rr\\e[31m"
              - {name: c, workload: rr, inflight: "4\\e[31m"}
            """
        let said = Self.diagnostics(text)
        #expect(said.compactMap(\.line).sorted() == [2, 4, 8, 9, 10, 11, 12, 14, 15], "\(said)")
        for diagnostic in said {
            #expect(!diagnostic.message.contains("\u{1B}"), "\(diagnostic.message)")
            #expect(!diagnostic.description.contains("\u{1B}"), "\(diagnostic.description)")
        }
        #expect(said.contains { $0.message == "direction must be tx, rx or both, not 'tx\\x1b[31m'" }, "\(said)")
        #expect(said.contains { $0.message.hasPrefix("unknown key 'key\\x1b[31m'") }, "\(said)")
    }

    @Test func aLongValueIsCutInTheMessage() {
        let digits = String(repeating: "9", count: 1_000_000)
        let said = Self.diagnostics("name: t\ncases:\n  - {name: a, workload: rr, request_size: \(digits)}\n")
        #expect(said.count == 1, "\(said.count)")
        #expect(said.first?.line == 3)
        #expect((said.first?.message.utf8.count ?? .max) < 200, "\(said.first?.message.utf8.count ?? 0) bytes")
        #expect(said.first?.message.contains("'\(String(repeating: "9", count: 64))... (1000000 bytes)'") == true, "\(said.first?.message.prefix(300) ?? "")")
        let key = String(repeating: "k", count: 10_000)
        let unknown = Self.diagnostics("name: t\ncases:\n  - {name: a, workload: rr, \(key): 1}\n")
        #expect(unknown.count == 1 && (unknown.first?.message.utf8.count ?? .max) < 200, "\(unknown.first?.message.utf8.count ?? 0) bytes")
    }

    @Test func theScenarioNameIsHeldToTheCaseNameRule() {
        let long = String(repeating: "n", count: 200)
        #expect(Self.diagnostics("name: \(long)\ncases:\n  - {name: a, workload: rr}\n").map(\.description)
            == ["e.yaml:1: the scenario name has 200 bytes; names are at most 128"])
        #expect(Self.diagnostics("name: \"a\\e[2Jb\"\ncases:\n  - {name: a, workload: rr}\n").map(\.description)
            == ["e.yaml:1: the scenario name has control characters (or bidirectional controls); names are printable text"])
        #expect(Self.diagnostics("name: \(String(repeating: "n", count: 128))\ncases:\n  - {name: a, workload: rr}\n").isEmpty)
    }

    @Test func anUnknownCaseNameAndAPathAreShownEscaped() throws {
        let scenario = try ScenarioLoader.parse("name: t\ncases:\n  - {name: a, workload: rr}\n", file: "e\u{1B}[31m.yaml")
        do {
            _ = try scenario.selecting(["x\u{1B}[31m"])
            Issue.record("selected an unknown case")
        } catch {
            #expect(!error.description.contains("\u{1B}"), "\(error.description)")
            #expect(error.description.contains("'x\\x1b[31m'"), "\(error.description)")
        }
    }
}
