import Foundation
import Testing
@testable import VsockBenchReport

/// A run that lost or corrupted a message says which and exits 1; bad input exits 2.
@Suite(.serialized) struct FailureReportingTests {
    static func rrScenario(inflight: Int) throws -> String {
        try scenarioFile("""
            name: faults
            defaults: {warmup: 0s}
            cases:
              - {name: rr, workload: rr, messages: 50, inflight: \(inflight), request_size: 1KiB, response_size: 1KiB}
            """)
    }

    @Test func aCorruptedResponseFailsTheRunAndIsNamed() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--inject-fault", "corrupt-response:5"])
        defer { server.stop() }
        let result = try Tool.run(["run", try Self.rrScenario(inflight: 1), "--target", server.endpoint.description, "--json", dir + "/r.json"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("request sequence 5"), "\(result.stdout)")
        #expect(result.stdout.contains("corrupted"))
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        #expect(document.cases[0].verified == false)
    }

    /// A results file whose every case failed has nothing to diagnose: `diagnose --from` says so
    /// and exits 1, as the run did (it exited 0); one whose every case was skipped exits 2, as
    /// `run` does for nothing measured.
    @Test func diagnoseFromAFileWithNoFiguresFails() throws {
        let dir = try Tool.scratch()
        // The first response corrupt: no message is ever measured (with the second, whether the
        // first fell inside the measured interval was a race).
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--inject-fault", "corrupt-response:0"])
        defer { server.stop() }
        let run = try Tool.run(["run", try Self.rrScenario(inflight: 1), "--target", server.endpoint.description, "--json", dir + "/r.json"])
        #expect(run.status == 1, "\(run.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        try #require(document.cases.allSatisfy { $0.skipped == nil && $0.messages == 0 }, "every case failed before a message was measured")
        let failed = try Tool.run(["diagnose", "--from", dir + "/r.json"])
        #expect(failed.status == 1, "\(failed.stdout)\n\(failed.stderr)")
        #expect(failed.stdout.contains("not diagnosed: the case failed"), "\(failed.stdout)")
        #expect(failed.stderr.contains("no case in \(dir)/r.json has figures to diagnose: every case failed"), "\(failed.stderr)")

        // `run` writes no file when it skipped every case: the same file with its case skipped.
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))) as? [String: Any])
        var cases = try #require(object["cases"] as? [[String: Any]])
        cases[0]["skipped"] = "replay cases need a service"
        object["cases"] = cases
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: dir + "/s.json"))
        let skipped = try Tool.run(["diagnose", "--from", dir + "/s.json"])
        #expect(skipped.status == 2, "\(skipped.stdout)\n\(skipped.stderr)")
        #expect(skipped.stderr.contains("has figures to diagnose: every case was skipped"), "\(skipped.stderr)")
    }

    /// A byte altered inside a stream read: `verify: full` names its offset and fails the run,
    /// also among the first bytes (which may arrive with the ack).
    @Test(arguments: [1000, 100_000])
    func aCorruptedStreamByteIsFoundWithFullVerification(offset: Int) throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--inject-fault", "corrupt-stream:\(offset)"])
        defer { server.stop() }
        let path = try scenarioFile("""
            name: stream-faults
            defaults: {warmup: 0s}
            cases:
              - {name: rx, workload: stream, direction: rx, bytes: 2MiB, verify: full}
            """)
        let result = try Tool.run(["run", path, "--target", server.endpoint.description, "--json", dir + "/r.json"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("stream byte at offset \(offset) is not the expected one"), "\(result.stdout)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        #expect(document.cases[0].verified == false)
        #expect(document.cases[0].verification.hasPrefix("every byte"))
    }

    /// Clean streams pass full verification both ways (the target checks what it reads too).
    @Test func fullVerificationPassesCleanStreamsBothWays() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("""
            name: stream-full
            defaults: {warmup: 0s, bytes: 4MiB, verify: full}
            cases:
              - {name: tx, workload: stream, direction: tx}
              - {name: both, workload: stream, direction: both, write_size: 16KiB}
            """)
        let result = try Tool.run(["run", path, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        #expect(document.cases.allSatisfy { $0.verified && $0.verification.hasPrefix("every byte") })
        #expect(document.cases.allSatisfy { $0.spec.stream?.verify == .full }, "the case's verify reaches the JSON")
    }

    @Test func aLostResponseIsCaughtWithAWindow() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--inject-fault", "drop-response:3"])
        defer { server.stop() }
        let result = try Tool.run(["run", try Self.rrScenario(inflight: 4), "--target", server.endpoint.description])
        #expect(result.status == 1)
        #expect(result.stdout.contains("lost or reordered"), "\(result.stdout)")
    }

    @Test func aLostResponseInStopAndWaitTimesOut() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--inject-fault", "drop-response:3"])
        defer { server.stop() }
        let result = try Tool.run(["run", try Self.rrScenario(inflight: 1), "--target", server.endpoint.description, "--io-timeout", "1"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("request sequence 3"), "\(result.stdout)")
        #expect(result.stdout.contains("did not answer in time"))
    }

    /// A target that drops a connection while the driver is still writing to it (a request
    /// trickled a byte at a time, past --idle-timeout's frame deadline): the driver's write
    /// fails with EPIPE or ECONNRESET, and the run names the target's reason from its error
    /// frame, not "Broken pipe", with the exit status of any refusal by the target (read as
    /// it comes: a masked case against an echo target).
    @Test func aTargetThatDropsAConnectionMidWriteIsNamedNotABrokenPipe() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--idle-timeout", "300ms"])
        defer { server.stop() }
        let trickled = try scenarioFile("""
            name: dropped
            defaults: {warmup: 0s}
            cases:
              - {name: trickle, workload: rr, messages: 1, request_size: 4MiB, response_size: 64B, write_chunk: 1B}
            """)
        let result = try Tool.run(["run", trickled, "--target", server.endpoint.description])
        #expect(result.stdout.contains("connection 0, request sequence 0: the target refused: no frame within 0.3s [timeout]"), "\(result.stdout)\n\(result.stderr)")
        for text in [result.stdout, result.stderr] {
            #expect(!text.contains("Broken pipe") && !text.contains("reset by peer"), "\(text)")
        }
        let refused = try Tool.run(["run", try scenarioFile("""
            name: refused
            cases:
              - {name: masked, workload: masked, messages: 1}
            """), "--target", server.endpoint.description])
        #expect(refused.stdout.contains("[wrong_mode]"), "\(refused.stdout)\n\(refused.stderr)")
        #expect(result.status == 1 && result.status == refused.status, "\(result.status), a refusal: \(refused.status)")
    }

    @Test func aBadScenarioExits2WithFileAndLine() throws {
        let path = try scenarioFile("name: x\ncases:\n  - {name: a, workload: rr, inflight: 0}\n")
        let result = try Tool.run(["run", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):3: inflight 0 is out of range"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    /// A duplicate case name is reported with the first case's other problem.
    @Test func aDuplicateNameIsReportedWithTheOtherProblems() throws {
        let path = try scenarioFile("name: d\ncases:\n  - {name: a, workload: rr, requst_size: 1}\n  - {name: a, workload: rr}\n")
        let result = try Tool.run(["run", path], timeout: 30)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):3: unknown key 'requst_size'"), "\(result.stderr)")
        #expect(result.stderr.contains("\(path):4: duplicate case name 'a' (first at line 3)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    /// A scenario indented with a tab: file:line, the YAML error, and that it is a tab; exit 2.
    @Test func aTabInAScenarioIsNamed() throws {
        let path = try scenarioFile("name: t\ncases:\n\t- {name: a, workload: rr}\n")
        let result = try Tool.run(["run", path], timeout: 30)
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):3: YAML syntax error: "), "\(result.stderr)")
        #expect(result.stderr.contains("(a tab: YAML indents with spaces)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    @Test(arguments: [
        (["run", "scenarios/cliff.yaml", "--target", "vsock://abc:1"], "CID 'abc'"),
        (["run", "scenarios/cliff.yaml", "--target", "tcp://127.0.0.1:99999"], "out of range"),
        (["run", "scenarios/cliff.yaml", "--target", "unix://"], "missing socket path"),
        (["serve", "--listen", "vsock://16"], "expected vsock://CID:PORT"),
        (["run", "scenarios/cliff.yaml", "--case", "nope"], "no case named 'nope'"),
        (["run", "/nonexistent.yaml"], "cannot read the file"),
    ])
    func badInputGetsOneLineAndExit2(arguments: [String], message: String) throws {
        let result = try Tool.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
    }

    @Test func aTargetThatIsNotThereIsAClearError() throws {
        let dir = try Tool.scratch()
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--target", "unix://\(dir)/nobody.sock", "--duration", "100ms"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("no such socket file"), "\(result.stdout)")
    }
}

/// Input a run can check before it starts is checked before it starts.
@Suite struct EarlyInputTests {
    @Test func anUnwritableOutputPathFailsBeforeRunning() throws {
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--json", "/nonexistent/dir/r.json"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot write /nonexistent/dir/r.json"))
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    @Test(arguments: [("/tmp", "/tmp is a directory; name a file"), ("/proc/self/nothere/r.html", "does not exist")])
    func aDirectoryOrAMissingParentIsRefusedBeforeRunning(path: String, message: String) throws {
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--html", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "nothing ran")
    }

    /// A full disk loses nothing silently: exit 1 and the reason, for every output.
    @Test func aFullDiskIsAnErrorNotASilentlyLostFile() throws {
        let dir = try Tool.scratch()
        let path = try scenarioFile("name: t\ncases:\n  - {name: a, workload: rr, messages: 20, warmup: 0s}\n")
        for name in ["r", "b"] {
            let run = try Tool.run(["run", path, "--json", dir + "/\(name).json"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        for output in ["--junit", "--markdown"] {
            let result = try Tool.run(["check", dir + "/r.json", "--baseline", dir + "/b.json", "--tolerance", "1000%", output, "/dev/full"])
            #expect(result.status == 1, "\(output): \(result.stdout)")
            #expect(result.stderr.contains("cannot write /dev/full: No space left on device"), "\(result.stderr)")
        }
        let full = try Tool.run(["run", path, "--json", "/dev/full"])
        #expect(full.status == 1 && full.stderr.contains("No space left on device"), "\(full.stderr)")
        #expect(FileManager.default.fileExists(atPath: "/dev/full"), "the device is still there")
        let results = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!results.contains { $0.hasSuffix(".tmp") }, "no temporary file left behind: \(results)")
    }

    @Test func anyIsNotATarget() throws {
        let result = try Tool.run(["run", "scenarios/cliff.yaml", "--target", "vsock://any:5005"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'any' is for listening"))
    }
}
