#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import VsockObserve

/// What `ObserveSession` refuses before it watches anything.
@Suite struct ObserveSessionTests {
    /// A pid no process has: above the kernel's pid_max (at most 2^22).
    static let noSuchProcess: Int32 = 5_000_000

    @Test("a --pid no process has is an error naming it, not an empty observation")
    func missingProcessIsAnError() throws {
        #expect(kill(Self.noSuchProcess, 0) != 0 && errno == ESRCH)
        let options = ObserveOptions(port: 5999, pids: [Self.noSuchProcess], durationSeconds: 1)
        do {
            let observation = try ObserveSession.run(options)
            Issue.record("observed \(observation.seconds) s of a process that does not exist")
        } catch let error as ObserveError {
            #expect(error.errno == ESRCH, "\(error)")
            #expect("\(error)".contains("pid \(Self.noSuchProcess)") && "\(error)".contains("No such process"), "\(error)")
        }
    }
}
