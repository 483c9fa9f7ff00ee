import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a probe session counted: the totals, and how the observed process ended.
public struct ProbeSessionResult: Sendable {
    /// The totals from attach to the end.
    public var counters: ProbeCounters
    /// The command's exit status (128 + signal when a signal ended it); nil when attached to a pid.
    public var exitStatus: Int32?
    /// Wall-clock time from the release of the command (or the attach) to the end.
    public var seconds: Double
    /// The probe's warnings (programs switched off by a layout mismatch, attach failures).
    public var warnings: [String]
}

/// Runs a command, or watches a running process, under a ``Probe``: what `vsockbench probe` does.
public enum ProbeSession {
    /// Called every `interval` seconds with the counts of that interval and the time since start.
    public typealias IntervalHandler = (_ delta: ProbeCounters, _ elapsed: Double) -> Void

    /// Starts `command` held before exec, attaches the probe to its pid (and its children when the
    /// configuration says so), releases it, and counts until it exits. SIGINT and SIGQUIT are
    /// ignored meanwhile, as by a shell waiting for a command: Ctrl-C ends the command and the
    /// counts are still reported. `handlesInterrupts: false` leaves signal dispositions alone
    /// (for callers such as tests that run sessions concurrently).
    public static func run(
        command: [String], configuration: ProbeConfiguration, interval: Double? = nil,
        handlesInterrupts: Bool = true, onInterval: IntervalHandler = { _, _ in }
    ) throws -> ProbeSessionResult {
        guard let executable = command.first else {
            throw ProbeError(operation: "starting the command", detail: "no command given after --")
        }
        let child = try HeldProcess(executable: executable, arguments: Array(command.dropFirst()))
        child.waitUntilHeld()
        var configuration = configuration
        configuration.pids = [child.pid] + configuration.pids
        let probe: Probe
        do {
            probe = try Probe(configuration: configuration)
        } catch {
            child.abandon()
            throw error
        }
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
        let status: Int32
        if interval == nil {
            status = child.waitForExit()
        } else {
            var exited = child.exitStatusIfExited()
            while exited == nil {
                usleep(10_000)
                try ticker.tick(onInterval)
                exited = child.exitStatusIfExited()
            }
            status = exited ?? 0
        }
        return ProbeSessionResult(
            counters: try probe.read(), exitStatus: status, seconds: Monotonic.now - start, warnings: probe.warnings)
    }

    /// Counts process `pid` (and its new children) for `duration` seconds, or until it exits,
    /// or until SIGINT (Ctrl-C), which then ends the count instead of vsockbench (unless
    /// `handlesInterrupts` is false).
    public static func attach(
        pid: Int32, duration: Double?, configuration: ProbeConfiguration, interval: Double? = nil,
        handlesInterrupts: Bool = true, onInterval: IntervalHandler = { _, _ in }
    ) throws -> ProbeSessionResult {
        guard kill(pid, 0) == 0 || errno == EPERM else {
            throw ProbeError(operation: "attaching to pid \(pid)", errno: errno, detail: "no such process")
        }
        var configuration = configuration
        configuration.pids = [pid] + configuration.pids
        let probe = try Probe(configuration: configuration)
        defer { probe.close() }
        interrupted.store(false, ordering: .relaxed)
        let previous = handlesInterrupts ? signal(SIGINT) { _ in interrupted.store(true, ordering: .relaxed) } : nil
        defer { if handlesInterrupts { signal(SIGINT, previous) } }
        let start = Monotonic.now
        var ticker = IntervalTicker(probe: probe, interval: interval, start: start)
        while !interrupted.load(ordering: .relaxed) {
            if let duration, Monotonic.now - start >= duration { break }
            if kill(pid, 0) != 0 && errno == ESRCH { break }
            usleep(10_000)
            try ticker.tick(onInterval)
        }
        return ProbeSessionResult(
            counters: try probe.read(), exitStatus: nil, seconds: Monotonic.now - start, warnings: probe.warnings)
    }
}

/// Set by the SIGINT handler of ``ProbeSession/attach(pid:duration:configuration:interval:onInterval:)``.
private let interrupted = Atomic<Bool>(false)

/// Reads the probe each time an interval has passed and hands over the difference.
private struct IntervalTicker {
    let probe: Probe
    let interval: Double?
    let start: Double
    var last: ProbeCounters?
    var next: Double

    init(probe: Probe, interval: Double?, start: Double) {
        self.probe = probe
        self.interval = interval
        self.start = start
        next = start + (interval ?? 0)
    }

    mutating func tick(_ handler: ProbeSession.IntervalHandler) throws {
        guard let interval, Monotonic.now >= next else { return }
        let now = try probe.read()
        handler(now.subtracting(last ?? ProbeCounters(sources: now.sources)), Monotonic.now - start)
        last = now
        next += interval
    }
}
