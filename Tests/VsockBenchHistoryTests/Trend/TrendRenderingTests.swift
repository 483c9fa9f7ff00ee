import Foundation
import Testing

@testable import VsockBenchHistory
@testable import VsockBenchReport
import VsockBenchSupport
import VsockBenchStats

@Suite("History trend: table, markdown, HTML chart")
struct TrendRenderingTests {
    @Test func theTableMarksTheChangeOnItsRun() throws {
        let db = try ChangeDetectionTests.stepped()
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        let text = TrendText.render(report)
        let marked = text.split(separator: "\n").filter { $0.contains("<- moved") }
        #expect(marked.count == 1)
        #expect(marked.first?.hasPrefix(" 12 ") == true, "\(text)")
        // Each run's interval is in its row, with its coverage (3 trials: [min, max], 75%).
        #expect(text.contains("interval (coverage)"))
        // The column that marks changed and unverified runs has a header too.
        let header = text.split(separator: "\n").first { $0.contains("interval (coverage)") }
        #expect(header?.trimmingCharacters(in: .whitespaces).hasSuffix("note") == true, "\(text)")
        #expect(text.split(separator: "\n").filter { $0.contains("(75%)") }.count == 20)
        #expect(text.contains(HistoryFixtures.commit(11).prefix(12)))
    }

    /// A run that set a case up otherwise (the scenario file changed under its name) is in the
    /// same series: said in the text, the markdown and the JSON (it was plotted among the
    /// others with no word, review); runs that all agree get no note.
    @Test func aRunSetUpOtherwiseIsNoted() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var documents = (0..<4).map { HistoryFixtures.run($0, rate: 20000) }
        documents[1].cases[1].spec.updateExchange { $0.inflight = 4 }
        _ = try db.add(documents.map { ResultsFile(document: $0) })
        let report = try TrendReport.build(db, scenario: "cliff")
        #expect(report.notes.count == 1, "\(report.notes)")
        let note = try #require(report.notes.first)
        #expect(note.hasPrefix("chatty-8k: 1 of the 4 runs (run 2) set it up otherwise than the latest (inflight 4 -> 1)"), "\(note)")
        #expect(TrendText.render(report).contains("note: " + note))
        #expect(TrendMarkdown.render(report).contains("> **Note:** chatty-8k: 1 of the 4 runs"))
        // And on the HTML page (it had none of it), with Mbps defined once.
        let html = TrendPage.render(report)
        #expect(html.contains("<p class=\"note\">Note: chatty-8k: 1 of the 4 runs (run 2) set it up otherwise"), "\(html.prefix(2000))")
        #expect(html.contains("Mbps: application payload per second, in megabits, per direction"))
        let json = try #require(String(data: JSONEncoder().encode(report), encoding: .utf8))
        #expect(json.contains("\"notes\":[\"chatty-8k: 1 of the 4 runs"), "\(json.prefix(300))")
        let same = try HistoryDatabase.open(path: try HistoryFixtures.databasePath("same"), creating: true)
        _ = try same.add((0..<3).map { ResultsFile(document: HistoryFixtures.run($0, rate: 20000)) })
        #expect(try TrendReport.build(same, scenario: "cliff").notes.isEmpty)
    }

    /// A run's value as `run` prints the figure: a failed run that measured nothing is `-`,
    /// not `0.000`; the target's processing share a percentage, not `0.007` (review).
    @Test func valuesAreWrittenAsRunWritesThem() {
        let failed = SeriesPoint(run: 1, startedAt: "a", gitCommit: nil, value: 0, interval: nil, trials: 3, verified: false)
        #expect(TrendText.valueText(failed, figure: .mbpsTx) == "-")
        let zero = SeriesPoint(run: 2, startedAt: "b", gitCommit: nil, value: 0, interval: nil, trials: 3, verified: true)
        #expect(TrendText.valueText(zero, figure: .exits) == Format.compact(0.0))
        let share = SeriesPoint(run: 3, startedAt: "c", gitCommit: nil, value: 0.007, interval: [0.005, 0.009], trials: 3, verified: true)
        #expect(TrendText.valueText(share, figure: .targetProcessingShare) == "0.7%")
        #expect(TrendText.intervalText(share, figure: .targetProcessingShare).hasPrefix("0.5% - 0.9%"))
    }

    /// Files added out of start order (runs 3, 1, 2 by start): the header names the first and
    /// last rows of the tables, oldest first, and how many runs, not a range of run numbers.
    @Test func theMarkdownHeaderFollowsTheTablesOrder() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        _ = try db.add([1, 2, 0].map { ResultsFile(document: HistoryFixtures.run($0, rate: 20000)) })
        let markdown = TrendMarkdown.render(try TrendReport.build(db, scenario: "cliff"))
        let expected = "3 runs, oldest first: from run 3 (\(HistoryFixtures.startedAt(0))) to run 2 (\(HistoryFixtures.startedAt(2)))"
        #expect(markdown.contains(expected), "\(markdown)")
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| 3 |") || $0.hasPrefix("| 1 |") || $0.hasPrefix("| 2 |") }
        #expect(rows.prefix(3).map { $0.prefix(5) } == ["| 3 |", "| 1 |", "| 2 |"])
    }

    @Test func theHTMLIsOneSelfContainedPageWithAPointAndWhiskerPerRun() throws {
        let db = try ChangeDetectionTests.stepped()
        let report = try TrendReport.build(db, scenario: "cliff", metric: .timings)
        let html = TrendPage.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // No script, no external resource: the only URL is the SVG namespace.
        #expect(!html.contains("<script"))
        let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
        #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
        #expect(html.components(separatedBy: "<svg").count - 1 == report.series.count)
        #expect(html.components(separatedBy: "class=\"point\"").count - 1 == 20 * report.series.count)
        // A whisker (three lines) per run with an interval.
        #expect(html.components(separatedBy: "class=\"whisker\"").count - 1 == 3 * 20 * report.series.count)
        #expect(html.contains("run 12: -"), "the change is labelled on the chart")
        #expect(html.contains("class=\"level\""))
    }

    /// Runs of one trial have no interval, so no whisker: the caption and each point say they
    /// are single samples (the caption described a whisker, "here none: single trials coverage").
    @Test func theHTMLOfSingleSamplesSaysSo() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for i in 0..<3 {
            var document = HistoryFixtures.run(i, rate: 20000, cases: ["chatty-8k"])
            document.cases = [HistoryFixtures.makeCase("chatty-8k", workload: .rr, rates: [20000])]
            document.statistics?.repeatCount = 1
            _ = try db.add([ResultsFile(document: document)])
        }
        let html = TrendPage.render(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k"))
        #expect(html.contains("Each point is a run&#39;s single sample (one trial, so no interval") || html.contains("Each point is a run's single sample (one trial, so no interval"), "\(html.prefix(3000))")
        #expect(!html.contains("class=\"whisker\""))
        #expect(!html.contains("single trials coverage"))
        #expect(html.contains("1 trial: a single sample"))
    }

    /// The page's header counts the runs: a one-run history read "1 runs".
    @Test func theHTMLHeaderOfOneRunSaysRun() throws {
        let db = try HistoryFixtures.history(rates: [20000])
        let html = TrendPage.render(try TrendReport.build(db, scenario: "cliff"))
        #expect(html.contains(": 1 run, \(HistoryFixtures.startedAt(0)) to"), "\(html.prefix(2000))")
        #expect(!html.contains("1 runs"))
        let two = TrendPage.render(try TrendReport.build(try HistoryFixtures.history(rates: [20000, 20100]), scenario: "cliff"))
        #expect(two.contains(": 2 runs, "))
    }

    @Test func namesFromTheResultsAreEscaped() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for index in 0..<3 {
            _ = try db.add([ResultsFile(document: HistoryFixtures.run(index, rate: 100, scenario: "<b>x</b>", cases: ["<script>&"]))])
        }
        let report = try TrendReport.build(db, scenario: "<b>x</b>")
        let html = TrendPage.render(report)
        #expect(!html.contains("<script>&") && html.contains("&lt;script&gt;&amp;"))
        #expect(!html.contains("<b>x</b>"))
        let markdown = TrendMarkdown.render(report)
        #expect(!markdown.contains("<script>"))
    }

    @Test func theMarkdownHasASparklineTheChangesAndTheLastRuns() throws {
        let db = try ChangeDetectionTests.stepped()
        let markdown = TrendMarkdown.render(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k"))
        #expect(markdown.contains("## History: cliff"))
        #expect(markdown.contains("**Worse**"), "\(markdown)")
        #expect(markdown.contains("moved at run 12"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| run") }
        #expect(rows.count == TrendMarkdown.tableRows)
        #expect(TrendMarkdown.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█")
        #expect(TrendMarkdown.sparkline([5, 5]) == "▄▄")
    }

    /// A run whose case failed (not verified, its figures 0) is no value in the job summary
    /// or the chart: the markdown read "`███▁` latest 0.000 (run 4); range 0.000 to 61069",
    /// and the chart's line ran down to the floor, a failed night read as a crash to 0 (review).
    @Test func anUnverifiedRunIsNoDropToZero() throws {
        let values = [61069.0, 60000, 60500, 0]
        let points = values.enumerated().map { i, v in
            SeriesPoint(run: Int64(i + 1), startedAt: "t\(i)", gitCommit: nil, value: v, interval: i == 3 ? nil : [v * 0.99, v * 1.01], trials: 3, verified: i != 3)
        }
        let series = FigureSeries(scenario: "cliff", caseName: "chatty-8k", workload: "rr", figure: .msgsPerSecond, points: points, changes: [])
        let markdown = TrendMarkdown.section(series)
        let summary = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("`") })
        #expect(summary.hasPrefix("`█▁▄×` latest: run 4 not verified (the latest verified: 60500, run 3)"), "\(summary)")
        #expect(summary.contains("range 60000 to 61069 over the 3 verified of 4 runs"), "\(summary)")
        #expect(!summary.contains("0.000"), "\(summary)")
        // All verified: as before.
        let clean = FigureSeries(scenario: "cliff", caseName: "chatty-8k", workload: "rr", figure: .msgsPerSecond, points: Array(points.prefix(3)), changes: [])
        #expect(TrendMarkdown.section(clean).contains("`█▁▄` latest 60500 (run 3); range 60000 to 61069 over 3 runs\n"), "\(TrendMarkdown.section(clean))")
        // The chart: the scale is the verified runs' (no tick at 0), the line joins them only,
        // and the failed run is a cross above the plot, not a point at 0.
        let svg = TrendChart.render(series)
        #expect(!svg.contains(">0</text>"), "\(svg)")
        #expect(svg.components(separatedBy: "class=\"point\"").count - 1 == 3)
        #expect(svg.components(separatedBy: "class=\"unverified\"").count - 1 == 1)
        let polylines = svg.components(separatedBy: "<polyline points=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(polylines.count == 1 && polylines.first?.split(separator: " ").count == 3, "\(polylines)")
        // A failure in the middle breaks the line: run 1 alone before it (a point, no line), runs 3 and 4 after.
        var middle = points
        middle.swapAt(1, 3)
        let broken = TrendChart.render(FigureSeries(scenario: "cliff", caseName: "chatty-8k", workload: "rr", figure: .msgsPerSecond, points: middle, changes: []))
        #expect(broken.components(separatedBy: "<polyline").count - 1 == 1, "a stretch of one point draws no line")
        #expect(TrendPage.section(series, scenario: nil).contains("A run not verified or cut short is a cross above the plot"))
    }

    /// A run whose case failed before any response has no p99 (null in its file): it was "not
    /// verified" in the msgs/s series and missing from the p99 one ("over 9 runs" beside "over
    /// 8", text and HTML: review). It is in every series, not verified in each.
    @Test func aFailedRunIsInEverySeriesAsNotVerified() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        var failed = HistoryFixtures.run(1, rate: 20000)
        failed.cases[0] = CaseSummary.notRun(failed.cases[0].spec, transport: "unix", errors: ["connect: refused"], skipped: nil)
        failed.cases[1] = CaseSummary.notRun(failed.cases[1].spec, transport: "unix", errors: ["connect: refused"], skipped: nil)
        #expect(failed.cases[1].latencyMicros == nil && !failed.cases[1].verified, "the fixture: a failed case with no latency")
        _ = try db.add([HistoryFixtures.run(0, rate: 20000), failed, HistoryFixtures.run(2, rate: 20000)].enumerated().map { ResultsFile(document: $1, path: "r\($0).json") })
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .timings)
        #expect(report.series.map(\.figure) == [.msgsPerSecond, .latencyP99])
        for series in report.series {
            #expect(series.points.map(\.run) == [1, 2, 3], "\(series.figure)")
            #expect(series.points.map(\.verified) == [true, false, true], "\(series.figure)")
        }
        let rows = TrendText.render(report).split(separator: "\n").filter { $0.contains("not verified: left out of the changes") }
        #expect(rows.count == 2, "\(TrendText.render(report))")
        let html = TrendPage.render(report)
        #expect(html.components(separatedBy: "class=\"unverified\"").count - 1 == 2)
        // A figure no run has (a stream's p99) is still no series, its failed run or not.
        let error = thrownHistoryError { () throws(HistoryError) in _ = try TrendReport.build(db, scenario: "cliff", caseName: "bulk", metric: .figure(.latencyP99)) }
        #expect(error.map { "\($0)" }?.contains("no latency_us.p99 figure") == true, "\(String(describing: error))")
    }

    /// A case an interrupt alone cut short read "not verified: left out of the changes", as
    /// one that failed, where `history list` marks the run `~` and `show` says `cut short`.
    /// Said cut short now (the same rule), still left out of the changes; a failure keeps its words.
    @Test func aCaseCutShortByAnInterruptIsSaidToBeCutShort() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        /// `document` with chatty-8k stopped in its last trial: by the interrupt, or by a failure.
        func stopped(_ document: RunDocument, interrupt: Bool) -> RunDocument {
            var document = document
            var trial = document.cases[1].trials[2]
            trial.verified = false
            trial.interrupted = interrupt
            trial.errors = [interrupt ? "interrupted" : "response 7: corrupted"]
            document.cases[1].trials[2] = trial
            document.cases[1].figures.verified = false
            document.cases[1].figures.interrupted = interrupt
            document.cases[1].figures.errors = trial.errors
            return document
        }
        let runs = [HistoryFixtures.run(0, rate: 20000), stopped(HistoryFixtures.run(1, rate: 20000), interrupt: true),
                    stopped(HistoryFixtures.run(2, rate: 20000), interrupt: false), stopped(HistoryFixtures.run(3, rate: 20000), interrupt: true)]
        #expect(runs[1].cases[1].cutShort && !runs[2].cases[1].cutShort, "the fixture: one case cut short, one failed")
        _ = try db.add(runs.enumerated().map { ResultsFile(document: $1, path: "r\($0).json") })
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        let series = try #require(report.series.first)
        #expect(series.points.map(\.cutShort) == [false, true, false, true])
        #expect(series.points.map(\.verified) == [true, false, false, false], "still left out of the changes")
        let rows = TrendText.render(report).split(separator: "\n")
        func note(_ run: Int) -> String? {
            rows.map { String($0.drop { $0 == " " }) }.first { $0.hasPrefix("\(run)  2026-") }
        }
        #expect(note(2)?.hasSuffix("cut short (interrupted): left out of the changes") == true, "\(rows)")
        #expect(note(3)?.hasSuffix("not verified: left out of the changes") == true, "\(rows)")
        #expect(note(1)?.contains("left out") == false, "\(rows)")
        // The job summary and the chart say it too.
        let markdown = TrendMarkdown.section(series)
        #expect(markdown.contains("latest: run 4 cut short"), "\(markdown)")
        let svg = TrendChart.render(series)
        #expect(svg.components(separatedBy: "cut short (interrupted)").count - 1 == 2, "\(svg)")
        // The JSON's verified keeps its meaning, and no key is added to a point.
        let point = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(series.points[1])) as? [String: Any])
        #expect(point["verified"] as? Bool == false && point["cut_short"] == nil)
    }

    /// The run where a change begins and that fell behind says both: the note of the change
    /// replaced the open-loop warning (review), on the one run where it matters most.
    @Test func aChangeAtARunThatFellBehindKeepsBothNotes() throws {
        let before = SeriesPoint(run: 1, startedAt: "2026-01-01", gitCommit: nil, value: 100, interval: nil, trials: 1, verified: true)
        var behind = SeriesPoint(run: 2, startedAt: "2026-01-02", gitCommit: nil, value: 140, interval: nil, trials: 1, verified: true)
        behind.keptUp = false
        let change = SeriesChange(run: 2, startedAt: "2026-01-02", gitCommit: nil, previousRun: 1, previousGitCommit: nil, before: 100, after: 140, pValue: 0.01, better: false)
        let series = FigureSeries(scenario: "s", caseName: "c", workload: "rr", figure: .latencyP99, points: [before, behind], changes: [change])
        let row = try #require(TrendText.table(series).split(separator: "\n").first { $0.contains("2026-01-02") })
        #expect(row.contains("<- ") && row.contains("did NOT keep up its open-loop rate"), "\(row)")
    }

    /// An open-loop case that did not keep up listed as verified with its p99 and no mark in
    /// `show` and `trend` (review): `show` has a kept-up column and a legend, `trend` a note on
    /// the run, the markdown a mark, the JSON `kept_up`. Read from the stored results file,
    /// over every trial (the case's own report is one trial's).
    @Test func anOpenLoopRunThatFellBehindIsMarked() throws {
        func openLoop(_ kept: Bool?, trial: Int = 1) -> OpenLoopReport? {
            guard let kept else { return nil }
            return OpenLoopReport(askedPerSecond: 2000, arrivals: .constant, sentPerSecond: kept ? 2000 : 217, achievedPerSecond: kept ? 2000 : 217,
                                  measuredSends: kept ? 2000 : 217, lateSends: 0, lateThresholdMicros: 1000, maxSendDelayMicros: 10, inFlightMax: 1,
                                  inFlightCap: 1024, unsent: kept ? 0 : 1783, keptUp: kept, verdict: kept ? "kept up" : "did NOT keep up")
        }
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for index in 0..<3 {
            var document = HistoryFixtures.run(index, rate: 2000)
            // Run 2: the case's own report (trial 2's) kept up, trial 1 did not.
            let trials: [Bool] = index == 1 ? [false, true, true] : [true, true, true]
            for t in trials.indices { document.cases[1].trials[t].openLoop = openLoop(trials[t]) }
            document.cases[1].figures.openLoop = openLoop(trials[1])
            _ = try db.add([ResultsFile(document: document)])
        }
        let behind = try db.cases(ofRun: 2)
        #expect(behind.map { $0.keptUp } == [nil, KeptUpCount(kept: 2, of: 3)])
        let show = RunText.show(try db.run("2"), cases: behind)
        let row = try #require(show.split(separator: "\n").first { $0.hasPrefix("chatty-8k") })
        #expect(row.contains("NO (2 of 3 trials kept up)"), "\(show)")
        #expect(show.contains("kept up NO: an open-loop case that fell behind its rate"), "\(show)")
        #expect(!RunText.show(try db.run("1"), cases: try db.cases(ofRun: 1)).contains("kept up NO"))
        let json = String(decoding: try JSONEncoder().encode(behind[1]), as: UTF8.self)
        #expect(json.contains("\"kept_up\":false") && json.contains("\"kept_up_trials\":2"), "\(json)")
        let report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k", metric: .timings)
        let p99 = try #require(report.series.first { $0.figure == .latencyP99 })
        #expect(p99.points.map(\.keptUp) == [true, false, true])
        let text = TrendText.render(report)
        let marked = text.split(separator: "\n").filter { $0.contains("did NOT keep up its open-loop rate") }
        #expect(marked.count == report.series.count && marked.allSatisfy { $0.hasPrefix("  2 ") || $0.hasPrefix("2 ") || $0.contains(" 2 ") }, "\(text)")
        #expect(TrendMarkdown.render(report).contains("(did not keep up: latency understated)"))
        #expect(TrendPage.render(report).contains("did not keep up its open-loop rate"))
        let seriesJSON = String(decoding: try JSONEncoder().encode(p99), as: UTF8.self)
        #expect(seriesJSON.contains("\"kept_up\":false"))
        // A closed-loop case has none of it.
        let bulk = try TrendReport.build(db, scenario: "cliff", caseName: "bulk")
        #expect(bulk.series.allSatisfy { $0.points.allSatisfy { $0.keptUp == nil } })
        #expect(!TrendText.render(bulk).contains("keep up"))
    }

    /// A trend over runs of two transports says so, naming them (a `--target null` run among
    /// unix ones read as a 27x change with no word: review); one transport says nothing.
    @Test func runsOverSeveralTransportsAreNoted() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for i in 0..<3 { _ = try db.add([ResultsFile(document: HistoryFixtures.run(i, rate: 20000))]) }
        var quiet = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        #expect(!quiet.notes.contains { $0.contains("transports") }, "\(quiet.notes)")
        var null = HistoryFixtures.run(3, rate: 1_500_000)
        null.transport = "null"
        _ = try db.add([ResultsFile(document: null)])
        quiet = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        #expect(quiet.notes.contains("the runs are over 2 transports (null: 4; unix: 1, 2, 3): a change between them is the channel's, not the code's; --label keeps them apart"), "\(quiet.notes)")
        #expect(TrendText.render(quiet).contains("note: the runs are over 2 transports"))
        // history changes says it too, with the scenario.
        let changes = try ChangesReport.build(db, caseName: "chatty-8k", metric: .throughput)
        #expect(changes.notes.contains { $0.hasPrefix("cliff: the runs are over 2 transports (null: 4; unix: 1, 2, 3)") }, "\(changes.notes)")
        #expect(ChangesText.render(changes).contains("note: cliff: the runs are over 2 transports"))
    }

    /// A trend over runs driven from two hosts says so, naming them, as `check --history` does
    /// ("driver host differs"); trend and changes mixed them without a word (review).
    @Test func runsDrivenFromSeveralHostsAreNoted() throws {
        let db = try HistoryDatabase.open(path: try HistoryFixtures.databasePath(), creating: true)
        for i in 0..<3 { _ = try db.add([ResultsFile(document: HistoryFixtures.run(i, rate: 20000))]) }
        var report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        #expect(!report.notes.contains { $0.contains("hosts") }, "\(report.notes)")
        _ = try db.add([ResultsFile(document: HistoryFixtures.run(3, rate: 26000, host: "other-box"))])
        report = try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k")
        #expect(report.notes.contains("the runs were driven from 2 hosts (other-box: 4; parent: 1, 2, 3): a change between them may be the machine's, not the code's; --label keeps them apart"), "\(report.notes)")
        let changes = try ChangesReport.build(db, caseName: "chatty-8k", metric: .throughput)
        #expect(ChangesText.render(changes).contains("note: cliff: the runs were driven from 2 hosts"), "\(changes.notes)")
    }

    /// The change search takes the last `EDivisive.maximumLength` verified runs: a longer
    /// series says so, in the lines, the table and the JSON (it read "no change over 1200
    /// runs" of a doubling at its 151st: review).
    @Test func aSeriesLongerThanTheSearchSaysWhichRunsWereSearched() throws {
        let total = EDivisive.maximumLength + 200
        // Run numbers follow the order files were added: the five oldest points were added
        // last (numbers 1196-1200), so the search is marked by place, not by number (review).
        let points = (1...total).map { i in
            SeriesPoint(run: Int64(i <= 5 ? total - 5 + i : i - 5), startedAt: "t\(i)", gitCommit: nil, value: i <= 150 ? 100 : 200, interval: nil, trials: 1, verified: true)
        }
        let series = FigureSeries(scenario: "s", caseName: "c", workload: "rr", figure: .msgsPerSecond, points: points, changes: [])
        #expect(series.searchedRuns == EDivisive.maximumLength && series.unsearchedRuns.count == 200)
        #expect(series.unsearchedRuns.contains(1196) && !series.unsearchedRuns.contains(196) && series.unsearchedRuns.contains(195))
        let line = TrendText.changeLines(series, indent: "")
        #expect(line == "no change over the last 1000 of 1200 runs (the search takes at most 1000)\n", "\(line)")
        let rows = TrendText.table(series).split(separator: "\n")
        #expect(rows.first { $0.contains(" t200 ") }?.hasSuffix("before the 1000 runs searched for changes") == true)
        #expect(rows.first { $0.contains(" t201 ") }?.hasSuffix("before the 1000 runs searched for changes") == false)
        #expect(rows.first { $0.contains(" t1 ") }?.hasSuffix("before the 1000 runs searched for changes") == true, "the oldest, numbered 1196")
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(series)) as? [String: Any])
        #expect(json["searched_runs"] as? Int == 1000)
        let short = FigureSeries(scenario: "s", caseName: "c", workload: "rr", figure: .msgsPerSecond, points: Array(points.prefix(20)), changes: [])
        #expect(TrendText.changeLines(short, indent: "") == "no change over 20 runs\n" && short.unsearchedRuns.isEmpty)
    }

    @Test func theJSONKeepsEveryKey() throws {
        let db = try ChangeDetectionTests.stepped()
        let json = HistoryJSON.encode(try TrendReport.build(db, scenario: "cliff", caseName: "chatty-8k"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "vsockbench-history/1")
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        #expect(series["metric"] as? String == "msgs_per_s")
        let point = try #require((series["points"] as? [[String: Any]])?.first)
        #expect(Set(point.keys) == ["run", "started_at", "git_commit", "value", "ci", "ci_coverage", "trials", "verified", "kept_up"])
        #expect(point["ci_coverage"] as? Double == 0.75)
        let change = try #require((series["changes"] as? [[String: Any]])?.first)
        #expect(change["run"] as? Int == 12 && change["direction"] as? String == "worse")
    }
}
