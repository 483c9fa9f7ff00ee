import Foundation
import Testing
import VsockBenchModel
import VsockBenchSupport
@testable import VsockBenchEngine

/// A local target that exits during start-up is reported with its exit code, not the raw
/// `waitpid` status (exit code 1 had read "status 256").
@Suite struct LocalTargetStartTests {
    @Test func aTargetThatExitsAtStartIsReportedWithItsExitCode() {
        do {
            let target = try LocalTarget(executable: "/bin/false", readyTimeoutSeconds: 5)
            target.stop()
            Issue.record("/bin/false was taken for a listening target")
        } catch {
            let text = "\(error)"
            #expect(text.contains("exited during start-up (exit status 1)"), "\(text)")
        }
    }

    /// A target whose pid is no longer the run's child (reaped by another) has nothing left to
    /// wait for or signal: its pid may be another process's by then. `stop` waited out its 2 s
    /// on `waitpid`'s ECHILD and then sent SIGKILL to that pid.
    @Test func aTargetReapedElsewhereIsNeitherWaitedForNorSignalled() throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let vsockbench = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("vsockbench").path
        let target = try LocalTarget(executable: vsockbench)
        kill(target.pid, SIGKILL)
        var status: Int32 = 0
        #expect(waitpid(target.pid, &status, 0) == target.pid)
        let start = MonotonicClock.nanos()
        target.stop()
        let seconds = Double(MonotonicClock.nanos() - start) / 1e9
        #expect(seconds < 1, "stop took \(seconds)s over a target already reaped")
    }
}
