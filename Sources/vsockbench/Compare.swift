import ArgumentParser
import VsockBenchReport
import VsockBenchSupport

extension VsockBench {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario's cases and put them side by side against the first one that measured and passed.",
            discussion: """
            The first case that measured and passed is the baseline (a skipped case \
            measured nothing, a failed one's figures are cut short): every ratio, noise verdict and knob \
            list is against it, and the table and the JSON's baseline name it. With --repeat N every case runs N times, interleaved, and its \
            figures are the medians (± reaching the farther end of the median's interval: 95% from \
            6 trials, [min, max] below, whose coverage the table gives); with one trial each \
            figure is a single sample.

            The table:
              case, workload
              front           * on its workload's Pareto front: no other verified case
                              of the same kind has at least its throughput and at
                              most its p99, and is better on one
              Mbps (payload)  application payload per second per direction
                              (each way, tx, rx)
              Mbps x          Mbps over the baseline's, per direction
                              (A/Bx = tx/rx when they differ)
              msgs/s          exchanges per second (a stream: writes of write_size)
              p50 x, p99 x    latency percentiles over the baseline's (lower is better)
              cpu x           driver CPU per message over the baseline's
              tgt cpu x       the target's CPU per message over the baseline's
              noise           the throughput against the baseline's:
                                better/worse (CI)  95% intervals apart (6+ trials each)
                                better/worse (U)   two-sided Mann-Whitney U on the
                                                   trials, p <= 0.05
                                within (U)         the test finds no difference
                                too few trials     the test cannot reach 0.05 (3
                                                   against 3: at best p = 0.1; use
                                                   --repeat 4 or more)
                                single sample      one trial: cannot tell from noise

            Like with like: msgs/s, p50, p99 and cpu x exist only between like \
            workloads (exchange with exchange, stream with stream; - otherwise): a \
            stream's message is one write, not an exchange. Mbps compares per direction.

            The front: one per workload kind (rr, masked, stream), on the medians. \
            Throughput is msgs/s for rr and masked, Mbps in the busier direction for a \
            stream; a stream has no p99, so the fastest stream is its front. A case is \
            beaten when another of its kind is at least as good on both and better on \
            one: equal cases all stay. Failed and skipped cases stand on no front.

            Below the table: the absolute figures per message (p50, p99, CPU of each \
            process, our own writes and reads; with --probe exits and vsock packets), \
            each case's noise verdicts for throughput and p99 with the rule that decided, \
            and the knobs (every key of the case's config) in which it differs from the \
            baseline, as `inflight 1 -> 8, strategy none -> {window: 8}`.

            --p99-budget D names, per exchange workload, the case with the most msgs/s \
            whose p99 stays under D: with trials the p99 checked is the upper end of its \
            interval, with one trial the single sample (said so). When none fits it says \
            so and names the closest.

            Exit status: 0 when every case passed; 1 when a case failed (a lost, reordered or \
            corrupted message, a target nothing listens at); 2 for bad input, or when every \
            case was skipped. Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops the current case, still reports what was measured and exits 128 + the signal (130, 143, 129); a second one, half a second or more later, quits at once, without a report.

            Examples:
              vsockbench compare scenarios/batching.yaml --repeat 5 --p99-budget 2ms
              vsockbench compare scenarios/batching.yaml --target vsock://16:5005 --probe \\
                  --markdown batching.md
              vsockbench compare scenarios/batching.yaml --target null
                  (--target null: the processing ceiling, no channel)
            """)

        @OptionGroup var scenarioOptions: ScenarioOptions

        @Option(name: .customLong("p99-budget"), parsing: .unconditional, help: ArgumentHelp(
            "Name the case with the most msgs/s whose p99 stays under this (for example 500us or 2ms).", valueName: "duration"),
                transform: TimeSpan.parsePositive)
        var p99Budget: TimeSpan?

        @Option(name: .long, help: JSONOutput.help("the run document with a `comparison` section"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write the comparison as GitHub-flavoured markdown.", valueName: "file"))
        var markdown: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report.", valueName: "file"))
        var html: String?

        func run() throws {
            let output = JSONOutput(path: json)
            try checkWritable(("--json", output.file), ("--markdown", markdown), ("--html", html), inputs: [("the scenario", scenarioOptions.scenario)])
            let scenario = try scenarioOptions.loadScenario()
            try checkWritable(("--json", output.file), ("--markdown", markdown), ("--html", html), inputs: scenario.corpusInputs)
            let session = try DriverSession(options: scenarioOptions, cases: scenario.cases)
            defer { session.close() }
            let document = session.run(scenario, plan: DriverSession.plan(scenarioOptions.driver))
            let comparison = Comparison(document, p99BudgetNanos: p99Budget?.nanos)
            output.say("compare \(Terminal.safe(document.scenario)) against \(document.target) (baseline: \(Terminal.safe(comparison.baseline)))\n")
            if let line = RunTable.buildLine(document) { output.say(line, terminator: "") }
            output.say(comparison.text())
            for c in document.cases where !c.errors.isEmpty {
                output.say("\(Terminal.safe(c.name)): \(c.errorsHeading)\n" + c.errors.map { "  - \(Terminal.safe($0))" }.joined(separator: "\n"))
            }
            for c in document.cases {
                if let reason = c.skipped { output.say("\(Terminal.safe(c.name)): skipped: \(reason)") }
            }
            try output.write(CompareDocument(run: document, comparison: comparison).encoded())
            if let markdown { try writeFile(markdown, Array(comparison.markdown(title: "vsockbench compare: \(document.scenario)").utf8)) }
            if let html { try writeFile(html, Array(HTMLReport.render(document, comparison: comparison, title: "vsockbench compare: \(document.scenario)").utf8)) }
            try session.finish(document)
        }
    }
}
