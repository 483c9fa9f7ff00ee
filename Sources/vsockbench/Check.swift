import ArgumentParser
import VsockBenchReport

extension VsockBench {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gate a run against a baseline: exit 1 when a figure regressed beyond the tolerance.",
            discussion: """
            Compares each case (matched by name) on Mbps (mbps_total), messages/s, p99 latency and, \
            where both runs had the probe, exits per message. Lower Mbps or messages/s, or higher \
            p99 or exits, by more than the tolerance is a regression. A case that is not verified \
            in the results fails the check whatever its figures. Any `vsockbench run --json` \
            output is a valid baseline.

            Exit status: 0 every figure holds; 1 a regression or an unverified case (each named); \
            2 unusable input (unreadable file, another schema, cases missing on either side).

            Examples:
              vsockbench check results.json --baseline baseline.json
              vsockbench check results.json --baseline baseline.json --tolerance 5% --tolerance p99=25%
              vsockbench check results.json --baseline baseline.json --junit check.xml --markdown summary.md
            """)

        @Argument(help: ArgumentHelp("Results to check (written by run --json).", valueName: "results.json"))
        var results: String

        @Option(name: .long, help: ArgumentHelp("The reference run (written by run --json).", valueName: "baseline.json"))
        var baseline: String

        @Option(name: .customLong("tolerance"), help: ArgumentHelp(
            "Allowed change the wrong way: 10% for every metric (the default), or METRIC=PCT for one of mbps, msgs_per_s, p99, exits (repeatable).",
            valueName: "pct"))
        var tolerances: [String] = []

        @Option(name: .long, help: ArgumentHelp("Also write JUnit XML (one testcase per case and metric) to this file.", valueName: "file"))
        var junit: String?

        @Option(name: .long, help: ArgumentHelp("Also write a GitHub-flavoured markdown summary to this file.", valueName: "file"))
        var markdown: String?

        func run() throws {
            let report: CheckReport
            do {
                let tolerances = try CheckTolerances.parse(self.tolerances)
                let resultsDocument = try RunDocumentFile.load(path: results)
                let baselineDocument = try RunDocumentFile.load(path: baseline)
                report = try RegressionCheck.compare(
                    results: resultsDocument, baseline: baselineDocument, tolerances: tolerances,
                    resultsPath: results, baselinePath: baseline)
            } catch {
                throw fail(error.description, code: Exit.badInput)
            }
            print(report.renderText(), terminator: "")
            if let junit { try writeFile(junit, Array(JUnitReport.render(report).utf8)) }
            if let markdown { try writeFile(markdown, Array(CheckMarkdown.render(report).utf8)) }
            if !report.passed { throw ExitCode(Exit.failure) }
        }
    }
}
