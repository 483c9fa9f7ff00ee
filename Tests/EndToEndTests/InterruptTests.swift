import Foundation
import Testing

/// A run stopped by a signal reports what it measured: the cases done, the one it stopped, the
/// JSON, and an exit status of 128 + the signal. A signal delivered twice within a moment, as
/// `timeout -s INT` and CI runners do (the process, then its group), is one request, not the
/// "quit now" of a second Ctrl-C.
@Suite(.serialized) struct InterruptTests {
    /// Starts a run of a short case and a long one, waits until the long one runs, sends
    /// `signals` (a few milliseconds apart) and returns its exit status, stdout, stderr, and
    /// the JSON's case names.
    static func interrupt(with signals: [Int32]) throws -> (status: Int32, stdout: String, stderr: String, cases: [String]) {
        let dir = try Tool.scratch()
        let scenario = try scenarioFile("""
            name: stop
            cases:
              - {name: short, workload: rr, request_size: 1KiB, response_size: 1KiB, messages: 200, warmup: 0s}
              - {name: long, workload: rr, request_size: 1KiB, response_size: 1KiB, duration: 60s, warmup: 0s}
            """)
        let (process, outData, errData) = try Tool.start(["run", scenario, "--json", dir + "/r.json"])
        // The short case takes well under a second; give the long one time to start.
        var waited = 0.0
        while waited < 20, !errData.text(waitingUpTo: 0).contains("[1/2] short") {
            usleep(50_000)
            waited += 0.05
        }
        usleep(500_000)
        for signal in signals {
            kill(process.processIdentifier, signal)
            usleep(3_000)
        }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the run did not stop within 30 s of the signal")
        }
        process.waitUntilExit()
        var cases: [String] = []
        if let data = FileManager.default.contents(atPath: dir + "/r.json"),
           let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            cases = (object["cases"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        }
        return (process.terminationStatus, outData.text(), errData.text(), cases)
    }

    @Test func aDoubledSIGINTStillReports() throws {
        let r = try Self.interrupt(with: [SIGINT, SIGINT])
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.cases == ["short", "long"], "the JSON has the case done and the one stopped: \(r.cases)\n\(r.stderr)")
        #expect(r.stdout.contains("short"), "\(r.stdout)")
        #expect(!r.stderr.contains("quitting now"), "\(r.stderr)")
    }

    @Test func SIGTERMEndsWith143AndReports() throws {
        let r = try Self.interrupt(with: [SIGTERM])
        #expect(r.status == 143, "\(r.stderr)")
        #expect(r.stderr.contains("terminated (SIGTERM)"), "\(r.stderr)")
        #expect(r.cases == ["short", "long"], "\(r.cases)\n\(r.stderr)")
    }
}
