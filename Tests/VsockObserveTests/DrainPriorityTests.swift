import Foundation
import Synchronization
import Testing
@testable import VsockObserve

/// observe's draining thread yields (nice 19), catches up at nice 0 when a poll takes more than
/// a quarter of the buffer, yields again below a sixteenth, and changes only its own thread.
@Suite struct DrainPriorityTests {
    /// The calling thread's nice value.
    static func nice() -> Int32 { getpriority(__priority_which_t(0), 0) }

    /// Runs `body` on a thread of its own (its nice value must not stay on a test runner thread).
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let value = body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }

    @Test(.enabled(if: geteuid() == 0, "going back to nice 0 needs root (CAP_SYS_NICE)"))
    func yieldsCatchesUpAndYieldsAgainOnItsOwnThreadOnly() {
        let before = Self.nice()
        let seen = Self.onOwnThread { () -> [Int32] in
            var priority = DrainPriority(capacity: 1600)
            var seen = [Self.nice()]
            priority.yield()
            seen.append(Self.nice())  // 19
            priority.adjust(afterTaking: 400)
            seen.append(Self.nice())  // 19: a quarter is not more than a quarter
            priority.adjust(afterTaking: 401)
            seen.append(Self.nice())  // 0: falling behind
            priority.adjust(afterTaking: 100)
            seen.append(Self.nice())  // 0: a sixteenth is not less than a sixteenth
            priority.adjust(afterTaking: 99)
            seen.append(Self.nice())  // 19 again
            seen.append(Int32(priority.catchUps))
            seen.append(priority.notes.contains { $0.contains("fell behind 1 time(s)") } ? 1 : 0)
            return seen
        }
        #expect(seen == [before, 19, 19, 0, 0, 19, 1, 1])
        #expect(Self.nice() == before)
    }

    @Test func aThreadThatNeverYieldedIsNotChanged() {
        let seen = Self.onOwnThread { () -> [Int32] in
            var priority = DrainPriority(capacity: 1600)
            let before = Self.nice()
            priority.adjust(afterTaking: 1600)
            return [before, Self.nice(), Int32(priority.catchUps), Int32(priority.notes.count)]
        }
        #expect(seen[0] == seen[1])
        #expect(seen[2...] == [0, 0])
    }
}
