import ArgumentParser
import VsockBenchReport

extension VsockBench {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario's cases and put them side by side against the first one.",
            discussion: """
            One table: case, workload, strategy, Mbps, messages/s, p50 and p99 latency, writes and \
            reads per message on each side (with --probe: exits and vsock packets per message), \
            and the ratio against the first case, the baseline. Latency is per message from \
            ready-to-send to verified response, so what batching costs in latency is next to what \
            it gains in Mbps.

            Examples:
              vsockbench compare scenarios/batching.yaml
              vsockbench compare scenarios/batching.yaml --target vsock://16:5005 --probe --markdown batching.md
              vsockbench compare scenarios/batching.yaml --target null      (the processing ceiling)
            """)

        @OptionGroup var scenarioOptions: ScenarioOptions

        @Option(name: .long, help: ArgumentHelp("Write the run document with a `comparison` section as JSON.", valueName: "file"))
        var json: String?

        @Option(name: .long, help: ArgumentHelp("Write the comparison table as GitHub-flavoured markdown.", valueName: "file"))
        var markdown: String?

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML report.", valueName: "file"))
        var html: String?

        func run() throws {
            try checkWritable(json, markdown, html)
            let scenario = try scenarioOptions.loadScenario()
            let session = try DriverSession(options: scenarioOptions)
            defer { session.close() }
            let document = session.run(scenario, plan: DriverSession.plan(scenarioOptions.driver))
            let comparison = Comparison(document)
            print("compare \(document.scenario) against \(document.target) (baseline: \(comparison.baseline))\n")
            print(comparison.text())
            for c in document.cases where !c.errors.isEmpty {
                print("\(c.name): FAILED\n" + c.errors.map { "  - \($0)" }.joined(separator: "\n"))
            }
            for c in document.cases {
                if let reason = c.skipped { print("\(c.name): skipped: \(reason)") }
            }
            if let json { try writeFile(json, CompareDocument(run: document).encoded()) }
            if let markdown { try writeFile(markdown, Array(comparison.markdown(title: "vsockbench compare: \(document.scenario)").utf8)) }
            if let html { try writeFile(html, Array(HTMLReport.render(document, title: "vsockbench compare: \(document.scenario)").utf8)) }
            try session.finish(document)
        }
    }
}
