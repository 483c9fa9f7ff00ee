import CShims
#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread. The data path runs on these, never on a cooperative pool: a blocked
/// read must not starve another connection, and the syscall pattern must be ours alone.
/// `@unchecked Sendable`: the handle is set once; `join` is called by the one thread that owns the
/// `NativeThread` (its creator), never concurrently.
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

    /// Starts `body` on a new thread named `name` (at most 15 characters are kept). The
    /// driver's own threads: failing to create one is fatal for the run.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) -> NativeThread {
        guard let thread = trySpawn(name: name, body) else {
            fatalError("cannot create a thread (\(name)): the process is out of threads or memory")
        }
        return thread
    }

    /// Starts `body` on a new thread, or returns nil when the system refuses one (a server
    /// refuses the connection then instead of dying).
    public static func trySpawn(name: String, _ body: @escaping @Sendable () -> Void) -> NativeThread? {
        let box = Unmanaged.passRetained(Box(body, name: name))
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            cshims_set_thread_name(String(box.name.prefix(15)))
            box.body()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            return nil
        }
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
/// `@unchecked Sendable`: `active` is touched only under the monitor's mutex.
public final class ActivityCounter: @unchecked Sendable {
    private let monitor = PthreadMonitor()
    private var active = 0

    public init() {}

    public func enter() {
        monitor.withLock { active += 1 }
    }

    public func leave() {
        monitor.withLock {
            active -= 1
            if active == 0 { monitor.broadcast() }
        }
    }

    public var count: Int { monitor.withLock { active } }

    /// Waits until nothing is active or `timeoutNanos` passed; returns what is still active.
    @discardableResult
    public func waitUntilIdle(timeoutNanos: UInt64) -> Int {
        let deadline = MonotonicClock.deadline(after: timeoutNanos)
        return monitor.withLock {
            while active > 0 {
                if !monitor.wait(until: deadline) { break }
            }
            return active
        }
    }
}
