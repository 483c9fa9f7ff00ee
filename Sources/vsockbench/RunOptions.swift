import ArgumentParser
import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport
import VsockTransport

/// Options shared by the commands that run scenarios (run, compare, diagnose).
struct ScenarioOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("A scenario file (YAML), for example scenarios/cliff.yaml.", valueName: "scenario"))
    var scenario: String

    @OptionGroup var driver: DriverFlags

    func loadScenario() throws -> Scenario { try driver.loadScenario(path: scenario) }

    /// run and compare run each case `--repeat` times: --seed and --settle need trials.
    func validate() throws {
        if let problem = driver.trialFlagsProblem(trials: driver.repeatCount) { throw ValidationError(problem) }
    }
}

/// How cases are driven: the target, overrides, the probe. Every command that runs cases
/// (run, compare, diagnose, sweep) takes these.
struct DriverFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The target to drive: vsock://CID:PORT (on a Nitro parent: vsock://16:5005), unix:///path or tcp://HOST:PORT; vsock+seqpacket://CID:PORT or unix+seqpacket:///path for SOCK_SEQPACKET (one packet per message: rr and masked with none, window or normalize; replay with none or window, each corpus message one packet without its framing); or null: run the target's pipeline in this process with no socket (the processing ceiling). Default: start a local target on a private Unix (stream) socket.",
        valueName: "endpoint"), transform: TargetArgument.parse)
    var target: TargetArgument?

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Override every case's measured duration (for example 2s). Without it a case runs its own duration, or the command's default: 5s (run, compare, diagnose), 2s (sweep).", valueName: "duration"),
            transform: TimeSpan.parseCaseDuration)
    var duration: TimeSpan?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Override every case's warmup (for example 200ms; 0s for none). Without it a case warms up for its own, or the command's default: 1s (run, compare, diagnose), 500ms (sweep).", valueName: "duration"),
            transform: TimeSpan.parse)
    var warmup: TimeSpan?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Also report every case in slices of this length (10ms or more, for example 1s): Mbps each way, msgs/s, p50/p99, syscalls per message and the probe's counts per slice; a slice under 10% of the case's median rate is flagged as a stall.",
        valueName: "duration"), transform: TimeSpan.parsePositive)
    var interval: TimeSpan?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Override every case to stop after this many messages (total across connections; a both-way stream counts both directions, half each way).", valueName: "count"), transform: OptionValue.count)
    var messages: Int?

    @Flag(name: .long, help: ArgumentHelp(
        "Count kernel events with eBPF over each measured interval (this machine's: the driver, and the target when run starts it; a target in an enclave is not counted): syscalls, KVM_RUN and VM exits, vsock packets by op, credit updates, virtio notifications. Needs root or CAP_BPF+CAP_PERFMON; without them the run goes on without the probe."))
    var probe = false

    @Option(name: .customLong("io-timeout"), parsing: .unconditional, help: ArgumentHelp(
        "Fail a case when a read or write blocks longer than this (seconds, or with a unit: 10, 30s; default 10s).", valueName: "seconds"),
            transform: TimeSpan.parseTimeout)
    var ioTimeout = TimeSpan(nanos: 10_000_000_000)

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: ArgumentHelp(
        "Run every case N times, interleaved (every case once per round, in a shuffled order), and report the median of the trials with its interval (95% from 6 trials; below 6, [min, max], whose coverage the table gives: 50% for 2, 75% for 3, 94% for 5); every trial stays in the JSON (1: one trial, a single sample).",
        valueName: "N"), transform: OptionValue.integer)
    var repeatCount = 1

    @Option(name: .customLong("seed"), parsing: .unconditional, help: ArgumentHelp(
        "Seed of the rounds' shuffled case order (default 1). Only with --repeat N, N of 2 or more: refused without trials, where it would do nothing.",
        valueName: "n"), transform: OptionValue.nonNegative)
    var seedOption: UInt64?

    @Option(name: .customLong("settle"), parsing: .unconditional, help: ArgumentHelp(
        "Quiet between two trials, for example 200ms (the default). Only with --repeat N, N of 2 or more: refused without trials, where it would do nothing.",
        valueName: "duration"), transform: TimeSpan.parse)
    var settleOption: TimeSpan?

    /// The seed of the rounds' shuffled case order (1 unless given).
    var seed: UInt64 { seedOption ?? 1 }
    /// The quiet between two trials (200ms unless given).
    var settle: TimeSpan { settleOption ?? TimeSpan(nanos: 200_000_000) }

    /// --seed and --settle shape the trials of --repeat (the order of each round, the quiet
    /// between two trials), and nothing else: with one trial per case they would do nothing,
    /// so a command refuses them (one line, exit 2) rather than ignore them, as `corpus`
    /// refuses --size without --generate. `trials` is how many times each case will run.
    func trialFlagsProblem(trials: Int) -> String? {
        guard trials <= 1 else { return nil }
        if seedOption != nil {
            return "--seed shuffles the case order of the rounds of --repeat: give it with --repeat N (2 or more), or leave it out"
        }
        if settleOption != nil {
            return "--settle is the quiet between the trials of --repeat: give it with --repeat N (2 or more), or leave it out"
        }
        return nil
    }

    /// The flags given that shape a run (all but --io-timeout, whose default cannot be told
    /// from a given value), for a command that may run nothing.
    var runFlagsGiven: [String] {
        var given: [String] = []
        if target != nil { given.append("--target") }
        if !cases.isEmpty { given.append("--case") }
        if duration != nil { given.append("--duration") }
        if warmup != nil { given.append("--warmup") }
        if interval != nil { given.append("--interval") }
        if messages != nil { given.append("--messages") }
        if probe { given.append("--probe") }
        if repeatCount != 1 { given.append("--repeat") }
        if seedOption != nil { given.append("--seed") }
        if settleOption != nil { given.append("--settle") }
        return given
    }

    func validate() throws {
        guard (1...1000).contains(repeatCount) else { throw ValidationError("--repeat \(repeatCount) is outside 1...1000") }
        guard settle.nanos <= 60_000_000_000 else { throw ValidationError("--settle is longer than a minute") }
        if let messages, messages <= 0 { throw ValidationError("--messages must be positive") }
        if let messages, !CaseSpec.messagesRange.contains(messages) {
            throw ValidationError("--messages \(messages) is above \(CaseSpec.messagesRange.upperBound), the most a case may send (as in a scenario file)")
        }
        if messages != nil, duration != nil {
            // As in a scenario file: a case stops after a duration or after a count, not both.
            throw ValidationError("use one of --duration and --messages, not both: a case stops after a duration or after a number of messages")
        }
        if let duration, duration.nanos > 7 * 86_400 * 1_000_000_000 { throw ValidationError("--duration is longer than a week") }
    }

    /// Loads the scenario, applies overrides and the case selection; bad input exits 2.
    func loadScenario(path: String) throws -> Scenario {
        var scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(path: path).selecting(cases)
        } catch {
            printError(error.description)
            throw ExitCode(Exit.badInput)
        }
        return try applyOverrides(to: scenario)
    }

    /// The scenario with the command line's duration, messages and warmup applied to every case.
    func applyOverrides(to scenario: Scenario) throws -> Scenario {
        var scenario = scenario
        if let duration {
            for i in scenario.cases.indices { scenario.cases[i].stop = .duration(nanos: duration.nanos) }
        }
        if let messages {
            for i in scenario.cases.indices {
                // Raised, not refused, so that one small --messages can smoke-test a whole
                // scenario; said, since the case then sends more than was asked.
                let least = scenario.cases[i].minimumMessages
                if messages < least {
                    let why = scenario.cases[i].stream?.direction == .both ? "a both-way stream on \(scenario.cases[i].connections) connection\(scenario.cases[i].connections == 1 ? "" : "s"), each needs work each way" : "\(scenario.cases[i].connections) connections, each needs work"
                    printError("vsockbench: note: --messages \(messages): case '\(Terminal.safe(scenario.cases[i].name))' is \(why): it sends \(least)")
                }
                scenario.cases[i].stop = .messages(max(messages, least))
                // A case that a duration bounded may now carry target_cost for every message.
                if let problem = scenario.cases[i].targetCostTotalProblem {
                    throw fail("--messages \(messages): case '\(scenario.cases[i].name)': \(problem)", code: Exit.badInput)
                }
            }
        }
        if let warmup {
            for i in scenario.cases.indices { scenario.cases[i].warmupNanos = warmup.nanos }
        }
        // After --duration: an open-loop case must have a request due in its interval.
        for spec in scenario.cases {
            if let problem = spec.openLoopScheduleProblem {
                // Named after the flag that made it, when one did: the file has no fault then.
                let flag = messages.map { "--messages \($0): " } ?? duration.map { _ in "--duration: " } ?? ""
                throw fail("\(flag)case '\(spec.name)': \(problem)", code: Exit.badInput)
            }
        }
        if inProcess, !scenario.cases.isEmpty {
            let reasons = scenario.cases.compactMap { spec in ScenarioRunner.inProcessSkipReason(spec).map { "'\(spec.name)': \($0)" } }
            if reasons.count == scenario.cases.count {
                // Said before anything runs: every case would be skipped, and nothing measured.
                throw fail("--target null can run none of these cases (\(reasons.joined(separator: "; "))); give a --target", code: Exit.badInput)
            }
        }
        if endpoint == nil, !inProcess, let foreign = scenario.cases.first(where: { $0.workload.isForeign }) {
            let what = foreign.kind == .replay ? "a replay case: it drives your own service" : "a raw stream: it drives a byte sink or source such as socat"
            throw fail("case '\(foreign.name)' is \(what), not vsockbench's target; give its endpoint with --target (for example --target vsock://16:5005 or unix:///run/agent.sock)", code: Exit.badInput)
        }
        if let interval {
            for i in scenario.cases.indices {
                scenario.cases[i].intervalNanos = interval.nanos
                if let problem = scenario.cases[i].limitProblems().first(where: { $0.hasPrefix("interval") }) {
                    throw fail("--interval: \(problem)", code: Exit.badInput)
                }
            }
        }
        if duration != nil, interval == nil {
            // A case's own interval must still fit the duration given here.
            for spec in scenario.cases where spec.intervalNanos != nil {
                if let problem = spec.limitProblems().first(where: { $0.hasPrefix("interval") }) {
                    throw fail("--duration: case '\(spec.name)': \(problem)", code: Exit.badInput)
                }
            }
        }
        try checkTransport(scenario)
        return scenario
    }

    /// Over a message-oriented target (seqpacket) the cases that cannot run there (a stream,
    /// a strategy that merges frames, write_chunk, split_writes, a corpus with an empty
    /// message) are refused before anything runs: one line per case, exit 2. What a case sets
    /// that seqpacket does not use (a replay's response_framing) is said once, and it runs.
    func checkTransport(_ scenario: Scenario) throws {
        guard let endpoint, endpoint.isMessageOriented else { return }
        for spec in scenario.cases {
            for note in spec.messageTransportNotes() {
                printError("vsockbench: note: case '\(Terminal.safe(spec.name))' over \(endpoint): \(note)")
            }
        }
        let refused = scenario.cases.compactMap { spec in spec.messageTransportProblems().first.map { (spec.name, $0) } }
        guard !refused.isEmpty else { return }
        for (name, problem) in refused.dropLast() {
            printError("vsockbench: error: case '\(Terminal.safe(name))' cannot run over \(endpoint): \(problem)")
        }
        let (name, problem) = refused[refused.count - 1]
        throw fail("case '\(Terminal.safe(name))' cannot run over \(endpoint): \(problem)", code: Exit.badInput)
    }

    /// `--target null`: no socket, the target's pipeline in process.
    var inProcess: Bool { target == .inProcess }

    /// The endpoint to drive; nil to start a local target (or with `--target null`).
    var endpoint: Endpoint? {
        if case let .endpoint(endpoint)? = target { return endpoint }
        return nil
    }
}
