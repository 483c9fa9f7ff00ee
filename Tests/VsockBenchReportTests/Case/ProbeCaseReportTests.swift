import Foundation
import Testing
import VsockProbe
@testable import VsockBenchReport

/// Whose syscalls the probe counted is in the case's probe report: written always (null where
/// not said), and absent in a file from before the key.
@Suite struct ProbeCaseReportTests {
    @Test func theProcessesAreWrittenAndAnOlderFileReads() throws {
        let counters = ProbeCounters(syscalls: ["sendto": 10, "recvfrom": 10])
        for processes in [ProbeCaseReport.driverOnly, nil] as [String?] {
            let report = ProbeCaseReport(counters: counters, perMessage: counters.perMessage(5), processes: processes)
            let data = try JSONEncoder().encode(report)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(Set(object.keys) == ["counters", "per_msg", "processes"], "\(object.keys)")
            #expect(try JSONDecoder().decode(ProbeCaseReport.self, from: data) == report)
        }
        var older = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(ProbeCaseReport(counters: counters, perMessage: counters.perMessage(5)))) as? [String: Any])
        older["processes"] = nil
        let decoded = try JSONDecoder().decode(ProbeCaseReport.self, from: JSONSerialization.data(withJSONObject: older))
        #expect(decoded.processes == nil)
    }

    /// The cost grid's subtitle is the cases' own words, and the rule where none says.
    @Test func theGridSaysWhoseSyscallsTheseAre() {
        let counters = ProbeCounters(syscalls: ["sendto": 10], sources: [ProbeSource(program: "count_syscall", tracepoint: "raw_syscalls/sys_enter", counts: "syscalls", attached: true)])
        var c = ReportFixtures.makeCase("rr", mbps: 10, msgsPerSecond: 100)
        c.probe = ProbeCaseReport(counters: counters, perMessage: counters.perMessage(5), processes: ProbeCaseReport.driverOnly)
        #expect(CostGrid.processes([c]) == "driver")
        c.probe?.processes = nil
        #expect(CostGrid.processes([c]) == "the driver, and the target if the run started it")
        let syscalls = CostGrid.probeColumns(for: [c]).first { $0.title == "syscalls" }
        #expect(syscalls?.subtitle == "the driver, and the target if the run started it")
    }
}
