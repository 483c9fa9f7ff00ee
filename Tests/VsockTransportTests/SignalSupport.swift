#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import VsockBenchSupport

/// Deliveries of the test signals, counted by their no-op handlers.
let signalDeliveries = Atomic<Int>(0)

/// A no-op handler for `signal` installed without SA_RESTART, so a blocking call the signal
/// interrupts fails with EINTR (the case the transport must retry); the previous handler is
/// put back when `body` returns.
func withInterruptingHandler<R>(for signal: Int32, _ body: () throws -> R) rethrows -> R {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in signalDeliveries.add(1, ordering: .relaxed) }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    var previous = sigaction()
    sigaction(signal, &action, &previous)
    defer { sigaction(signal, &previous, nil) }
    return try body()
}

/// A thread that records its pthread id first, so the test can signal it. It unblocks `signal`
/// (threads inherit the creating thread's mask, and the test runner's threads block signals).
final class SignalTarget: Sendable {
    private final class State: Sendable {
        let id = Atomic<UInt>(0)
        let done = Atomic<Bool>(false)
    }

    private let state: State
    private let thread: NativeThread

    init(name: String, unblocking signal: Int32, _ body: @escaping @Sendable () -> Void) {
        let state = State()
        self.state = state
        thread = NativeThread.spawn(name: name) {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signal)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            state.id.store(UInt(pthread_self()), ordering: .releasing)
            body()
            state.done.store(true, ordering: .releasing)
        }
    }

    var isDone: Bool { state.done.load(ordering: .acquiring) }

    /// Sends `signal` to the thread once it has started and until it is done (the handle
    /// stays valid until `join`).
    func signal(_ signal: Int32) {
        let raw = state.id.load(ordering: .acquiring)
        guard raw != 0, !isDone else { return }
        pthread_kill(pthread_t(raw), signal)
    }

    func join() { thread.join() }
}

/// Sleeps `millis` milliseconds.
func pause(millis: UInt64) { MonotonicClock.sleep(nanos: millis * 1_000_000) }
