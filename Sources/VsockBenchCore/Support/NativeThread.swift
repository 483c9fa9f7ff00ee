import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread. The data path runs on these, never on a cooperative pool: a blocked
/// read must not starve another connection, and the syscall pattern must be ours alone.
public final class NativeThread: @unchecked Sendable {
    private var handle: pthread_t
    private var joined = false

    private final class Box {
        let body: @Sendable () -> Void
        let name: String
        init(_ body: @escaping @Sendable () -> Void, name: String) {
            self.body = body
            self.name = name
        }
    }

    private init(handle: pthread_t) { self.handle = handle }

    /// Starts `body` on a new thread named `name` (at most 15 characters are kept).
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) -> NativeThread {
        let box = Unmanaged.passRetained(Box(body, name: name)).toOpaque()
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            cshims_set_thread_name(String(box.name.prefix(15)))
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        return NativeThread(handle: handle)
    }

    /// Waits for the thread to finish.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit {
        if !joined { pthread_detach(handle) }
    }
}

/// A count of running tasks that another thread can wait on (with a deadline).
public final class ActivityCounter: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var active = 0

    public init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    public func enter() {
        pthread_mutex_lock(&mutex)
        active += 1
        pthread_mutex_unlock(&mutex)
    }

    public func leave() {
        pthread_mutex_lock(&mutex)
        active -= 1
        if active == 0 { pthread_cond_broadcast(&condition) }
        pthread_mutex_unlock(&mutex)
    }

    public var count: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return active
    }

    /// Waits until nothing is active or `timeoutNanos` passed; returns what is still active.
    @discardableResult
    public func waitUntilIdle(timeoutNanos: UInt64) -> Int {
        var deadline = realtimeDeadline(after: timeoutNanos)
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while active > 0 {
            if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT { break }
        }
        return active
    }
}

/// The CLOCK_REALTIME instant `nanos` from now, as pthread_cond_timedwait wants it.
func realtimeDeadline(after nanos: UInt64) -> timespec {
    var deadline = timespec()
    clock_gettime(CLOCK_REALTIME, &deadline)
    let total = UInt64(deadline.tv_nsec) + nanos
    deadline.tv_sec += Int(total / 1_000_000_000)
    deadline.tv_nsec = Int(total % 1_000_000_000)
    return deadline
}
