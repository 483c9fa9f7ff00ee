import VsockBenchModel
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

/// What running a scenario produced: one outcome per case, in order.
public struct ScenarioRun: Sendable {
    public var scenario: Scenario
    public var outcomes: [CaseOutcome]
    /// ISO 8601 start time.
    public var startedAt: String
    /// The first target facts any case saw.
    public var targetHost: HostFacts?
    /// `null` for an in-process target, else the endpoint's transport (`unix`, `tcp`, `vsock`).
    public var transport: String
    /// The target as the user named it (`null` for in process).
    public var target: String
}

/// Runs the cases of a scenario one after another.
public final class ScenarioRunner: Sendable {
    public let options: DriverOptions
    private let current = LockedValue<RunControl?>(nil)
    private let interrupted = StopFlag()

    public init(options: DriverOptions) { self.options = options }

    /// Stops the running case (it still reports what it measured) and skips the rest.
    public func interrupt() {
        interrupted.set()
        current.value?.fail("interrupted")
    }

    public var wasInterrupted: Bool { interrupted.isSet }

    public func run(_ scenario: Scenario, onCaseEnd: (CaseOutcome) -> Void = { _ in }) -> ScenarioRun {
        var run = ScenarioRun(
            scenario: scenario, outcomes: [], startedAt: iso8601Now(), targetHost: nil,
            transport: options.inProcess ? InProcessTarget.endpointName : options.target.transportName,
            target: options.inProcess ? InProcessTarget.endpointName : options.target.description)
        for spec in scenario.cases {
            if interrupted.isSet { break }
            let outcome = runCase(spec)
            if case let .measured(m) = outcome { run.targetHost = run.targetHost ?? m.targetAck.target }
            run.outcomes.append(outcome)
            onCaseEnd(outcome)
        }
        return run
    }

    /// One case, on a fresh control.
    public func runCase(_ spec: CaseSpec) -> CaseOutcome {
        let control = RunControl()
        current.withLock { $0 = control }
        defer { current.withLock { $0 = nil } }
        if options.inProcess {
            if spec.kind == .stream {
                return .skipped(spec, reason: "stream cases need a channel; --target null runs rr and masked cases in process")
            }
            return .measured(InProcessTarget.run(spec, options: options, control: control))
        }
        do {
            return .measured(try CaseRunner.run(spec, options: options, control: control))
        } catch {
            return .failed(spec, error)
        }
    }
}
