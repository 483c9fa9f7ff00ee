#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchHistory
import VsockBenchReport
import VsockBenchSupport

extension VsockBench {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gate results against a baseline: exit 1 when a figure regressed beyond the noise.",
            discussion: """
            Each side may be several files (run, compare or diagnose --json; with --repeat, every \
            trial counts): the trials of a case are pooled per side. Cases are matched by name.

            Timings: msgs/s and p99 latency for request/response cases (their Mbps moves with \
            msgs/s: one slowdown is not two regressions); for a stream, its Mbps (application \
            payload per direction) in the direction it moves: mbps_tx for tx, mbps_rx for rx, and \
            each of the two for both, with a verdict each (two flows: one can slow while the other \
            holds; their sum is not gated). A timing regresses only \
            when it moved the wrong way by more than --tolerance (5%), beyond the spread the \
            baseline's own runs show (measured from its worst run: drift between runs on a shared \
            machine is larger than the noise inside one), AND a two-sided Mann-Whitney U test on \
            the trials finds the difference significant at --alpha. With too few trials for any \
            result to be significant (1 against 1, 3 against 3), the tolerance decides alone and \
            the verdict says "unconfirmed".

            Counts per message are deterministic where the code alone decides them, and gated \
            tightly (--count-tolerance 2%: 2% of the baseline or 0.02 per message, whichever is \
            larger): writes per message of a strategy that writes each frame at once, bytes on \
            the wire per message, and in stop-and-wait the reads, syscalls, vsock packets, credit \
            updates and exits per message. Their median is gated, and where the baseline's \
            trials (2 or more) agree within the bound, every trial of the results is: a count \
            that moved in one trial is a code path that changed, not noise. A value exactly on \
            the bound holds. Counts that depend on arrival timing (reads with \
            several messages in flight or in a stream, writes of a batching strategy, or any \
            count the baseline's trials show varying) are gated as timings, with four times the \
            timing tolerance (20%; --tolerance reads_per_msg=PCT sets one), and the report says \
            so. Such a count worse while the case's throughput improved beyond the tolerance is \
            "explained by throughput", not a regression: messages came sooner, so fewer share a \
            read or a batched write.

            --reference CASE takes every timing as a ratio to that case's, measured in the same \
            round of the same run (trial k of every case ran in round k), so the machine's state \
            at that moment cancels out, as the peer scripts compare against iperf3.

            A timing that failed where the machine was busy beside more of the results' trials \
            than the baseline's (other programs taking half a CPU or more, or 10% or more of the \
            CPU time stolen by the hypervisor: cpu.other_user_cpus, cpu.machine_steal_share) gets \
            a warning saying so. The verdict stands: the gate cannot tell a busy machine from a \
            regression.

            A case measured as another workload on each side, or whose baseline has no trial \
            measured and verified, cannot be compared: exit 2, naming it. One run given twice \
            (the same file, or a copy: scenario, start time, host and pid) counts once, and a \
            note says so. A run of the results given as a baseline too is left out of the \
            baseline (said in a note); a baseline of nothing else is exit 2: a run measured \
            against itself passes every figure.

            A case not verified in the results fails the check whatever its figures (with \
            --cases-in-common too, gated or not), and so does a case the results' run was \
            interrupted before (not_run in its JSON). A case skipped on either side (its zero figures \
            were never measured) is not compared, and a note says so. Every knob of a case that \
            differs from the baseline's is a note.

            --history DB --window N takes the baseline from a results history (vsockbench history \
            add) instead of files: the last N runs (10) of the results' scenario with the same case \
            names that started before the checked run (later runs are left out, said in a note; a \
            started_at not in the UTC form vsockbench writes is refused), each as the results file it was added from, so their trials are pooled and \
            their per-run medians give the spread exactly as N --baseline files would. Runs with a \
            case that was not verified are left out, and so is the run being checked when it was \
            added first; --history-label KEY=VALUE keeps only runs with that label (the same \
            instance type, say). With fewer runs there than --history-min-runs (1), nothing is \
            gated: exit 2, saying how many there are.

            Exit status: 0 nothing regressed; 1 a regression, an unverified case, a case not \
            run (interrupted before it), or a case whose \
            baseline has the probe's counts and the results none (each named); \
            2 unusable input (unreadable file, another schema, the results' own run as the \
            baseline, cases missing on either side, a case run in process (--target null) on \
            one side only, a case \
            measured as another workload, a baseline case with no usable trial, a bad tolerance).

            Examples:
              vsockbench check results.json --baseline baseline.json
              vsockbench check r1.json r2.json --baseline b1.json b2.json b3.json
              vsockbench check results.json --baseline baseline.json --tolerance 10% \\
                  --tolerance p99=25%
              vsockbench check results.json --baseline baseline.json --junit check.xml \\
                  --markdown summary.md
              vsockbench check results.json --history history.sqlite --window 10 \\
                  --history-label instance_type=m6i.xlarge
            """)

        @Argument(help: ArgumentHelp("Results to check (run, compare or diagnose --json; several are pooled).", valueName: "results.json"))
        var results: [String]

        @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
            "The reference runs (one or more files, pooled): --baseline a.json b.json.", valueName: "baseline.json"))
        var baseline: [String] = []

        @Option(name: .long, help: ArgumentHelp(
            "Take the baseline from this results history (vsockbench history add): the last --window runs of the same scenario and cases.",
            valueName: "db"))
        var history: String?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("With --history: how many of the most recent runs make the baseline (10).", valueName: "n"), transform: OptionValue.integer)
        var window: Int?

        @Option(name: .customLong("history-min-runs"), parsing: .unconditional, help: ArgumentHelp(
            "With --history: exit 2 (not gated) when fewer earlier runs are there (1).", valueName: "n"), transform: OptionValue.integer)
        var historyMinimumRuns: Int?

        @Option(name: .customLong("history-label"), help: ArgumentHelp(
            "With --history: only runs with this label (KEY=VALUE, repeatable).", valueName: "key=value"))
        var historyLabels: [String] = []

        @Option(name: .customLong("tolerance"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
            "Minimum effect for a timing to regress: 5% for every timing (the default), or FIGURE=PCT for one of msgs_per_s, mbps (a stream's mbps_tx and mbps_rx both; mbps_total, its old name, is taken as mbps), p99 (repeatable). Write the % sign.",
            valueName: "pct"), transform: OptionValue.text)
        var tolerances: [String] = []

        @Option(name: .customLong("count-tolerance"), parsing: .unconditional, help: ArgumentHelp(
            "Bound of the deterministic counts per message: 2% (of the baseline, or 0.02 per message, whichever is larger); --tolerance writes_per_msg=10% sets one count's.", valueName: "pct"), transform: OptionValue.text)
        var countTolerance: String?

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Significance level of the Mann-Whitney U test (default \(Format.fixed(CheckTolerances.standard.alpha, 2))).", valueName: "alpha"), transform: OptionValue.number)
        var alpha: Double?

        @Flag(name: .customLong("cases-in-common"), help: "Compare only the cases both sides have (otherwise a case missing on one side is an error).")
        var casesInCommon = false

        @Option(name: .long, help: ArgumentHelp("Take timings as ratios to this case's, measured in the same rounds.", valueName: "case"))
        var reference: String?

        @Option(name: .long, help: ArgumentHelp("Also write JUnit XML (one testcase per case and figure) to this file.", valueName: "file"))
        var junit: String?

        @Option(name: .long, help: ArgumentHelp("Also write a GitHub-flavoured markdown summary to this file.", valueName: "file"))
        var markdown: String?

        func validate() throws {
            if history == nil {
                if baseline.isEmpty { throw ValidationError("give the baseline: --baseline FILE... or --history DB --window N") }
                if window != nil || !historyLabels.isEmpty || historyMinimumRuns != nil {
                    throw ValidationError("--window, --history-label and --history-min-runs go with --history DB")
                }
            } else {
                if !baseline.isEmpty { throw ValidationError("--baseline and --history: choose one baseline") }
                if let window, window < 1 { throw ValidationError("--window \(window): give the number of runs to gate against, 1 or more") }
            }
        }

        func run() throws {
            try checkWritable(("--junit", junit), ("--markdown", markdown),
                              inputs: results.map { ("a results file", $0) } + baseline.map { ("a --baseline", $0) } + (history.map { [("the --history database", $0)] } ?? []))
            let tolerances: CheckTolerances
            let resultsDocuments: [RunDocument]
            var baselineDocuments: [RunDocument] = []
            do {
                tolerances = try CheckTolerances.parse(self.tolerances, count: countTolerance, alpha: alpha)
                resultsDocuments = try results.map { path throws(CheckInputError) in try load(path) }
                baselineDocuments = try baseline.map { path throws(CheckInputError) in try load(path) }
            } catch {
                throw fail(error.description, code: Exit.badInput)
            }
            var baselinePaths = baseline
            var windowNotes: [String] = []
            if let history {
                let selected = try historyCall(databaseFlag: "--history") { () throws(HistoryError) in
                    let db = try HistoryDatabase.open(path: history, creating: false)
                    return try HistoryWindow.select(
                        in: db, like: resultsDocuments, size: window ?? 10, labels: try HistoryLabel.parseAll(historyLabels, flag: "--history-label"),
                        casesInCommon: casesInCommon, minimumRuns: historyMinimumRuns ?? 1)
                }
                baselineDocuments = selected.documents
                baselinePaths = [selected.description]
                windowNotes = selected.notes
            }
            var report: CheckReport
            do {
                report = try RegressionCheck.compare(
                    results: resultsDocuments, baseline: baselineDocuments,
                    options: .init(tolerances: tolerances, casesInCommon: casesInCommon, reference: reference, baselineFromHistory: history != nil),
                    resultsPaths: results, baselinePaths: baselinePaths)
            } catch {
                throw fail(error.description, code: Exit.badInput)
            }
            report.warnings += windowNotes
            print(report.renderText(), terminator: "")
            if let junit { try writeFile(junit, Array(JUnitReport.render(report).utf8)) }
            if let markdown { try writeFile(markdown, Array(CheckMarkdown.render(report).utf8)) }
            if !report.passed { throw ExitCode(Exit.failure) }
        }

        /// Reads one results file; without a terminal, says so on one line (a CI log shows
        /// what was compared).
        private func load(_ path: String) throws(CheckInputError) -> RunDocument {
            let document = try RunDocumentFile.load(path: path)
            if isatty(STDERR_FILENO) == 0 {
                printError("vsockbench: check: read \(path): \(TrialCounts(document).casesText(cases: document.cases.count))")
            }
            return document
        }
    }
}
