/// Runs the cases of a scenario one after another and assembles the run document.
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

    public func run(_ scenario: Scenario, onCaseStart: (CaseSpec) -> Void = { _ in }, onCaseEnd: (CaseResult) -> Void = { _ in }) -> RunDocument {
        let startedAt = iso8601Now()
        var results: [CaseResult] = []
        var targetHost: HostFacts?
        let transport = options.inProcess ? InProcessTarget.endpointName : options.target.transportName
        for spec in scenario.cases {
            if interrupted.isSet { break }
            onCaseStart(spec)
            let control = RunControl()
            current.withLock { $0 = control }
            var result: CaseResult
            if options.inProcess {
                if spec.workload == .stream {
                    result = Self.failedResult(spec, transport: transport, error: "")
                    result.errors = []
                    result.skipped = "stream cases need a channel; --target null runs rr and masked cases in process"
                } else {
                    let measurement = InProcessTarget.run(spec, options: options, control: control)
                    targetHost = targetHost ?? measurement.targetAck.target
                    result = CaseSummary.summarize(measurement, transport: transport)
                }
            } else {
                do {
                    let measurement = try CaseRunner.run(spec, options: options, control: control)
                    targetHost = targetHost ?? measurement.targetAck.target
                    result = CaseSummary.summarize(measurement, transport: transport)
                } catch {
                    result = Self.failedResult(spec, transport: transport, error: error.description)
                }
            }
            current.withLock { $0 = nil }
            results.append(result)
            onCaseEnd(result)
        }
        var document = RunDocument(scenario: scenario, target: options.target, driver: HostFacts.current(), targetHost: targetHost,
                                   cases: results, startedAt: startedAt)
        if options.inProcess {
            document.transport = InProcessTarget.endpointName
            document.target = InProcessTarget.endpointName
        }
        return document
    }

    /// A case that could not run at all still appears, with its error and zero figures.
    static func failedResult(_ spec: CaseSpec, transport: String, error: String) -> CaseResult {
        CaseResult(
            name: spec.name, workload: spec.workload.rawValue, transport: transport, config: spec, messages: 0, bytesTx: 0, bytesRx: 0,
            durationSeconds: 0, mbpsTx: 0, mbpsRx: 0, mbpsTotal: 0, msgsPerSecond: 0, latencyMicros: nil,
            writesPerMessage: nil, readsPerMessage: nil, targetWritesPerMessage: nil, targetReadsPerMessage: nil,
            targetProcessingShare: nil, cpu: CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0),
            spread: ConnectionSpread(connections: spec.connections, minMsgsPerSecond: 0, maxMsgsPerSecond: 0, cv: 0),
            socket: SocketSummary(driver: nil, target: nil), errors: [error], verified: false,
            verification: "not run", target: nil, targetHost: nil, probe: nil, diagnosis: nil, skipped: nil)
    }
}
