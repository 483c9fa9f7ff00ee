#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CShims
import Synchronization
import VsockProbe
import VsockBenchSupport
import VsockTransport
import VsockBenchModel
import VsockBenchEngine
import VsockBenchReport

/// The driver's side of a command that runs cases: the target (given, or started locally),
/// the runner, Ctrl-C handling and the progress line.
final class DriverSession {
    let runner: ScenarioRunner
    let progress: ProgressLine
    private let localTarget: LocalTarget?
    private let probe: Probe?
    /// The stopping signals, by the rule `observe` and `probe` follow too: the first stops the
    /// run, one more within `SessionStop.sameSignalSeconds` is the same request (`timeout -s
    /// INT` and CI runners signal the process and then its group), a later one quits now.
    private let stop: SessionStop

    /// The exit status of an interrupted run: 128 + the signal (130 for SIGINT, 143 for SIGTERM,
    /// 129 for SIGHUP), as a shell reports a process that signal ended.
    var interruptStatus: Int32 { 128 + (stop.signal ?? SIGINT) }

    /// For the cases of a scenario: a local target started here takes frames as large as they need.
    convenience init(options: ScenarioOptions, cases: [CaseSpec] = []) throws { try self.init(flags: options.driver, cases: cases) }

    /// `serve`'s default --max-frame, and the limits a local target may be given above it.
    static let defaultFrameLimit = TargetConfiguration.defaults.maxFrame
    static let frameLimits = [8 << 20, 16 << 20, 32 << 20, CaseSpec.maxBuffer]

    /// The frame limit a local target needs for `cases`: nil when `serve`'s default holds them
    /// all, else the smallest of `frameLimits` under which no case has a problem it would not
    /// have without a target (a scenario may ask for frames up to 64 MiB, and a target of its
    /// own must not refuse a case the file allows).
    static func localFrameLimit(for cases: [CaseSpec]) -> Int? {
        func fits(_ limit: Int) -> Bool { cases.allSatisfy { $0.limitProblems(maxFrame: limit) == $0.limitProblems() } }
        if fits(defaultFrameLimit) { return nil }
        return frameLimits.first(where: fits) ?? frameLimits.last
    }

    /// The trials the flags ask for.
    static func plan(_ flags: DriverFlags) -> TrialPlan {
        TrialPlan(repeatCount: flags.repeatCount, seed: flags.seed, settleNanos: flags.settle.nanos)
    }

    /// With `cases`, a local target started here takes frames as large as they need.
    convenience init(flags options: DriverFlags, cases: [CaseSpec] = []) throws {
        try self.init(target: options.endpoint, ioTimeout: options.ioTimeout.seconds, probe: options.probe, inProcess: options.inProcess,
                      localMaxFrame: Self.localFrameLimit(for: cases))
    }

    /// The frame limit of the target a session with `flags` starts for `cases` (nil for a
    /// --target, whose limit is known only once it answers, and in process).
    static func startedTargetFrameLimit(_ flags: DriverFlags, for cases: [CaseSpec]) -> Int? {
        flags.endpoint == nil && !flags.inProcess ? (localFrameLimit(for: cases) ?? defaultFrameLimit) : nil
    }

    /// Drives `target`, or a local target started here when it is nil; with `probe`, attaches
    /// the eBPF probe to this process and the local target.
    /// `localMaxFrame`: the local target's --max-frame, when `serve`'s default is too small.
    init(target given: Endpoint?, ioTimeout: Double, probe wantsProbe: Bool = false, inProcess: Bool = false, localMaxFrame: Int? = nil) throws {
        // A case may open 1024 connections, a descriptor each (and the local target, started
        // below, as many): the soft open-file limit, often 1024, is raised to the hard one (a
        // case of 1024 connections failed with EMFILE).
        _ = cshims_raise_open_file_limit()
        let progress = ProgressLine()
        let holder = LockedValue<ScenarioRunner?>(nil)
        let started = LockedValue<LocalTarget?>(nil)
        let stop = SessionStop()
        self.stop = stop
        SignalWatcher.start { signal in
            let action = stop.receive(signal)
            if action == .repeated { return }  // the same request, delivered twice
            if action == .stop, let runner = holder.value, !runner.wasInterrupted {
                // The case is told first: a peer in the same process group gets the same
                // signal, and its close must not come before the interrupt in the case's
                // failures (it would read as the case's own failure, not cut short).
                runner.interrupt()
                printError("\nvsockbench: \(SessionSignals.describe(signal)); stopping the current case, then reporting what was measured (\(signal == SIGINT ? "Ctrl-C" : SessionStop.name(of: signal)) again to quit now, without a report)")
            } else {
                // Quit now (a second request, or one before there is a run to stop), but not
                // leave the local target or its directory behind.
                printError("vsockbench: quitting now: no table, no JSON or HTML written")
                started.value?.stop(now: true)
                _exit(128 + (stop.signal ?? signal))
            }
        }
        let endpoint: Endpoint
        if let given {
            endpoint = given
            localTarget = nil
        } else if inProcess {
            endpoint = .unix(path: "/dev/null")
            localTarget = nil
        } else {
            let target = try Self.startLocalTarget(maxFrame: localMaxFrame)
            localTarget = target
            started.withLock { $0 = target }
            endpoint = target.endpoint
        }
        var driverOptions = DriverOptions(target: endpoint)
        driverOptions.ioTimeoutSeconds = ioTimeout
        driverOptions.inProcess = inProcess
        probe = wantsProbe ? Self.startProbe(target: endpoint, targetPID: localTarget?.pid, inProcess: inProcess) : nil
        driverOptions.probe = probe
        if progress.enabled {
            driverOptions.onProgress = { @Sendable update in progress.update(update) }
        }
        let runner = ScenarioRunner(options: driverOptions)
        holder.withLock { $0 = runner }
        self.runner = runner
        self.progress = progress
    }

    private static func startLocalTarget(maxFrame: Int?) throws -> LocalTarget {
        let frame = maxFrame.map { ["--max-frame", String($0)] } ?? []
        do {
            return try LocalTarget(executable: LocalTarget.currentExecutable(), extraArguments: ["--log-level", "warning", "--mode", "agent"] + frame)
        } catch {
            throw fail(error.description, code: Exit.failure)
        }
    }

    /// The probe, or nil with one line saying what is missing: the run goes on without it.
    private static func startProbe(target: Endpoint, targetPID: Int32?, inProcess: Bool) -> Probe? {
        if case let .unavailable(missing, howToFix) = Probe.checkAvailability() {
            printError("vsockbench: --probe needs \(missing): \(howToFix); running without the probe")
            return nil
        }
        var configuration = ProbeConfiguration(pids: [getpid()] + (targetPID.map { [$0] } ?? []))
        // On a Nitro parent the target runs in the enclave: its syscalls are not this
        // machine's to count, and the reports say so ("both processes" was said throughout).
        configuration.followedProcesses = inProcess ? ProbeCaseReport.inProcess : targetPID != nil ? ProbeCaseReport.driverAndTarget : ProbeCaseReport.driverOnly
        if let (cid, port) = target.vsockAddress {
            configuration.vsockPort = port
            if cid != Endpoint.vsockAnyCID { configuration.vsockCID = cid }
        }
        do {
            let probe = try Probe(configuration: configuration)
            for warning in probe.warnings { printError("vsockbench: probe: \(warning)") }
            if inProcess {
                // The in-process target is this process: "runs elsewhere" was false (review).
                printError("vsockbench: probe: --target null runs the target in this process, with no socket: the counts are this process's, and no message crosses a channel")
            } else if targetPID == nil {
                printError("vsockbench: probe: the target runs elsewhere; syscalls and KVM counts cover this driver only")
            }
            return probe
        } catch {
            printError("vsockbench: --probe could not start: \(error); running without the probe")
            return nil
        }
    }

    /// Runs the cases, `plan.repeatCount` trials each, with the progress line on a terminal
    /// and one plain line per trial otherwise (a CI log is never silent for minutes).
    func run(_ scenario: Scenario, plan: TrialPlan = TrialPlan()) -> RunDocument {
        // A count at a slow rate runs for minutes whatever the target does: said up front.
        // Not for a case the in-process target skips at once (review).
        for spec in scenario.cases where !(runner.options.inProcess && ScenarioRunner.inProcessSkipReason(spec) != nil) {
            if let notice = spec.longRunNotice { printError(notice) }
        }
        let run = runner.run(scenario, plan: plan) { [progress] trial in
            progress.finish()
            if !progress.enabled || plan.repeatCount > 1 { printError(TrialLine.text(trial)) }
        }
        let document = RunDocument(run)
        // The cases an interrupt came before are in no table: named, so the report's end is
        // not taken for the scenario's (review).
        if let left = document.notRun, !left.isEmpty {
            printError("vsockbench: interrupted before \(left.count == 1 ? "case" : "cases") \(left.map(Terminal.safe).joined(separator: ", ")): not run")
        }
        return document
    }

    /// The exit status a run's command ends with: interrupted (128 + the signal), a failed case
    /// (1), or success.
    func finish(_ document: RunDocument) throws {
        if runner.wasInterrupted {
            close()
            throw ExitCode(interruptStatus)
        }
        if !document.allVerified { throw ExitCode(Exit.failure) }
        // Nothing measured is no pass (a CI gate must not take it for one): e.g. `--target
        // null` with only replay cases, which need a service.
        if !document.cases.isEmpty, document.cases.allSatisfy({ $0.skipped != nil }) {
            throw fail("nothing was measured: every case was skipped (the reasons are above)", code: Exit.badInput)
        }
    }

    func close() {
        progress.finish()
        probe?.close()
        localTarget?.stop()
    }
}

/// One live status line on stderr while a case runs, only on a terminal and only for cases
/// longer than a second; nothing of it reaches files, pipes or JSON.
final class ProgressLine: Sendable {
    let enabled = isatty(STDERR_FILENO) != 0
    /// Whether a line is on the terminal now (the runner's thread updates, the signal thread may clear).
    private let shown = Mutex(false)

    func update(_ p: CaseProgress) {
        guard enabled, (p.plannedSeconds ?? 2) > 1 || p.elapsedSeconds > 1 else { return }
        let planned = p.plannedSeconds.map { "/" + Format.fixed($0, 1) + "s" } ?? ""
        func mbps(_ bytes: UInt64, _ seconds: Double) -> String { Format.compact(seconds > 0 ? Double(bytes) * 8 / seconds / 1e6 : 0) }
        // A stream's messages are counted at its end: while it runs, its bytes speak for it.
        let count = p.messages > 0 || p.bytesTx + p.bytesRx == 0 ? "  \(p.messages) msgs" : ""
        var line = "  \(p.caseName): \(p.phase == .warmup ? "warmup" : "measuring") \(Format.fixed(p.elapsedSeconds, 1))s\(planned)\(count)"
        if let s = p.lastSlice {
            // A stream's messages are counted at its end: its slices show bytes only.
            let rate = s.messages > 0 ? "  \(Format.fixed(Double(s.messages) / max(s.seconds, 1e-9), 0)) msgs/s" : ""
            line += "  | slice \(s.index): Mbps tx \(mbps(s.bytesTx, s.seconds)) rx \(mbps(s.bytesRx, s.seconds))\(rate)"
        } else {
            line += "  Mbps tx \(mbps(p.bytesTx, p.elapsedSeconds)) rx \(mbps(p.bytesRx, p.elapsedSeconds)) (warmup included)"
        }
        shown.withLock { shown in
            StandardError.write("\r\u{1B}[2K" + line)
            shown = true
        }
    }

    func finish() {
        shown.withLock { shown in
            if shown {
                StandardError.write("\r\u{1B}[2K")
                shown = false
            }
        }
    }
}
