#if canImport(Glibc)
import Glibc
#endif

/// What a probe session counted: the totals, and how the observed process ended.
public struct ProbeSessionResult: Sendable {
    /// The totals from attach to the end.
    public var counters: ProbeCounters
    /// The command's exit status (128 + signal when a signal ended it); nil when attached to a pid.
    public var exitStatus: Int32?
    /// The signal that ended the command (its status is then 128 + it); nil when it exited of
    /// itself, and when attached to a pid.
    public var exitSignal: Int32?
    /// Wall-clock time from the release of the command (or the attach) to the end.
    public var seconds: Double
    /// The probe's warnings (programs switched off by a layout mismatch, attach failures), and
    /// that a signal stopped the session early.
    public var warnings: [String]
    /// The signal that stopped the session early (see ``SessionStop``); nil when it ran to its end.
    public var stopSignal: Int32?

    public init(
        counters: ProbeCounters, exitStatus: Int32?, exitSignal: Int32? = nil, seconds: Double, warnings: [String], stopSignal: Int32? = nil
    ) {
        self.counters = counters
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.seconds = seconds
        self.warnings = warnings
        self.stopSignal = stopSignal
    }
}

/// Runs a command, or watches a running process, under a ``Probe``: what `vsockbench probe` does.
public enum ProbeSession {
    /// Called every `interval` seconds with the counts of that interval and the time since start,
    /// and once more at the end with the counts of the last, partial interval.
    public typealias IntervalHandler = (_ delta: ProbeCounters, _ elapsed: Double) -> Void

    /// Starts `command` held before exec, attaches the probe to its pid (and its children when the
    /// configuration says so), releases it, and counts until it exits. SIGINT and SIGQUIT are
    /// ignored meanwhile, as by a shell waiting for a command: Ctrl-C ends the command and the
    /// counts are still reported. `handlesInterrupts: false` leaves signal dispositions alone
    /// (for callers such as tests that run sessions concurrently).
    ///
    /// A signal `stop` takes (the caller's signal thread: SIGTERM, SIGHUP) is passed on to the
    /// command, which has ``SessionStop/graceSeconds`` to exit before it gets SIGKILL; the counts
    /// are still reported. However this ends (an error included), the command is not left running.
    public static func run(
        command: [String], configuration: ProbeConfiguration, interval: Double? = nil,
        handlesInterrupts: Bool = true, stop: SessionStop = SessionStop(), commandOutputToStderr: Bool = false,
        onInterval: IntervalHandler = { _, _ in }
    ) throws -> ProbeSessionResult {
        guard let executable = command.first else {
            throw ProbeError(operation: "starting the command", detail: "no command given after --")
        }
        let child = try HeldProcess(executable: executable, arguments: Array(command.dropFirst()), stdoutToStderr: commandOutputToStderr)
        // Every way out below ends the command (signal, bounded wait, SIGKILL) and reaps it; after
        // a normal end it is reaped already and this does nothing.
        defer { child.end() }
        child.waitUntilHeld()
        stop.follow(child)
        var configuration = configuration
        configuration.pids = [child.pid] + configuration.pids
        let probe = try Probe(configuration: configuration)
        defer { probe.close() }
        let previousInterrupt = handlesInterrupts ? signal(SIGINT, SIG_IGN) : nil
        let previousQuit = handlesInterrupts ? signal(SIGQUIT, SIG_IGN) : nil
        defer {
            if handlesInterrupts {
                signal(SIGINT, previousInterrupt)
                signal(SIGQUIT, previousQuit)
            }
        }
        let start = Monotonic.now
        try child.release()
        var ticker = IntervalTicker(probe: probe, interval: interval, start: start)
        var killed = false
        let status: Int32
        while true {
            // Without --interval the wait wakes as the command exits (its pidfd), so the time
            // reported is the command's; the wake-ups in between only look for a stop.
            if let exited = child.waitForExit(timeout: interval == nil ? 0.25 : 0.01) {
                status = exited
                break
            }
            try ticker.tick(onInterval)
            if !killed, let since = stop.secondsSinceSignal, since >= SessionStop.graceSeconds {
                killed = child.killTree()
            }
        }
        let seconds = Monotonic.now - start
        let counters = try ticker.finish(at: start + seconds, onInterval)
        var warnings = probe.warnings
        if let signal = stop.signal {
            warnings.append(
                stopWarning(signal: signal, seconds: seconds, commandStatus: status, commandSignal: child.exitSignal, killed: killed)
                    + "; the counts cover that time only")
        }
        return ProbeSessionResult(
            counters: counters, exitStatus: status, exitSignal: child.exitSignal, seconds: seconds, warnings: warnings,
            stopSignal: stop.signal)
    }

    /// Counts process `pid` (and its new children) for `duration` seconds, or until it exits,
    /// or until `stop` takes a signal (the caller's signal thread: SIGINT, SIGTERM, SIGHUP),
    /// which then ends the count early instead of vsockbench. The process is never signalled.
    public static func attach(
        pid: Int32, duration: Double?, configuration: ProbeConfiguration, interval: Double? = nil,
        stop: SessionStop = SessionStop(), onInterval: IntervalHandler = { _, _ in }
    ) throws -> ProbeSessionResult {
        try attach(pids: [pid], duration: duration, configuration: configuration, interval: interval, stop: stop, onInterval: onInterval)
    }

    /// Counts the processes `pids` (and their new children) for `duration` seconds, or until
    /// they have all exited, or until `stop` takes a signal. A count that ended before
    /// `duration` because the processes exited says so in a warning. A pid that names no
    /// process, or a thread of one, is refused (``FollowedProcessError``) before anything loads.
    public static func attach(
        pids: [Int32], duration: Double?, configuration: ProbeConfiguration, interval: Double? = nil,
        stop: SessionStop = SessionStop(), onInterval: IntervalHandler = { _, _ in }
    ) throws -> ProbeSessionResult {
        try FollowedProcess.check(pids)
        var configuration = configuration
        configuration.pids = pids + configuration.pids
        let probe = try Probe(configuration: configuration)
        defer { probe.close() }
        let start = Monotonic.now
        var ticker = IntervalTicker(probe: probe, interval: interval, start: start)
        var allExited = false
        while stop.signal == nil {
            if let duration, Monotonic.now - start >= duration { break }
            if pids.allSatisfy({ kill($0, 0) != 0 && errno == ESRCH }) {
                allExited = true
                break
            }
            usleep(10_000)
            try ticker.tick(onInterval)
        }
        let seconds = Monotonic.now - start
        let counters = try ticker.finish(at: start + seconds, onInterval)
        var warnings = probe.warnings
        if let signal = stop.signal {
            warnings.append(stopWarning(signal: signal, seconds: seconds, requested: duration) + "; the counts cover that time only")
        } else if allExited, let duration {
            warnings.append(exitedWarning(processes: pids.count, seconds: seconds, requested: duration) + "; the counts cover that time only")
        }
        return ProbeSessionResult(
            counters: counters, exitStatus: nil, seconds: seconds, warnings: warnings, stopSignal: stop.signal)
    }

    /// What a session a signal stopped early says: after how long, of how long asked for
    /// (`requested`), and what became of the followed command (`commandStatus`; `killed` when it
    /// had not exited ``SessionStop/graceSeconds`` after the signal and got SIGKILL).
    /// What a count or an observation that the followed processes' exit cut short says, of
    /// the `requested` seconds (probe and observe alike).
    public static func exitedWarning(processes: Int, seconds: Double, requested: Double) -> String {
        let which = processes == 1 ? "the process exited" : "the processes had all exited"
        return "\(which) after \(String(format: "%.2f", seconds)) s of the \(String(format: "%g", requested)) s asked for"
    }

    public static func stopWarning(
        signal: Int32, seconds: Double, requested: Double? = nil, commandStatus: Int32? = nil, commandSignal: Int32? = nil,
        killed: Bool = false
    ) -> String {
        // A whole number of seconds as asked (30 s), the rest to the millisecond.
        func span(_ value: Double) -> String {
            value == value.rounded() && value < 1e9 ? "\(Int(value)) s" : ProbeReport.formatSeconds(value)
        }
        let name = SessionStop.name(of: signal)
        var text = "stopped by \(name) after \(ProbeReport.formatSeconds(seconds))"
        if let requested { text += " of the \(span(requested)) asked for" }
        if let commandStatus {
            let grace = span(SessionStop.graceSeconds)
            text += killed
                ? "; the command was sent \(name), had not exited \(grace) later and was killed (SIGKILL), status \(commandStatus)"
                : "; the command was sent \(name) and \(commandEnding(status: commandStatus, signal: commandSignal))"
        }
        return text
    }

    /// How a followed command ended, said as it happened: "exited with status 3", or, when a
    /// signal ended it, "was ended by SIGTERM (status 143, as a shell reports it)" (a signal
    /// death is not an exit; `exit_status` keeps the shell's number, `exit_signal` the signal).
    public static func commandEnding(status: Int32, signal: Int32?) -> String {
        guard let signal else { return "exited with status \(status)" }
        return "was ended by \(SessionStop.name(of: signal)) (status \(status), as a shell reports it)"
    }
}

/// Reads the probe each time an interval has passed and hands over the difference.
private struct IntervalTicker {
    let probe: Probe
    let interval: Double?
    let start: Double
    var last: ProbeCounters?
    var next: Double
    /// When the counters were last read (the start, before any slice).
    var lastReadAt: Double

    init(probe: Probe, interval: Double?, start: Double) {
        self.probe = probe
        self.interval = interval
        self.start = start
        next = start + (interval ?? 0)
        lastReadAt = start
    }

    mutating func tick(_ handler: ProbeSession.IntervalHandler) throws {
        guard let interval, Monotonic.now >= next else { return }
        let now = try probe.read()
        lastReadAt = Monotonic.now
        handler(now.subtracting(last ?? ProbeCounters(sources: now.sources)), lastReadAt - start)
        last = now
        next += interval
    }

    /// The session's end, at `end` (monotonic seconds): reads the totals once and, with an
    /// interval, hands over the last slice, shorter than the others, from the last whole one
    /// to `end` (a command that exits mid-slice still has its last counts in a slice, so the
    /// slices add up to the totals). Returns the totals.
    mutating func finish(at end: Double, _ handler: ProbeSession.IntervalHandler) throws -> ProbeCounters {
        let now = try probe.read()
        let rest = now.subtracting(last ?? ProbeCounters(sources: now.sources))
        // Shown when it counted anything, or covers a millisecond or more since the last read;
        // a slice of nothing over no time is left out (a command that exits on a boundary).
        if interval != nil, rest != now.subtracting(now) || end - lastReadAt >= 0.001 {
            handler(rest, end - start)
        }
        return now
    }
}
