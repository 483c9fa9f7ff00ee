import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import VsockBenchModel

/// Whatever a scenario file holds, the loader answers `file:line: message`, reads no more
/// than the limit, and never echoes raw bytes.
@Suite struct ScenarioInputTests {
    /// A new file in /tmp holding `bytes`; the test removes it.
    static func write(_ bytes: [UInt8]) -> String {
        var template = Array("/tmp/vsockbench-scenario-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func diagnostics(_ load: () throws(ScenarioError) -> Scenario) -> [ScenarioDiagnostic] {
        do {
            _ = try load()
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func anOversizedFileIsRefusedByItsSizeBeforeReading() {
        let path = Self.write(Array(repeating: 0x20, count: ScenarioLoader.maximumBytes + 1))
        defer { unlink(path) }
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.load(path: path) }
        #expect(d.first?.description == "\(path): the file has 4.0MiB; scenario files are at most 4MiB")
        // A device that never ends is read only up to the limit.
        let zero = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.load(path: "/dev/zero") }
        #expect(zero.first?.message.contains("at most 4MiB") == true, "\(zero)")
        let directory = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.load(path: "/tmp") }
        #expect(directory.first?.message == "is a directory; give a scenario file (YAML)")
    }

    @Test(arguments: [
        ([UInt8]("name: x\ncases:\n  - {name: a, workload: rr}\n".utf8) + [0xFF, 0xFE], 4, "not UTF-8 text (byte 0xff)"),
        ([UInt8]("name: x\n".utf8) + [0x1B, 0x5B, 0x32, 0x4A], 2, "not text: control byte 0x1b (a binary file?)"),
        ([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00], 1, "not text: control byte 0x7f (a binary file?)"),
        ([UInt8]("name: \u{E9}t\u{E9}\n".utf8) + [0xC3], 2, "not UTF-8 text (byte 0xc3)"),
    ])
    func binaryAndNonUTF8InputIsNamedWithItsLine(bytes: [UInt8], line: Int, message: String) {
        let path = Self.write(bytes)
        defer { unlink(path) }
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.load(path: path) }
        #expect(d == [ScenarioDiagnostic(file: path, line: line, message: message)])
        #expect(!d.description.contains("\u{1B}"), "no raw escape reaches the terminal")
    }

    @Test(arguments: [
        ("name: x\nname: y\ncases:\n  - {name: a, workload: rr}\n", 2, "key 'name' appears twice (first at line 1)"),
        ("name: x\ndefaults: {duration: 1s, duration: 2s}\ncases:\n  - {name: a, workload: rr}\n", 2, "key 'duration' appears twice in the mapping at line 2"),
        ("name: x\ncases:\n  - {name: \"a\\nb\", workload: rr}\n", 3, "the case name has control characters (or bidirectional controls); names are printable text"),
        ("name: x\ncases:\n  - {name: \(String(repeating: "n", count: 200)), workload: rr}\n", 3, "the case name has 200 bytes; names are at most 128"),
    ])
    func duplicateKeysAndBadNamesAreLocated(text: String, line: Int, message: String) {
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.parse(text, file: "s.yaml") }
        #expect(d.contains(ScenarioDiagnostic(file: "s.yaml", line: line, message: message)), "\(d)")
    }

    /// An unknown key is one problem among the case's others, all reported at once (it hid them).
    @Test func anUnknownKeyDoesNotHideTheCaseOtherProblems() {
        let text = "name: x\ncases:\n  - name: a\n    workload: rr\n    bogus: 1\n    inflight: -3\n    request_size: 8XB\n"
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.parse(text, file: "s.yaml") }
        #expect(d.map(\.line) == [5, 6, 7], "\(d)")
        #expect(d.first?.message.hasPrefix("unknown key 'bogus'") == true, "\(d)")
    }

    /// A repeated key is one problem among the file's others, each at its own line (Yams
    /// stopped at the first repeat, and that was all the file reported).
    @Test func aRepeatedKeyDoesNotHideTheFileOtherProblems() throws {
        let text = "name: x\ncases:\n  - name: a\n    workload: rr\n    inflight: 2\n    inflight: 3\n    request_size: 8XB\n"
            + "  - {name: b, workload: rr, duration: 1s, duration: 2s, duration: 3s, bogus: 1}\n"
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.parse(text, file: "s.yaml") }
        try #require(d.map(\.line) == [6, 7, 8, 8, 8], "\(d)")
        #expect(d[0].message == "key 'inflight' appears twice (first at line 5)", "\(d)")
        #expect(d[1].message.contains("8XB"), "\(d)")
        #expect(d[2].message == "key 'duration' appears twice in the mapping at line 8", "\(d)")
        #expect(d[3].message == "key 'duration' appears 3 times in the mapping at line 8", "\(d)")
        #expect(d[4].message.hasPrefix("unknown key 'bogus'"), "\(d)")
    }

    /// A syntax error after a repeated key is reported with it, not instead of it.
    @Test func aRepeatedKeyAndALaterSyntaxErrorAreBothReported() {
        let text = "name: x\ndefaults: {duration: 1s, duration: 2s}\ncases:\n  - {name: a, workload: rr\n"
        let d = Self.diagnostics { () throws(ScenarioError) in try ScenarioLoader.parse(text, file: "s.yaml") }
        #expect(d.count == 2, "\(d)")
        #expect(d.first == ScenarioDiagnostic(file: "s.yaml", line: 2, message: "key 'duration' appears twice in the mapping at line 2"), "\(d)")
        #expect(d.last?.message.hasPrefix("YAML syntax error") == true, "\(d)")
    }

    @Test func aHelloWithAHugeOrHostileNameIsOutOfBounds() {
        var spec = CaseSpec(name: String(repeating: "x", count: 70_000), workload: .rr)
        #expect(spec.limitProblems().contains("the case name has 70000 bytes; names are at most 128"))
        spec.name = "a\u{1B}[2Jb"
        #expect(spec.limitProblems().contains("the case name has control characters (or bidirectional controls); names are printable text"))
        // A right-to-left override would make a log line read in another order.
        spec.name = "report\u{202E}fdp.exe"
        #expect(spec.limitProblems().contains("the case name has control characters (or bidirectional controls); names are printable text"))
    }
}
