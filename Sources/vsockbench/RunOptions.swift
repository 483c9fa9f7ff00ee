import ArgumentParser
import VsockBenchSupport
import VsockTransport
import VsockBenchModel
import VsockBenchEngine

/// Options shared by the commands that run scenarios (run, compare, diagnose).
struct ScenarioOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A scenario file (YAML), for example scenarios/cliff.yaml.", valueName: "scenario"))
    var scenario: String

    @OptionGroup var driver: DriverFlags

    func loadScenario() throws -> Scenario { try driver.loadScenario(path: scenario) }
}

/// How cases are driven: the target, overrides, the probe.
struct DriverFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The target to drive: vsock://CID:PORT (on a Nitro parent: vsock://16:5005), unix:///path or tcp://HOST:PORT; or null: run the target's pipeline in this process with no socket (the processing ceiling). Default: start a local target on a private Unix socket.",
        valueName: "endpoint"))
    var target: String?

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

    @Option(name: .long, help: ArgumentHelp("Override every case's measured duration (for example 2s).", valueName: "duration"))
    var duration: String?

    @Option(name: .long, help: ArgumentHelp("Override every case's warmup (for example 200ms; 0s for none).", valueName: "duration"))
    var warmup: String?

    @Option(name: .long, help: ArgumentHelp("Override every case to stop after this many messages (total across connections).", valueName: "count"))
    var messages: Int?

    @Flag(name: .long, help: ArgumentHelp(
        "Count kernel events with eBPF over each measured interval (both processes): syscalls, KVM_RUN and VM exits, vsock packets by op, credit updates, virtio notifications. Needs root or CAP_BPF+CAP_PERFMON; without them the run goes on without the probe."))
    var probe = false

    @Option(name: .customLong("io-timeout"), help: ArgumentHelp("Fail a case when a read or write blocks longer than this many seconds.", valueName: "seconds"))
    var ioTimeout: Double = 10

    /// Loads the scenario, applies overrides and the case selection; bad input exits 2.
    func loadScenario(path: String) throws -> Scenario {
        var scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path).selecting(cases)
        } catch {
            printError(error.description)
            throw ExitCode(Exit.badInput)
        }
        if let duration {
            guard case let .success(nanos) = Quantities.parseDuration(duration), nanos > 0 else {
                throw fail("--duration '\(duration)' is not a positive duration such as 2s or 500ms", code: Exit.badInput)
            }
            for i in scenario.cases.indices { scenario.cases[i].stop = .duration(nanos: nanos) }
        }
        if let messages {
            guard messages > 0 else { throw fail("--messages must be positive", code: Exit.badInput) }
            for i in scenario.cases.indices {
                scenario.cases[i].stop = .messages(max(messages, scenario.cases[i].connections))
            }
        }
        if let warmup {
            guard case let .success(nanos) = Quantities.parseDuration(warmup) else {
                throw fail("--warmup '\(warmup)' is not a duration such as 200ms or 0s", code: Exit.badInput)
            }
            for i in scenario.cases.indices { scenario.cases[i].warmupNanos = nanos }
        }
        guard ioTimeout > 0 else { throw fail("--io-timeout must be positive", code: Exit.badInput) }
        return scenario
    }

    /// `--target null`: no socket, the target's pipeline in process.
    var inProcess: Bool { target == InProcessTarget.endpointName }

    func parsedTarget() throws -> Endpoint? {
        guard let target, !inProcess else { return nil }
        let endpoint: Endpoint
        do { endpoint = try Endpoint(parsing: target) } catch { throw fail(error.description, code: Exit.badInput) }
        if case .vsock(Endpoint.vsockAnyCID, _) = endpoint {
            throw fail("invalid target '\(target)': 'any' is for listening; name the target's CID (an enclave's, e.g. vsock://16:5005, or local)", code: Exit.badInput)
        }
        return endpoint
    }
}
