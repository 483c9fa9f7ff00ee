import ArgumentParser
import FoundationEssentials
import VsockBenchHistory
import VsockBenchReport
import VsockBenchSupport

extension VsockBench {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep results over time: add runs to a SQLite history, list them, show trends and where a figure changed.",
            discussion: """
            The history is one SQLite file: --db FILE, else $VSOCKBENCH_HISTORY, else \
            $XDG_DATA_HOME/vsockbench/history.sqlite, else ~/.local/share/vsockbench/history.sqlite. \
            Each run keeps its results file, host facts, the git commit of the current directory \
            when it was added, labels, and the figures of every case and trial that check compares \
            (msgs/s, Mbps, latency p50 and p99, CPU and counts per message: the keys trend \
            --metric takes; other percentiles stay in the results file, history show \
            --document). Adds are atomic \
            and safe from two processes at once (a 30 s busy timeout); the commands that only read \
            open it read-only and leave no file beside it; a history written by a \
            newer vsockbench is refused untouched (exit 2). `check --history DB --window N` gates a \
            new run against the last N runs.

            Examples:
              vsockbench history add results.json --label instance_type=m6i.xlarge \\
                  --label branch=main
              vsockbench history list cliff
              vsockbench history show latest
              vsockbench history trend cliff --case chatty-8k --html trend.html
              vsockbench history changes
              vsockbench check results.json --history \\
                  ~/.local/share/vsockbench/history.sqlite --window 10
            """,
            subcommands: [Add.self, List.self, Show.self, Trend.self, Changes.self])
    }
}

extension VsockBench.History {
    /// The database option every history command takes.
    struct DatabaseOption: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp(
            "The history file (default $VSOCKBENCH_HISTORY, else $XDG_DATA_HOME/vsockbench/history.sqlite, else ~/.local/share/vsockbench/history.sqlite).", valueName: "file"))
        var db: String?

        func open(creating: Bool) throws -> HistoryDatabase {
            try historyCall { () throws(HistoryError) in
                let environment = ProcessInfo.processInfo.environment
                let path = try HistoryLocation.resolve(option: db, environment: environment)
                return try HistoryDatabase.open(path: path, creating: creating,
                                                makingDirectory: creating && HistoryLocation.isDefault(option: db, environment: environment))
            }
        }
    }

    /// Which runs `list` shows: its --last counts runs of any scenario, oldest first.
    struct SelectionOptions: ParsableArguments {
        @Option(name: .customLong("label"), help: ArgumentHelp("Only runs with this label (KEY=VALUE, repeatable).", valueName: "key=value"))
        var labels: [String] = []

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Only the N runs that started last (by their results' started_at).", valueName: "n"), transform: OptionValue.integer)
        var last: Int?

        func filter(scenario: String?) throws -> RunFilter {
            try Self.filter(scenario: scenario, labels: labels, last: last)
        }

        static func filter(scenario: String?, labels: [String], last: Int?) throws -> RunFilter {
            if let last, last < 1 { throw ValidationError("--last \(last): give the number of most recent runs, 1 or more") }
            return RunFilter(scenario: scenario, labels: try historyCall { () throws(HistoryError) in try HistoryLabel.parseAll(labels) }, last: last)
        }
    }

    /// Which runs trend and changes follow. Their --last is per scenario: without SCENARIO each
    /// scenario's series takes its own last N runs, so every scenario is drawn over as many
    /// runs (the last N of all, as `list` takes them, would leave the scenarios run less
    /// often out, or with a point or two). It read as `list`'s, "Only the N runs that started
    /// last", which it is only with SCENARIO (review): the help says what it does.
    struct ScenarioSelectionOptions: ParsableArguments {
        @Option(name: .customLong("label"), help: ArgumentHelp("Only runs with this label (KEY=VALUE, repeatable).", valueName: "key=value"))
        var labels: [String] = []

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
            "Only the last N runs of each scenario (the N that started last, by their results' started_at); without SCENARIO, N per scenario, not N in all as history list --last takes them.",
            valueName: "n"), transform: OptionValue.integer)
        var last: Int?

        func filter(scenario: String?) throws -> RunFilter {
            try SelectionOptions.filter(scenario: scenario, labels: labels, last: last)
        }
    }

    struct ChangeFlags: ParsableArguments {
        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Keep a change when the permutation test gives p at most this (0.05).", valueName: "p"),
                transform: OptionValue.number)
        var significance: Double = ChangeOptions.standard.significance

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Shuffles per permutation test, 1 to 9999 (199).", valueName: "n"),
                transform: OptionValue.integer)
        var permutations: Int = ChangeOptions.standard.permutations

        @Option(name: .customLong("min-runs"), parsing: .unconditional, help: ArgumentHelp("The fewest runs at one level, 2 or more (3).", valueName: "n"),
                transform: OptionValue.integer)
        var minimumSegment: Int = ChangeOptions.standard.minimumSegment

        @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The shuffles' seed: the same history gives the same answer (1).", valueName: "n"),
                transform: OptionValue.nonNegative)
        var seed: UInt64 = ChangeOptions.standard.seed

        @Option(name: .customLong("min-change"), parsing: .unconditional, help: ArgumentHelp(
            "The smallest move named, of the level before it (5%; counts per message at most 2%). Write the % sign.", valueName: "pct"))
        var minimumChange = "5%"

        func validate() throws {
            // Checked here, before any history is opened: a bad value is named as such.
            guard significance > 0, significance < 1 else {
                let shown = abs(significance) < 1e15 && significance == significance.rounded() ? String(Int(significance)) : "\(significance)"
                throw ValidationError("--significance \(shown): give a p-value between 0 and 1 (exclusive), such as 0.05")
            }
            guard (1...9999).contains(permutations) else {
                throw ValidationError("--permutations \(permutations): give 1 to 9999 shuffles per test")
            }
            guard minimumSegment >= 2 else {
                throw ValidationError("--min-runs \(minimumSegment): a level needs 2 or more runs")
            }
            let number = minimumChange.hasSuffix("%") ? String(minimumChange.dropLast()) : minimumChange
            if let value = Double(number), value < 0 {
                throw ValidationError("--min-change \(minimumChange): it is negative; give a percentage of 0% or more, such as 5%")
            }
            guard minimumChange.hasSuffix("%"), let value = Double(minimumChange.dropLast()), value >= 0, value.isFinite else {
                throw ValidationError("--min-change \(minimumChange): give a percentage with its % sign, such as 5%")
            }
        }

        var options: ChangeOptions {
            ChangeOptions(significance: significance, permutations: permutations, minimumSegment: minimumSegment, seed: seed,
                          minimumChange: (Double(minimumChange.dropLast()) ?? 5) / 100)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add results files (run, compare or diagnose --json) to the history, all in one transaction.",
            discussion: """
            Stores each run with its results file, host facts, labels, the git commit of the \
            current directory (`git rev-parse HEAD`, when git is there and this is a repository; \
            --commit to say it), and the figures of every case and trial that check compares \
            (latency p50 and p99 of the percentiles; the whole file is kept). All the files land or \
            none does. A run already in the history (same scenario, start time, driver host and \
            pid) is skipped and said so, and keeps its own commit and labels (the last line says which \
            runs --label and the commit went on): re-adding a file is harmless. A missing file is \
            created; so is the default location's directory, but not that of a --db or \
            $VSOCKBENCH_HISTORY that does not exist (exit 2: a typo would start a new history).

            Examples:
              vsockbench history add cliff.json
              vsockbench history add r1.json r2.json --db bench.sqlite --label \\
                  instance_type=c6i.2xlarge --label branch=main
              VSOCKBENCH_HISTORY=ci.sqlite vsockbench history add \\
                  results/nitro/cliff.json --commit "$GITHUB_SHA"
            """)

        @Argument(help: ArgumentHelp("Results files (run, compare or diagnose --json).", valueName: "results.json"))
        var results: [String]

        @OptionGroup var database: DatabaseOption

        @Option(name: .customLong("label"), help: ArgumentHelp(
            "A label for these runs, KEY=VALUE (repeatable): instance_type=m6i.xlarge, kernel=6.1, branch=main.", valueName: "key=value"))
        var labels: [String] = []

        @Option(name: .long, help: ArgumentHelp("The git commit measured (default: git rev-parse HEAD here, when there is one).", valueName: "sha"))
        var commit: String?

        /// Failed, interrupted or unverified trials are stored as they are (the file is kept
        /// whole), but whoever adds them should know: such a file went in without a word. A
        /// skipped case (a stream against `--target null`) was not run by design: its trial
        /// is neither failed nor unverified, and the run is no `!` in `list` (its trial was
        /// counted here as failed, with a `!` promised that list does not show: review).
        static func warnAboutUncountedTrials(_ file: ResultsFile?) {
            guard let file else { return }
            if let notRun = file.document.notRun, !notRun.isEmpty {
                printError("warning: \(Terminal.safe(file.path)): the run was interrupted before \(notRun.count == 1 ? "case" : "cases") \(notRun.map(Terminal.safe).joined(separator: ", ")): stored with the cases it reached (check --history takes it only with --cases-in-common)")
            }
            let ran = file.document.cases.filter { $0.skipped == nil }
            let trials = ran.flatMap(\.trials)
            let bad = trials.filter { !$0.counts }.count
            guard bad > 0 else { return }
            let cases = ran.filter { $0.trials.contains { !$0.counts } }.map { Terminal.safe($0.name) }
            printError("warning: \(Terminal.safe(file.path)): \(bad) of \(trials.count) trial\(trials.count == 1 ? "" : "s") failed, were interrupted or were not verified (\(cases.joined(separator: ", "))): stored as they are; check leaves them out and history list marks the run with ! (~ where an interrupt alone cut it short)")
        }

        func validate() throws {
            if results.isEmpty { throw ValidationError("give at least one results file (vsockbench run --json FILE writes one)") }
            if let commit, !GitCommit.isCommitID(commit) { throw ValidationError("--commit \(commit): give a full commit id (40 or 64 lowercase hex digits)") }
        }

        func run() throws {
            let (labels, files) = try historyCall { () throws(HistoryError) in
                (try HistoryLabel.parseAll(self.labels, adding: true), try results.map { path throws(HistoryError) in try ResultsFile.read(path: path) })
            }
            let db = try database.open(creating: true)
            let commit = self.commit ?? GitCommit.current()
            let added = try historyCall { () throws(HistoryError) in try db.add(files, labels: labels, commit: commit) }
            for run in added {
                let what = run.text
                if run.alreadyThere {
                    print("\(Terminal.safe(run.path)): already in the history as run \(run.run) (\(what)); skipped")
                } else {
                    print("\(Terminal.safe(run.path)): added as run \(run.run): \(what)")
                    Self.warnAboutUncountedTrials(files.first { $0.path == run.path })
                }
            }
            print(Self.summary(database: db.path, commit: commit, labels: labels, added: added.filter { !$0.alreadyThere }.count, skipped: added.filter(\.alreadyThere).count))
        }

        /// The last line: the commit and labels, and which runs they went on. A run already in
        /// the history keeps its own (it read "skipped", then "branch=other" as if applied: review).
        static func summary(database: String, commit: String?, labels: [HistoryLabel], added: Int, skipped: Int) -> String {
            let extra = (commit.map { "commit \($0.prefix(12))" } ?? "no git commit") + (labels.isEmpty ? "" : ", " + labels.map(\.text).joined(separator: " "))
            let head = "history \(Terminal.safe(database)): "
            if added == 0 {
                return head + "nothing added; \(Terminal.safe(extra)) went on no run (a run already there keeps its own commit and labels)"
            }
            if skipped > 0 {
                return head + "\(Terminal.safe(extra)) on the \(added) run\(added == 1 ? "" : "s") added, not on the \(skipped) already there"
            }
            return head + Terminal.safe(extra)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the runs in the history, oldest first (by start time, not by when they were added).",
            discussion: """
            A SCENARIO or --label that no run has is an error, as any bad input (exit 2): \
            `no runs of scenario nope ...; scenarios there: ...`, `no runs with label x=y ...; \
            labels there: ...`. A history with no runs at all lists none (exit 0).

            Examples:
              vsockbench history list
              vsockbench history list cliff --label branch=main --last 20
              vsockbench history list --json
            """)

        @Argument(help: ArgumentHelp("Only runs of this scenario (its `name`).", valueName: "scenario"))
        var scenario: String?

        @OptionGroup var database: DatabaseOption
        @OptionGroup var selection: SelectionOptions

        @Flag(name: .long, help: "Print JSON (schema vsockbench-history/1) instead of the table.")
        var json = false

        func run() throws {
            let filter = try selection.filter(scenario: scenario)
            let db = try database.open(creating: false)
            let runs = try historyCall { () throws(HistoryError) in try db.listedRuns(filter) }
            print(json ? HistoryJSON.encode(HistoryJSON.RunList(database: db.path, runs: runs)) : RunText.list(runs, database: db.path), terminator: "")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one run: its facts, labels, and each case's figures with their intervals.",
            discussion: """
            RUN is a run's number (history list shows them) or `latest`: the run that started \
            last (its results' started_at), the last one history list shows, whatever order the \
            files were added in. --document prints the results file as it was added (to use as a \
            --baseline, say); a stored file that no longer reads as one is said to be damaged \
            (exit 2), not printed.

            Examples:
              vsockbench history show 12
              vsockbench history show latest --json
              vsockbench history show 12 --document > baseline.json
            """)

        @Argument(help: ArgumentHelp("The run's number, or latest (the run that started last).", valueName: "run"))
        var reference: String

        @OptionGroup var database: DatabaseOption

        @Flag(name: .long, help: "Print JSON (schema vsockbench-history/1): the run, every stored figure, interval and trial.")
        var json = false

        @Flag(name: .long, help: "Print the results file as it was added.")
        var document = false

        func validate() throws {
            if json && document { throw ValidationError("--json and --document: choose one") }
        }

        func run() throws {
            let db = try database.open(creating: false)
            let stored = try historyCall { () throws(HistoryError) in try db.run(reference) }
            if document {
                let text = try historyCall { () throws(HistoryError) in try db.readableDocument(ofRun: stored.id) }
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
                return
            }
            let cases = try historyCall { () throws(HistoryError) in try db.cases(ofRun: stored.id) }
            print(json ? HistoryJSON.encode(HistoryJSON.RunDetail(database: db.path, run: stored, cases: cases)) : RunText.show(stored, cases: cases), terminator: "")
        }
    }

    struct Trend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A figure of a scenario's cases over the runs, with each run's interval and the runs where it changed.",
            discussion: """
            Each value is a run's median over its trials, with the interval the run gave it and \
            its coverage (order statistics: 95% from 6 trials, [min, max] below, 75% for 3; none \
            for a single trial). The metric is a figure's JSON key (msgs_per_s, mbps_tx, \
            mbps_rx, latency_us.p99, writes_per_msg, ...), a short name (mbps, msgs, p50, p99, \
            writes, reads, exits), `throughput` (the default: msgs/s for request/response, Mbps \
            for a stream), `timings` (throughput and p99) or `all`. Mbps is application payload \
            per direction: the direction the case moves, `each way` when it moves both alike, \
            its busier direction (named) when it moves both unequally; `all` follows every \
            figure with Mbps as `history show` prints it: one series in the direction the case \
            moves (`each way` when alike), both named for a case that moves both unequally, none \
            for a direction it does not move; mbps_total, both directions summed, only when \
            asked for by that key. Changes are found as by \
            `history changes`. Without SCENARIO, every scenario in the history (--json then gives \
            {schema, database, scenarios: [...]}, with SCENARIO the one trend). --html writes a \
            self-contained page with a chart per case (SVG, no script, no network); --markdown a \
            summary for a CI job (a sparkline, the changes and the last runs).

            Examples:
              vsockbench history trend cliff
              vsockbench history trend cliff --case chatty-8k --metric p99 \\
                  --html trend.html
              vsockbench history trend batching --label branch=main --last 30 --markdown \\
                  summary.md
              vsockbench history trend --metric timings --html history.html
            """)

        @Argument(help: ArgumentHelp("The scenario (its `name`, as history list shows it); every scenario when left out.", valueName: "scenario"))
        var scenario: String?

        @Option(name: .customLong("case"), help: ArgumentHelp("Only this case.", valueName: "case"))
        var caseName: String?

        @Option(name: .long, help: ArgumentHelp("The figure: throughput (default), timings, all, or a key such as latency_us.p99.", valueName: "metric"))
        var metric = "throughput"

        @OptionGroup var database: DatabaseOption
        @OptionGroup var selection: ScenarioSelectionOptions
        @OptionGroup var changes: ChangeFlags

        @Option(name: .long, help: ArgumentHelp("Write a self-contained HTML page with a chart per series.", valueName: "file"))
        var html: String?

        @Option(name: .long, help: ArgumentHelp("Write a markdown summary (for $GITHUB_STEP_SUMMARY).", valueName: "file"))
        var markdown: String?

        @Flag(name: .long, help: "Print JSON (schema vsockbench-history/1) instead of the tables.")
        var json = false

        func run() throws {
            // The database, named or by default ($VSOCKBENCH_HISTORY, XDG): no output may replace it.
            let databasePath = try? HistoryLocation.resolve(option: database.db, environment: ProcessInfo.processInfo.environment)
            try checkWritable(("--html", html), ("--markdown", markdown), inputs: databasePath.map { [("the history database", $0)] } ?? [])
            let filter = try selection.filter(scenario: scenario)
            let db = try database.open(creating: false)
            let reports = try historyCall { () throws(HistoryError) -> [TrendReport] in
                let metric = try MetricChoice(parsing: metric)
                guard let scenario else {
                    return try TrendSet.build(db, caseName: caseName, metric: metric, filter: filter, options: changes.options).scenarios
                }
                return [try TrendReport.build(db, scenario: scenario, caseName: caseName, metric: metric, filter: filter, options: changes.options)]
            }
            if json {
                print(scenario != nil && reports.count == 1 ? HistoryJSON.encode(reports[0]) : HistoryJSON.encode(TrendSet(database: db.path, scenarios: reports)), terminator: "")
            } else {
                print(TrendText.render(reports), terminator: "")
            }
            if let html { try writeFile(html, Array(TrendPage.render(reports).utf8)) }
            if let markdown { try writeFile(markdown, Array(TrendMarkdown.render(reports).utf8)) }
        }
    }

    struct Changes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Name the runs where a figure moved, and by how much (change points over the per-run medians).",
            discussion: """
            For each scenario (or SCENARIO), case (or --case) and figure (--metric: `timings` by \
            default, throughput and p99), the series of per-run medians of verified runs, oldest \
            first, is split by E-divisive means; a change is kept only when a permutation test \
            (seeded: the same history gives the same answer) finds it significant and it moved \
            the level by at least --min-change (5%: on a shared machine runs differ by more than \
            that; counts per message at most 2%). Each change \
            names the first run at the new level and the last run before it (the change lies \
            between their commits), the medians before and after, and the p-value. Exit 0 \
            whether or not something changed.

            Examples:
              vsockbench history changes
              vsockbench history changes cliff --case chatty-8k --metric all
              vsockbench history changes --label instance_type=m6i.xlarge --json
            """)

        @Argument(help: ArgumentHelp("Only this scenario.", valueName: "scenario"))
        var scenario: String?

        @Option(name: .customLong("case"), help: ArgumentHelp("Only this case.", valueName: "case"))
        var caseName: String?

        @Option(name: .long, help: ArgumentHelp("The figures: timings (default), throughput, all, or a key such as writes_per_msg.", valueName: "metric"))
        var metric = "timings"

        @OptionGroup var database: DatabaseOption
        @OptionGroup var selection: ScenarioSelectionOptions
        @OptionGroup var changes: ChangeFlags

        @Flag(name: .long, help: "Print JSON (schema vsockbench-history/1) instead of the lines.")
        var json = false

        func run() throws {
            let filter = try selection.filter(scenario: scenario)
            let db = try database.open(creating: false)
            let report = try historyCall { () throws(HistoryError) in
                try ChangesReport.build(db, scenario: scenario, caseName: caseName, metric: try MetricChoice(parsing: metric), filter: filter, options: changes.options)
            }
            print(json ? HistoryJSON.encode(report) : ChangesText.render(report), terminator: "")
        }
    }
}

/// Runs a history call; its error becomes one line and exit 2 (bad input: a file, a label, a
/// schema) or 1 (a write that failed).
func historyCall<T>(databaseFlag: String = "--db", _ body: () throws(HistoryError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw fail(Terminal.safe(error.described(databaseFlag: databaseFlag)), code: error.isBadInput ? Exit.badInput : Exit.failure)
    }
}
