import Testing
import VsockBenchModel
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
}
