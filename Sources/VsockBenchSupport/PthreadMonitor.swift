#if canImport(Glibc)
import Glibc
#endif

/// A mutex and a condition variable in allocated memory (pthread objects need an address that
/// never moves, which a Swift stored property does not formally promise), with timed waits on
/// CLOCK_MONOTONIC, so a jump of the wall clock cannot stretch a linger or a timeout.
/// `@unchecked Sendable`: pthread mutexes and conditions are made to be shared; their memory never moves.
package final class PthreadMonitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    package init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    package func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits for a signal; call with the lock held (inside `withLock`).
    package func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal until the monotonic clock reads `deadline` (nanoseconds); false when
    /// the deadline passed. Call with the lock held.
    package func wait(until deadline: UInt64) -> Bool {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &ts) != ETIMEDOUT
    }

    package func signal() { pthread_cond_signal(condition) }
    package func broadcast() { pthread_cond_broadcast(condition) }
}
