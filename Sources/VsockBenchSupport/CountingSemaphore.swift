/// A counting semaphore: the in-flight window of a pipelined connection (the sender takes a
/// slot per request, the receiver returns it per response).
/// `@unchecked Sendable`: `available` and `cancelled` are touched only under the monitor's mutex.
public final class CountingSemaphore: @unchecked Sendable {
    private let monitor = PthreadMonitor()
    private var available: Int
    private var cancelled = false

    public init(value: Int) { available = value }

    /// Takes a slot; false when cancelled.
    public func acquire() -> Bool {
        monitor.withLock {
            while available == 0 && !cancelled { monitor.wait() }
            return take()
        }
    }

    /// Takes a slot if one is free right now.
    public func tryAcquire() -> Bool {
        monitor.withLock { take() }
    }

    /// Takes a slot, waiting at most `timeoutNanos`; false on timeout or cancel.
    public func acquire(timeoutNanos: UInt64) -> Bool {
        let deadline = MonotonicClock.nanos() &+ timeoutNanos
        return monitor.withLock {
            while available == 0 && !cancelled {
                if !monitor.wait(until: deadline) { break }
            }
            return take()
        }
    }

    private func take() -> Bool {
        guard available > 0, !cancelled else { return false }
        available -= 1
        return true
    }

    public func release() {
        monitor.withLock {
            available += 1
            monitor.signal()
        }
    }

    /// Wakes every waiter for good.
    public func cancel() {
        monitor.withLock {
            cancelled = true
            monitor.broadcast()
        }
    }
}
