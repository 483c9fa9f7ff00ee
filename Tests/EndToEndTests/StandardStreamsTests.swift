import Foundation
import Testing
import VsockProbe

/// vsockbench started with a standard stream closed (`2>&-`, a service manager that closes
/// them). Its first file or socket took the closed number, and a report written to stderr
/// then went into it, or failed with EBADF, which stopped the process (SIGILL, exit 132).
@Suite struct StandardStreamsTests {
    /// Runs vsockbench through /bin/sh with the descriptors in `closing` closed (`2>&-`).
    static func run(closing: String, _ arguments: [String], timeout: Double = 30) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \(closing); exec \"$0\" \"$@\"", Tool.path] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Tool.repositoryRoot)
        let out = Pipe()
        if !closing.contains("1>&-") { process.standardOutput = out }
        try process.run()
        let stdout = ReadAll(out.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("vsockbench \(arguments.joined(separator: " ")) did not finish within \(timeout)s")
        }
        process.waitUntilExit()
        try? out.fileHandleForWriting.close()
        return (process.terminationStatus, closing.contains("1>&-") ? "" : stdout.text())
    }

    @Test("bad input with stderr closed exits 2, as with it open (it stopped the process: 132)")
    func badInputWithStandardErrorClosed() throws {
        let result = try Self.run(closing: "2>&-", ["run", "/nonexistent/scenario.yaml"])
        #expect(result.status == 2)
    }

    @Test("a run with stdin, stdout and stderr closed still writes its JSON file, whole")
    func aRunWithEveryStreamClosed() throws {
        let dir = try Tool.scratch()
        try Tool.write("name: closed\ncases:\n  - {name: small, workload: rr, request_size: 64, response_size: 64, messages: 50, warmup: 0s}\n", to: dir + "/s.yaml")
        let result = try Self.run(closing: "0<&- 1>&- 2>&-", ["run", dir + "/s.yaml", "--target", "null", "--json", dir + "/r.json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any])
        let cases = try #require(json["cases"] as? [[String: Any]])
        #expect(cases.count == 1 && cases.first?["messages"] as? Int == 50 && cases.first?["verified"] as? Bool == true, "\(cases)")
    }

    /// `observe --json -` sends the command's output to stderr: closed, it is /dev/null, and the
    /// command still runs; standard output is the JSON alone.
    @Test(.enabled(if: ObserveCommandTests.probeReady, "needs root (or CAP_BPF+CAP_PERFMON), bpf() and tracefs"))
    func observeWithStandardErrorClosed() throws {
        let dir = try Tool.scratch()
        let result = try Self.run(closing: "2>&-", ["observe", "--port", "5999", "--json", "-", "--", "/bin/sh", "-c", "echo out; echo ran > \(dir)/ran"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        #expect(json["schema"] as? String == "vsockbench-observe/1")
        #expect(FileManager.default.fileExists(atPath: dir + "/ran"), "the command ran")
    }

    /// An argument that is not UTF-8 (a file named with Latin-1 bytes) reached Swift with the
    /// bad bytes replaced, and the file was "No such file or directory": said as what it is.
    @Test func anArgumentThatIsNotUTF8IsSaidToBe() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec \"$0\" run \"$(printf 'caf\\351.yaml')\" --target null", Tool.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = ReadAll(err.fileHandleForReading)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(stderr.text().contains("argument 2 is not UTF-8 text (byte 0xe9)"), "\(stderr.text())")
    }
}
