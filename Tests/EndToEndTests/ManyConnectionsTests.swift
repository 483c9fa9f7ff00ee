import Foundation
import Testing

/// A case may have up to 1024 connections: `run` raises its soft open-file limit (often 1024)
/// to the hard one, as `serve` does, instead of failing with EMFILE at the 60th connection of a
/// shell whose soft limit is 64.
@Suite struct ManyConnectionsTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
    func runRaisesItsOpenFileLimit() throws {
        let path = try scenarioFile("name: many\ncases:\n  - {name: rr, workload: rr, connections: 100, messages: 200, warmup: 0s, request_size: 16B, response_size: 16B}\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        process.arguments = ["--nofile=64:4096", Tool.path, "run", path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stdout)\n\(stderr)")
        #expect(stdout.contains("100 connections"), "\(stdout)")
    }
}
