import Testing
@testable import VsockBenchModel

/// Files saved with Windows (CRLF) or old Mac (CR) line endings are read as YAML reads them:
/// every problem is said, at the line an editor shows (review: a CRLF file was one line to the
/// loader, so a repeated key named the wrong line and hid the file's other problems). Each says
/// what the same file with LF line endings says.
@Suite struct ScenarioLineEndingTests {
    static func problems(_ lines: [String], ending: String) -> [String] {
        do {
            _ = try ScenarioLoader.parse(lines.joined(separator: ending) + ending, file: "e.yaml")
            return []
        } catch {
            return error.diagnostics.map { "\($0.line ?? 0): \($0.message)" }
        }
    }

    @Test(arguments: ["\r\n", "\r"])
    func aRepeatedKeyIsSaidAtItsLineWithTheOtherProblems(ending: String) {
        let lines = ["name: t", "cases:", "  - name: a", "    workload: rr", "    inflight: 1", "    seed: 2", "    inflight: 2", "    bogus: 3"]
        let said = Self.problems(lines, ending: ending)
        #expect(said.first == "7: key 'inflight' appears twice (first at line 5)", "\(said)")
        #expect(said.dropFirst().map { $0.prefix(while: { $0 != ":" }) } == ["8"], "\(said)")
        #expect(said.last?.contains("unknown key 'bogus'") == true, "\(said)")
    }

    @Test(arguments: ["\r\n", "\r"])
    func somethingLeftOpenIsSaidAtItsLine(ending: String) {
        let said = Self.problems(["name: t", "cases:", "  - name: a", "    workload: [rr"], ending: ending)
        #expect(said.count == 1 && said.first?.hasPrefix("4: YAML syntax error: ") == true, "\(said)")
        let quoted = Self.problems(["name: t", "cases:", "  - name: a", "    workload: \"rr"], ending: ending)
        #expect(quoted.count == 1 && quoted.first?.hasPrefix("4: YAML syntax error: ") == true, "\(quoted)")
    }

    @Test(arguments: ["\r\n", "\r"])
    func aTabIsSaidAtItsLine(ending: String) {
        let said = Self.problems(["name: t", "cases:", "  - name: a", "\tworkload: rr"], ending: ending)
        #expect(said.count == 1 && said.first?.hasPrefix("4: YAML syntax error: ") == true, "\(said)")
        #expect(said.first?.contains("(a tab: YAML indents with spaces)") == true, "\(said)")
    }

    /// A control byte is named at its line when the lines before it end in CR alone (CRLF was
    /// already counted at its LF).
    @Test(arguments: ["\r"])
    func aControlByteIsNamedAtItsLine(ending: String) {
        let bytes = Array(["name: t", "cases:", "  - name: a"].joined(separator: ending).utf8) + Array(ending.utf8) + [0x01]
        do {
            _ = try ScenarioLoader.parse(bytes: bytes, file: "c.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.map(\.line) == [4], "\(error.diagnostics)")
        }
    }
}
