import Foundation
import Testing

@testable import VsockBenchDoctor

/// `vsockbench doctor` as a user runs it: the built binary.
@Suite struct DoctorCommandTests {
    /// The built `vsockbench`, next to this test bundle.
    static let executable: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appending(path: "vsockbench").path
    }()

    /// Runs it through env(1), with `environment` set on top of this process's.
    static func vsockbench(_ arguments: [String], environment: [String] = []) throws -> CommandOutput {
        try CommandOutput.run("/usr/bin/env", environment + [executable] + arguments, timeoutSeconds: 60)
    }

    @Test("doctor --json FILE: the screen on stdout, the document in the file, exit 0")
    func screenAndJSONFile() throws {
        let file = FileManager.default.temporaryDirectory.appending(path: "vsockbench-doctor-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let output = try Self.vsockbench(["doctor", "--json", file.path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.isEmpty)
        for title in DoctorGroup.allCases.map(\.title) {
            #expect(output.stdout.contains("\n\(title)\n"), "\(title)")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(object["schema"] as? String == "vsockbench-doctor/2")
        let checks = try #require(object["checks"] as? [String: [String: Any]])
        #expect(Set(checks.keys) == Set(DoctorReport.gather().checks.map(\.id)))
        if FileManager.default.fileExists(atPath: "/dev/vsock") {
            #expect(checks["af_vsock"]?["status"] as? String == "ok")
        }
    }

    @Test("doctor --json - prints only the document; without PATH (no nitro-cli, no sysctl) it still reports")
    func jsonOnStdoutWithoutCommands() throws {
        let output = try Self.vsockbench(["doctor", "--json", "-"], environment: ["PATH=/nonexistent"])
        #expect(output.status == 0, "\(output.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let facts = try #require(object["facts"] as? [String: [String: Any]])
        #expect(facts["nitro"]?["nitro_cli"] is NSNull)
        #expect(facts["socket_buffers"]?["rmem_max"] is Int)
    }

    @Test("bad flags exit 2 with one usage message; --help exits 0")
    func badFlags() throws {
        let unknown = try Self.vsockbench(["doctor", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("--bogus"))
        #expect(try Self.vsockbench(["doctor", "--json"]).status == 2)
        #expect(try Self.vsockbench(["doctor", "--json", ""]).status == 2)
        // A file that cannot be written is a bad flag too: said before the report, which does not print.
        let unwritable = try Self.vsockbench(["doctor", "--json", "/nonexistent-vsockbench-dir/doctor.json"])
        #expect(unwritable.status == 2)
        #expect(unwritable.stdout.isEmpty, "\(unwritable.stdout)")
        #expect(unwritable.stderr.contains("/nonexistent-vsockbench-dir"), "\(unwritable.stderr)")
        let help = try Self.vsockbench(["doctor", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--json"))
    }
}
