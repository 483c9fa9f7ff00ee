#if canImport(Glibc)
import Glibc
#endif

/// A counting semaphore on a mutex and condition variable: the in-flight window of a pipelined
/// connection (the sender takes a slot per request, the receiver returns it per response).
public final class CountingSemaphore: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var available: Int
    private var cancelled = false

    public init(value: Int) {
        available = value
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Takes a slot; false when cancelled.
    public func acquire() -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while available == 0 && !cancelled { pthread_cond_wait(&condition, &mutex) }
        if cancelled { return false }
        available -= 1
        return true
    }

    /// Takes a slot if one is free right now.
    public func tryAcquire() -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard available > 0, !cancelled else { return false }
        available -= 1
        return true
    }

    /// Takes a slot, waiting at most `timeoutNanos`; false on timeout or cancel.
    public func acquire(timeoutNanos: UInt64) -> Bool {
        var deadline = realtimeDeadline(after: timeoutNanos)
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while available == 0 && !cancelled {
            if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break }
        }
        guard available > 0, !cancelled else { return false }
        available -= 1
        return true
    }

    public func release() {
        pthread_mutex_lock(&mutex)
        available += 1
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Wakes every waiter for good.
    public func cancel() {
        pthread_mutex_lock(&mutex)
        cancelled = true
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
    }
}
