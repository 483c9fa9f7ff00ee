#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockProbe

/// The stopping signals of `probe` and `observe`, as `run` takes its own (``DriverSession``): on
/// the signal thread, into a ``SessionStop`` the session reads. The first one ends the session
/// early and it still reports, exiting 128 + the signal; a second one more than half a second
/// later quits at once, without a report (the followed command killed first).
enum SessionSignals {
    /// Starts taking the signals; call it first in `run()`, before any other thread exists.
    /// With `followsCommand`, SIGINT is not taken: the session ignores it while the command
    /// runs, as a shell does (Ctrl-C reaches the command through the terminal's process group,
    /// and its end ends the session); SIGTERM and SIGHUP, which usually reach vsockbench alone,
    /// are passed on to the command.
    static func start(_ stop: SessionStop, command: String, followsCommand: Bool) {
        SignalWatcher.start(signals: followsCommand ? [SIGTERM, SIGHUP] : SignalWatcher.stoppingSignals) { signal in
            switch stop.receive(signal) {
            case .stop:
                let next = followsCommand
                    ? "passing it on to the command, reporting once it has exited"
                    : "stopping, then reporting what was seen"
                printError("\nvsockbench \(command): \(describe(signal)); \(next) (signal again to quit now, without a report)")
            case .repeated:
                break
            case .quit(let status):
                // (A --pcap is written as packets come: what it holds so far stays.)
                printError("vsockbench \(command): quitting now: no report, no JSON or HTML written\(followsCommand ? "; the command was killed" : "")")
                _exit(status)
            }
        }
    }

    /// How vsockbench names a stopping signal on its way out.
    static func describe(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "interrupted"
        case SIGTERM: "terminated (SIGTERM)"
        case SIGHUP: "hung up (SIGHUP)"
        default: "stopped by \(SessionStop.name(of: signal))"
        }
    }
}
