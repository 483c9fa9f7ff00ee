import Foundation
import Testing

@testable import VsockBenchReport

@Suite struct RunDocumentFileTests {
    static func temporaryFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appending(path: "vsockbench-check-\(UUID().uuidString).json").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a run document written by run --json loads back equal")
    func roundTrip() throws {
        let document = ReportFixtures.cliff()
        let path = try Self.temporaryFile(String(decoding: document.encoded(), as: UTF8.self))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try RunDocumentFile.load(path: path) == document)
    }

    @Test("a missing file is unreadable, with the system's reason")
    func missing() {
        #expect(throws: CheckInputError.unreadable(path: "/nonexistent/r.json", reason: "No such file or directory")) {
            try RunDocumentFile.load(path: "/nonexistent/r.json")
        }
    }

    @Test("not JSON, no schema, another schema, missing keys and duplicate cases each say so")
    func unusable() throws {
        func error(_ text: String) -> CheckInputError? {
            do {
                _ = try RunDocumentFile.parse(Array(text.utf8), path: "r.json")
                return nil
            } catch { return error }
        }
        guard case .notJSON = error("{not json") else { Issue.record("expected notJSON"); return }
        #expect(error("{\"cases\": []}") == .wrongSchema(path: "r.json", found: nil))
        #expect(error("[1, 2]") == .wrongSchema(path: "r.json", found: nil))
        #expect(error("{\"schema\": \"vsockbench/0\", \"cases\": []}") == .wrongSchema(path: "r.json", found: "vsockbench/0"))
        #expect(CheckInputError.wrongSchema(path: "r.json", found: "vsockbench/0").description.contains("vsockbench/1"))
        let malformed = error("{\"schema\": \"vsockbench/1\"}")
        guard case let .malformed(_, reason) = malformed else { Issue.record("expected malformed, got \(String(describing: malformed))"); return }
        #expect(reason.contains("missing"))

        var document = ReportFixtures.cliff()
        document.cases[1].name = "bulk"
        #expect(error(String(decoding: document.encoded(), as: UTF8.self)) == .duplicateCase(path: "r.json", name: "bulk"))
    }
}
