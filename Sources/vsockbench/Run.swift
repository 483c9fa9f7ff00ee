#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchReport

extension VsockBench {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario's cases against a target and report both sides.",
            discussion: """
            Each case: warmup (not measured), then the measured interval, then the target's stats \
            over the same interval. Reported per case: Mbps each way, messages/s, latency \
            percentiles (per message, from ready-to-send, or with a rate from the intended send \
            time, to verified response), our own read and \
            write syscalls per message on both sides, CPU time of both processes, and the target's \
            processing versus I/O-wait split.

            Every rr response is verified; a lost, reordered or corrupted message fails the case \
            and the run exits 1, as does a target nothing listens at (each case says it could \
            not connect). Bad input (a scenario file, a malformed endpoint) exits 2. \
            Interrupted (Ctrl-C, SIGTERM, SIGHUP), it stops the current case, still reports what was measured and exits 128 + the signal (130, 143, 129); a second one, half a second or more later, quits at once, without a report. A case sets its own duration and warmup; where it sets none they are 5s and 1s.

            Your own service, not vsockbench's target: a case with `workload: replay, \
            framing: u32be, corpus: FILE` sends the corpus's messages (build one with \
            `vsockbench corpus`) to any request/response service in its own framing, with no \
            hello, and checks each response's framing (and with `expect: echo` its bytes); a \
            case with `workload: stream, raw: true` streams unframed bytes to or from any \
            sink or source (socat, your agent). Such a service reports nothing back, so the \
            target side's columns are empty (null in the JSON) and the table says so.

            Examples:
              vsockbench run scenarios/cliff.yaml
              vsockbench run scenarios/cliff.yaml --target vsock://16:5005 --json \\
                  results.json --html report.html
              vsockbench run scenarios/chatty-8k.yaml --duration 2s --warmup 200ms
            """)

        @OptionGroup var scenarioOptions: ScenarioOptions

        @Option(name: .long, help: JSONOutput.help("the results (schema vsockbench/1)"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report (charts, no network) to this file.", valueName: "file"))
        var html: String?

        func run() throws {
            let output = JSONOutput(path: json)
            try checkWritable(("--json", output.file), ("--html", html), inputs: [("the scenario", scenarioOptions.scenario)])
            let scenario = try scenarioOptions.loadScenario()
            try checkWritable(("--json", output.file), ("--html", html), inputs: scenario.corpusInputs)
            let session = try DriverSession(options: scenarioOptions, cases: scenario.cases)
            defer { session.close() }
            let document = session.run(scenario, plan: DriverSession.plan(scenarioOptions.driver))
            output.say(RunTable.render(document), terminator: "")
            try output.write(document.encoded())
            if let html { try writeFile(html, Array(HTMLReport.render(document).utf8)) }
            try session.finish(document)
        }
    }
}
