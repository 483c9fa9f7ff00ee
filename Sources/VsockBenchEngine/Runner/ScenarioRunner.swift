import VsockBenchModel
import VsockBenchStats
import VsockBenchSupport
import VsockTransport

/// How one case of a scenario ended, before anything is summarised.
public enum CaseOutcome: Sendable {
    /// It ran (perhaps with failures, which the measurement lists).
    case measured(CaseMeasurement)
    /// It could not run at all: no connection, a refused hello.
    case failed(CaseSpec, DriverError)
    /// It did not run, and nothing failed (a stream case with `--target null`).
    case skipped(CaseSpec, reason: String)

    public var spec: CaseSpec {
        switch self {
        case let .measured(m): return m.spec
        case let .failed(spec, _), let .skipped(spec, _): return spec
        }
    }
}

/// How many trials of each case, in what order: `repeatCount` rounds, each running every case
/// once in an order shuffled by `seed` (case A, B, C, then C, A, B...), with `settleNanos` of
/// quiet between trials, so that a slow stretch of the machine falls on every case alike
/// rather than on whichever ran then.
public struct TrialPlan: Sendable, Equatable {
    public var repeatCount: Int
    public var seed: UInt64
    public var settleNanos: UInt64

    public init(repeatCount: Int = 1, seed: UInt64 = 1, settleNanos: UInt64 = 200_000_000) {
        self.repeatCount = max(repeatCount, 1)
        self.seed = seed
        self.settleNanos = settleNanos
    }

    /// The case order of each round (one round in file order when not repeating).
    public func rounds(cases: Int) -> [[Int]] {
        guard repeatCount > 1 else { return [Array(0..<cases)] }
        var generator = SeededGenerator(seed: seed)
        return (0..<repeatCount).map { _ in generator.shuffled(Array(0..<cases)) }
    }
}

/// One trial done, for progress lines.
public struct TrialProgress: Sendable {
    /// 1-based: the trial's place in the whole run, and the number of trials in it.
    public var trial: Int
    public var trials: Int
    /// 1-based round, and the rounds in the run.
    public var round: Int
    public var rounds: Int
    public var outcome: CaseOutcome
}

/// What running a scenario produced: every case's trials, in the order they ran.
public struct ScenarioRun: Sendable {
    public var scenario: Scenario
    /// Per case (in the scenario's order), its trials (in the order they ran).
    public var trials: [[CaseOutcome]]
    public var plan: TrialPlan
    /// ISO 8601 start time.
    public var startedAt: String
    /// The first target facts any case saw.
    public var targetHost: HostFacts?
    /// `null` for an in-process target, else the endpoint's transport (`unix`, `tcp`, `vsock`).
    public var transport: String
    /// The target as the user named it (`null` for in process).
    public var target: String

    /// Every trial, case by case (a single run: one outcome per case, in order).
    public var outcomes: [CaseOutcome] { trials.flatMap { $0 } }
}

/// Runs the cases of a scenario: each once, or several trials each, interleaved.
public final class ScenarioRunner: Sendable {
    public let options: DriverOptions
    private let current = LockedValue<RunControl?>(nil)
    private let interrupted = StopFlag()
    /// Cancelled by an interrupt: ends the settle between trials at once.
    private let settleWake = CountingSemaphore(value: 0)

    public init(options: DriverOptions) { self.options = options }

    /// Stops the running case (it still reports what it measured) and skips the rest.
    public func interrupt() {
        interrupted.set()
        settleWake.cancel()
        current.value?.fail("interrupted")
        // A worker waiting on a service that went silent would wait out its I/O timeout.
        Socket.cutBlockedReads(afterSeconds: Self.interruptGraceSeconds)
    }

    /// After an interrupt, how long a read may still wait before it is cut off.
    public static let interruptGraceSeconds = 1.0

    public var wasInterrupted: Bool { interrupted.isSet }

    public func run(_ scenario: Scenario, plan: TrialPlan = TrialPlan(), onTrialEnd: (TrialProgress) -> Void = { _ in }) -> ScenarioRun {
        var run = ScenarioRun(
            scenario: scenario, trials: scenario.cases.map { _ in [] }, plan: plan, startedAt: iso8601Now(), targetHost: nil,
            transport: options.inProcess ? InProcessTarget.endpointName : options.target.transportName,
            target: options.inProcess ? InProcessTarget.endpointName : options.target.description)
        let rounds = plan.rounds(cases: scenario.cases.count)
        let total = rounds.reduce(0) { $0 + $1.count }
        var done = 0
        for (round, order) in rounds.enumerated() {
            for index in order {
                if interrupted.isSet { return run }
                if done > 0, plan.repeatCount > 1 { settle(plan.settleNanos) }
                // A signal during the settle found no case to stop: none is started after it.
                if interrupted.isSet { return run }
                let outcome = runCase(scenario.cases[index])
                if case let .measured(m) = outcome, !m.spec.workload.isForeign { run.targetHost = run.targetHost ?? m.targetAck.target }
                run.trials[index].append(outcome)
                done += 1
                onTrialEnd(TrialProgress(trial: done, trials: total, round: round + 1, rounds: rounds.count, outcome: outcome))
            }
        }
        return run
    }
    /// The quiet between trials; an interrupt ends it (--settle has no upper bound: a 30 s
    /// settle kept the report 30 s from the signal, review).
    private func settle(_ nanos: UInt64) { _ = settleWake.acquire(timeoutNanos: nanos) }

    /// Why `--target null` cannot run this case in process (nil: it can).
    public static func inProcessSkipReason(_ spec: CaseSpec) -> String? {
        if spec.kind == .stream {
            return "stream cases need a channel; --target null runs rr and masked cases in process"
        }
        if spec.workload.isForeign {
            return "a replay case drives a service of yours; --target null has none (give its endpoint)"
        }
        // The in-process path is stop-and-wait or a window, never paced: a rate was dropped
        // without a word (15,000 msgs/s under an "@2000/s" label, no open-loop report).
        if spec.exchange?.rate != nil {
            return "an open-loop case (rate) paces its requests against a target; --target null runs closed loop only (give a --target, or the default local one)"
        }
        return nil
    }

    /// One case, on a fresh control.
    public func runCase(_ spec: CaseSpec) -> CaseOutcome {
        let control = RunControl()
        current.withLock { $0 = control }
        // A signal between the loop's look and the line above found no case to stop (review:
        // the next case then ran its whole length): this one stops at once.
        if interrupted.isSet { control.fail("interrupted") }
        defer { current.withLock { $0 = nil } }
        if options.inProcess {
            if let reason = Self.inProcessSkipReason(spec) { return .skipped(spec, reason: reason) }
            return .measured(marked(InProcessTarget.run(spec, options: options, control: control)))
        }
        do {
            return .measured(marked(try CaseRunner.run(spec, options: options, control: control)))
        } catch {
            // Stopped during the connect or the hello: the grace time's timeouts are not the target's.
            return .failed(spec, interrupted.isSet ? .interrupted : error)
        }
    }

    /// The measurement with `interrupted` decided once, here: the interrupt came before it ended.
    private func marked(_ m: CaseMeasurement) -> CaseMeasurement { Self.marked(m, interrupted: interrupted.isSet) }

    static func marked(_ m: CaseMeasurement, interrupted: Bool) -> CaseMeasurement {
        var m = m
        // Cut short when the interrupt came first, its failure "interrupted" (the cut reads and
        // writes it causes come after). A case that failed on its own before (a corrupt reply,
        // a peer that stalled: likely why the user pressed Ctrl-C) stays failed, and one that
        // ended whole as the signal came stays whole (review).
        m.interrupted = interrupted && m.failures.first == "interrupted"
        return m
    }
}
