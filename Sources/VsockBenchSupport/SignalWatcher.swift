#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT, SIGTERM and SIGHUP (a closed terminal) into a callback on an ordinary thread, so shutdown can take locks
/// and close sockets (nothing of that is safe in a signal handler). Also ignores SIGPIPE: a
/// peer that vanished is an error to report, not a reason to die.
///
/// Call `start` before any other thread exists: threads inherit the blocked-signal mask.
public enum SignalWatcher {
    /// The signals `start` takes unless told otherwise.
    public static let stoppingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Takes `signals` (a subset of SIGINT, SIGTERM, SIGHUP, say: a command that leaves SIGINT
    /// to a child it waits for) on a thread of its own, calling `onSignal` for each.
    public static func start(signals: [Int32] = stoppingSignals, _ onSignal: @escaping @Sendable (Int32) -> Void) {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        for watched in signals { sigaddset(&set, watched) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let watched = set
        _ = NativeThread.spawn(name: "signals") {
            var set = watched
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { onSignal(received) }
            }
        }
    }
}
