import VsockBenchSupport
import VsockBenchModel

/// The report's text sections: the header, problems, host facts, diagnosis and the full table.
enum ReportSections {
    typealias Node = HTMLNode

    static func section(_ id: String, _ title: String, caption: String? = nil, cssClass: String? = nil, _ body: [Node]) -> Node {
        var children: [Node] = [.el("h2", text: title)]
        if let caption { children.append(.el("p", [("class", "caption")], text: caption)) }
        return .el("section", [("id", id), ("class", cssClass)], children + body)
    }

    /// A table whose `numeric` columns are right-aligned (class `num`), each row with its own
    /// class (nil: none).
    static func table(_ columns: [String], numeric: Set<Int>, _ rows: [(cells: [String], cssClass: String?)]) -> Node {
        func cell(_ tag: String, _ index: Int, _ value: String) -> Node {
            .el(tag, [("class", numeric.contains(index) ? "num" : nil)], text: value)
        }
        let head: Node = .el("tr", [], columns.enumerated().map { cell("th", $0, $1) })
        return .el("table", [], [head] + rows.map { row in .el("tr", [("class", row.cssClass)], row.cells.enumerated().map { cell("td", $0, $1) }) })
    }

    static func header(_ document: RunDocument, title: String) -> Node {
        let line = "\(document.cases.count) case\(document.cases.count == 1 ? "" : "s") against \(document.target) (\(document.transport)), started \(document.startedAt), scenario \(document.scenarioPath)"
        return .el("header", [], [.el("h1", text: title), .el("p", text: line)])
    }

    /// Failed and unverified cases, first on the page; nil when every case ran clean. A skipped
    /// case is none: it does not fail the run (the exit code, the text and the table's `verified`
    /// column say `skipped`), yet it read "failed" here; its reason is in the notes.
    static func problems(_ cases: [CaseResult]) -> Node? {
        let bad = cases.filter { $0.skipped == nil && (!$0.verified || !$0.errors.isEmpty) }
        guard !bad.isEmpty else { return nil }
        let items: [Node] = bad.map { c in
            // Cut short by the interrupt is no failure of the channel (as the text table says).
            let what = c.cutShort ? "interrupted (cut short)" : c.messages == 0 ? "failed" : (c.verified ? "reported errors" : "not verified")
            var children: [Node] = [.el("b", text: c.name), .text(": \(what)")]
            if !c.errors.isEmpty {
                children.append(.el("ul", [], c.errors.map { .el("li", [("class", "mono")], text: $0) }))
            }
            return .el("li", [], children)
        }
        let caption = "Figures of these cases are not trustworthy: a message was lost, corrupted or refused, or the case did not run"
            + (bad.contains(where: \.cutShort) ? "; or an interrupt cut the case short (its figures cover only what ran)." : ".")
        return section("problems", "Problems", caption: caption,
                       cssClass: "alert", [.el("ul", [], items)])
    }

    /// What the text table says under itself about a case's figures: a machine busy beside the
    /// run (its timings may be the machine's) and tail percentiles resting on a single message.
    /// The page had neither, so a report read alone hid why a figure moved. nil when no case has one.
    /// The run's own notes first (a debug build's timings, the cases an interrupt came
    /// before: the text report says both, the page said neither), then each case's.
    static func notes(_ document: RunDocument) -> Node? {
        var items: [Node] = []
        if let note = document.host.buildNote { items.append(.el("li", [], [.el("b", text: "build"), .text(": \(note)")])) }
        if let notRun = document.notRun, !notRun.isEmpty {
            items.append(.el("li", [], [.el("b", text: "not run"), .text(": the run was interrupted before \(notRun.joined(separator: ", ")); \(notRun.count == 1 ? "it is" : "they are") in no chart or table")]))
        }
        items += document.cases.flatMap { c in
            // A skipped case's reason, as the text report gives it under its table: the
            // charts only say it was skipped.
            [c.skipped.map { "skipped: \($0)" }, c.machineNote, c.fewAnswersNote, c.tailNote, c.shortIntervalNote].compactMap { $0 }.map { note in Node.el("li", [], [.el("b", text: c.name), .text(": \(note)")]) }
        }
        guard !items.isEmpty else { return nil }
        return section("notes", "Notes on the figures", caption: "Where a figure may say less than it seems to.", [.el("ul", [], items)])
    }

    /// Both sides' kernels first: vsock credit behaviour changed in 5.4, so figures from
    /// different kernels are not comparable.
    static func hosts(_ document: RunDocument) -> Node {
        func facts(_ title: String, _ rows: [(String, String)]) -> Node {
            .el("div", [], [.el("h3", text: title), .el("dl", [], rows.flatMap { [Node.el("dt", text: $0.0), .el("dd", text: $0.1)] })])
        }
        let driver = document.host.driver
        let driverRows = [("kernel", document.host.driverKernel), ("hostname", driver.hostname), ("CPUs", String(document.host.cpus)), ("pid", String(driver.pid)), ("tool", driver.tool), ("build", document.host.build ?? "not recorded")]
        // A replay's or raw stream's service sends no host facts: where only such cases ran,
        // that is why the kernel is unknown, not that no case reached the target.
        let foreignOnly = !document.cases.isEmpty && document.cases.allSatisfy { $0.spec.workload.isForeign }
        let unknownKernel = foreignOnly ? "unknown (a replay or raw case's service sends no host facts)" : "unknown (no case reached the target)"
        var targetRows: [(String, String)] = [("kernel", document.host.targetKernel ?? unknownKernel)]
        if let target = document.host.target {
            targetRows += [("hostname", target.hostname), ("CPUs", String(target.cpus)), ("pid", String(target.pid)), ("tool", target.tool), ("build", target.build ?? "not recorded")]
        }
        targetRows.append(("endpoint", document.target))
        return section("host", "Hosts", caption: "Both kernels are recorded: before 5.4 a vsock receiver sent a credit update on every read.",
                       [.el("div", [("class", "facts")], [facts("driver (parent)", driverRows), facts("target (enclave side)", targetRows)])])
    }

    /// The verdicts per case with their evidence; nil when no case was diagnosed.
    static func diagnosis(_ cases: [CaseResult]) -> Node? {
        let diagnosed = cases.filter { $0.diagnosis != nil }
        guard !diagnosed.isEmpty else { return nil }
        var body: [Node] = []
        for c in diagnosed {
            let verdicts = c.diagnosis ?? []
            if verdicts.isEmpty {
                // As the text says it: a failed or skipped case was not diagnosed at all.
                let why = c.skipped.map { "Not diagnosed: skipped (\($0))." }
                    ?? (!c.verified ? "Not diagnosed: the case failed (\(c.errors.first ?? "no messages"))." : "No verdict: the evidence does not point to a bottleneck.")
                body.append(.el("div", [("class", "verdict")], [
                    .el("h3", text: c.name), .el("p", [("class", "quiet")], text: why),
                ]))
            }
            for v in verdicts.sorted(by: { $0.confidence > $1.confidence }) {
                let confidence = min(max(v.confidence, 0), 1)
                let percent = Format.fixed(confidence * 100, 0)
                let trials = v.trials > 1 ? ", \(v.trialsFiring) of \(v.trials) trials" : ""
                var children: [Node] = [
                    .el("h3", [], [
                        .text("\(c.name): "), .el("code", text: v.id.rawValue),
                        .el("span", [("class", "confidence"), ("title", "confidence \(percent)%")], [.el("i", [("style", "width: \(percent)%")])]),
                        .el("span", [("class", "quiet")], text: "confidence \(percent)%\(trials)"),
                    ]),
                ]
                if !v.evidence.isEmpty { children.append(.el("ul", [], v.evidence.map { .el("li", text: $0) })) }
                children.append(.el("p", [], [.el("b", text: "Advice: "), .text(v.advice)]))
                if let gain = v.predictedGain { children.append(.el("p", [], [.el("b", text: "Predicted: "), .text(gain)])) }
                if let verified = v.verified, let predicted = v.predicted {
                    // Inside a range that allowed no gain is no hit: a fix that made the case
                    // worse (or did nothing) is said so in the label, not shown green (review).
                    let outcome = verified.outcome ?? Diagnoser.gain(verified, predicted).map(Diagnoser.outcome)
                    let (kind, label, style): (String, String, String) =
                        verified.measured == nil ? ("not-measured", "Not measured: ", "color: #8a5a00")
                        : verified.inconclusive != nil ? ("inconclusive", "Inconclusive: ", "color: #8a5a00")
                        : !verified.within ? ("miss", "Verified: ", "color: #a12a1d; font-weight: 600")
                        : outcome == "worse" ? ("worse", "Verified, inside the range but WORSE: ", "color: #a12a1d; font-weight: 600")
                        : outcome == "none" ? ("no-gain", "Verified, inside the range but no gain: ", "color: #8a5a00")
                        : ("hit", "Verified: ", "color: #1e7b34")
                    children.append(.el("p", [("class", "verified \(kind)"), ("style", style)], [
                        .el("b", text: label), .text(Diagnoser.verificationText(verified, predicted)),
                    ]))
                }
                body.append(.el("div", [("class", "verdict")], children))
            }
        }
        if let summary = Diagnoser.verificationSummary(cases) {
            body.append(.el("p", [("class", "verify-summary")], [.el("b", text: summary)]))
        }
        return section("diagnosis", "Diagnosis", caption: "What limits each case, with the measured evidence for it.", body)
    }

    /// Open-loop cases: the rate asked against what was sent and answered, who fell behind,
    /// in the text table's words (the page said nothing of them). Nil without such a case.
    static func openLoop(_ cases: [CaseResult]) -> Node? {
        let paced = cases.compactMap { c in c.openLoop.map { (c, $0) } }
        guard !paced.isEmpty else { return nil }
        let rows: [(cells: [String], cssClass: String?)] = paced.map { c, o in
            let answered = o.answered.map { "\($0) of \(o.scheduled)" } ?? "-"
            let held = o.lateHeldByTarget.map(String.init) ?? "-"
            return ([c.name, ArrivalRate(perSecond: o.askedPerSecond, arrivals: o.arrivals).summary, Format.compact(o.sentPerSecond), Format.compact(o.achievedPerSecond),
                     answered, o.answeredAfterEnd.map(String.init) ?? "-", "\(o.lateSends) of \(o.measuredSends)", held, String(o.unsent),
                     "\(o.inFlightMax) / \(o.inFlightCap)", o.keptUp ? "yes" : "NO"], o.keptUp ? nil : "bad")
        }
        var body: [Node] = [table(["case", "asked", "sent/s", "answered/s", "answered in the interval", "after its end", "late sends", "held by the target", "never sent", "in flight max / cap", "kept up"],
                                  numeric: Set(2..<10), rows)]
        for (c, o) in paced { body.append(.el("p", [], [.el("b", text: "\(c.name): "), .text(o.verdict)])) }
        return section("open-loop", "Open loop",
                       caption: "Requests sent at their intended times whatever the answers did; each latency runs from the intended send time, so a stall shows in every request that waited through it.",
                       body)
    }

    /// Every figure, folded away: the charts above are the report, this is the reference. Mbps
    /// per direction, as the text table gives it (`1063 each way`, `32115 tx`), never the sum.
    static func numbers(_ cases: [CaseResult]) -> Node {
        let headers = ["case", "workload", "size", "conns", "trials", "Mbps (payload)", "msgs/s", "p50 us", "p99 us", "max us", "writes/msg", "reads/msg", "verified"]
        let rows = cases.map { c in
            let l = c.latencyMicros
            let trials = CaseSummary.medianTrials(c.trials).count
            let cells = [
                c.name, c.workload.rawValue, c.spec.describedSizes, String(c.spec.connections),
                trials > 1 ? String(trials) : "1 (single sample)", c.mbpsText,
                c.cell(.msgsPerSecond) { Format.fixed($0, 0) }, c.cell(.latencyP50, Format.compact), c.cell(.latencyP99, Format.compact),
                Format.compact(l?.max), Format.fixed(c.writesPerMessage, 2), Format.fixed(c.readsPerMessage, 2), c.verifiedText,
            ]
            return (cells: cells, cssClass: c.ranUnverified ? "bad" : nil)
        }
        // Figures as the text table gives them: a median of trials with the ± reaching the ends
        // of its interval, or a single sample said to be one.
        let fewest = cases.map { CaseSummary.medianTrials($0.trials).count }.filter { $0 > 1 }.min()
        let caption = fewest != nil
            ? "With trials: each figure is the median of the case's trials, \(IntervalText.meaning) \(Comparison.intervalName(fewestTrials: fewest)) (max: the largest of the trials'). A case of one trial is a single sample."
            : "Every figure is a single sample (one trial per case): run with --repeat N for medians with their intervals."
        return section("numbers", "All figures", [
            .el("details", [], [
                .el("summary", text: "Show the table of every case"), .el("p", [("class", "quiet")], text: caption),
                table(headers, numeric: Set(3..<12), rows),
            ]),
        ])
    }

    /// The sweep's fit as big figures, the charts, and the batching predictions.
    static func sweep(_ sweep: SweepReport) -> Node {
        var body: [Node] = []
        if let fit = sweep.fit {
            // Beta's basis as the text gives it: a masked sweep's is the fragment bytes asked,
            // not "each way" (review).
            let stats: [(String, String)] = [
                (Format.compact(fit.alphaMicros) + " us", "alpha: fixed cost per message (\(fit.alphaIntervalText))"),
                (Format.compact(fit.betaMbps) + " Mbps", "beta: asymptotic bandwidth of n" + sweep.betaBasis + " (\(fit.betaIntervalText))"),
                (SweepTable.sizeText(fit.nHalfBytes), "n_half = alpha x beta"),
                (sweep.r2Text ?? "-", "R squared"),
            ]
            body.append(.el("div", [("class", "fit")], stats.map { .el("div", [], [.el("b", text: $0.0), .el("span", text: $0.1)]) }))
            // The text's caveats, from the same list: the figures above had read plain where
            // the text said they rest on two points, noisy points or a negative alpha.
            if !sweep.fitNotes.isEmpty {
                body.append(.el("ul", [("class", "quiet")], sweep.fitNotes.map { .el("li", [], [.el("b", text: "note: "), .text($0)]) }))
            }
        } else {
            body.append(.el("p", [("class", "quiet")], text: "No fit: \(sweep.fitError ?? "no measured points")"))
        }
        body.append(.el("div", [("class", "panels")], SweepChart.render(sweep)))
        if !sweep.batching.isEmpty {
            let rows = sweep.batching.map { b in
                // Each prediction's note (extrapolated, two points, over the write limit), as the text's column.
                (cells: [String(b.k), Quantities.formatSize(b.bytesPerWrite), Format.compact(b.mbps), Format.fixed(b.msgsPerSecond, 0), b.note ?? ""], cssClass: String?.none)
            }
            body.append(.el("h3", text: "Predicted: batching k messages of \(Quantities.formatSize(sweep.batchMessageBytes)) into one write"))
            if let basis = sweep.batchingMbpsBasis { body.append(.el("p", [("class", "quiet")], text: basis + ".")) }
            body.append(table(["k", "bytes/write", "Mbps", "msgs/s", "note"], numeric: Set(1..<4), rows))
        } else if let reason = sweep.batchingWithheldText {
            body.append(.el("p", [("class", "quiet")], text: "No batching prediction: \(reason)"))
        }
        let caption = "t = \(sweep.timeBasis); n = \(sweep.bytesBasis). Fit: t(n) = alpha + n/beta, ordinary least squares, 95% intervals from Student t on n - 2 degrees of freedom."
        return section("sweep", "Size sweep: \(sweep.workload)", caption: caption, body)
    }

    /// The open-loop sweep: latency percentiles and the rate answered against offered load.
    static func rateSweep(_ sweep: RateSweepReport) -> Node {
        let offered = sweep.points.map(\.offeredPerSecond)
        let rateLabel: (Double) -> String = { ChartScale.label($0) + "/s" }
        var latency = LineChart(
            title: "Latency against offered load", xValues: offered, xLog: true, xTitle: "offered load, requests/s (log scale)", xLabel: rateLabel,
            yLog: true, yTitle: "us from intended send time (log scale)",
            series: [
                // A rate cut short or not run has no latency to draw: a cut-short rate's partial
                // figures had been plotted like any other (review).
                .init(name: "p50", values: sweep.points.map { $0.skipped == nil ? $0.p50Micros : nil }),
                .init(name: "p99", values: sweep.points.map { $0.skipped == nil ? $0.p99Micros : nil }),
                .init(name: "p99.9", values: sweep.points.map { $0.skipped == nil ? $0.p999Micros : nil }),
            ])
        if let knee = sweep.kneePerSecond { latency.markers = [(knee, "knee \(ArrivalRate(perSecond: knee).summary)")] }
        latency.flagged = sweep.points.filter { $0.keptUp == false && $0.skipped == nil }.compactMap { p in
            p.p99Micros.map { (p.offeredPerSecond, $0, "not kept up at \(ArrivalRate(perSecond: p.offeredPerSecond).summary): answered \(Format.compact(p.answeredText))/s") }
        }
        let answered = LineChart(
            title: "Rate answered against rate offered", xValues: offered, xLog: true, xTitle: "offered load, requests/s (log scale)", xLabel: rateLabel,
            yTitle: "requests/s",
            series: [
                .init(name: "offered", values: offered.map { Optional($0) }, reference: true),
                // A rate skipped or never run answered nothing it was asked, and a failed rate that
                // answered nothing reads `-` in the table: no 0 to draw for either.
                .init(name: "answered", values: sweep.points.map(\.answeredText)),
            ])
        let knee = sweep.kneePerSecond.map { "Knee: \(ArrivalRate(perSecond: $0).summary); \(sweep.kneeNote)." } ?? "Knee: \(sweep.kneeNote)."
        return section(
            "rate-sweep", "Open-loop sweep: \(sweep.workload) \(Quantities.formatSize(sweep.size))",
            caption: "Requests sent at their intended times whatever the responses did; latency from each intended send time (coordinated omission corrected). \(knee) Rule: \(sweep.kneeRule).",
            [.el("div", [("class", "panels")], [latency.render(), answered.render()].compactMap { $0 })])
    }

    /// The time series of every case that has one: throughput and latency over time, stalls ringed.
    static func overTime(_ cases: [CaseResult]) -> Node? {
        let series = cases.compactMap { c in c.intervals.flatMap { $0.isEmpty ? nil : (c, $0) } }
        guard !series.isEmpty else { return nil }
        var body: [Node] = []
        for (c, slices) in series {
            let t = slices.map { $0.startSeconds + $0.durationSeconds / 2 }
            let seconds: (Double) -> String = { ChartScale.label($0) + "s" }
            let span = (0.0, (slices.last.map { $0.startSeconds + $0.durationSeconds }) ?? 1)
            var throughput = LineChart(
                title: "\(c.name): Mbps over time", xValues: t, xTitle: "seconds into the measured interval", xLabel: seconds, xSpan: span,
                yTitle: "Mbps (payload)", series: [
                    .init(name: "tx", values: slices.map { Optional($0.mbpsTx) }),
                    .init(name: "rx", values: slices.map { Optional($0.mbpsRx) }),
                ].filter { $0.values.contains { ($0 ?? 0) > 0 } })
            let stallNote: (IntervalFigures) -> String = { "stall at \(Format.compact($0.startSeconds))s: \(Format.fixed($0.msgsPerSecond, 0)) msgs/s" }
            throughput.flagged = zip(t, slices).filter { $0.1.stall }.map { ($0.0, max($0.1.mbpsTx, $0.1.mbpsRx), stallNote($0.1)) }
            var charts = [throughput.render()]
            if slices.contains(where: { $0.p99Micros != nil }) {
                var latency = LineChart(
                    title: "\(c.name): latency over time", xValues: t, xTitle: "seconds into the measured interval", xLabel: seconds, xSpan: span,
                    yLog: true, yTitle: "us (log scale), responses in each slice", series: [
                        .init(name: "p50", values: slices.map(\.p50Micros)),
                        .init(name: "p99", values: slices.map(\.p99Micros)),
                    ])
                latency.flagged = zip(t, slices).filter { $0.1.stall }.compactMap { pair in pair.1.p99Micros.map { (pair.0, $0, stallNote(pair.1)) } }
                charts.append(latency.render())
            }
            body.append(.el("h3", text: c.name))
            if let from = c.representativeTrialText { body.append(.el("p", text: "From \(from): a time series is one trial's.")) }
            body.append(.el("div", [("class", "panels")], charts.compactMap { $0 }))
        }
        return section(
            "over-time", "Over time",
            caption: "Each case in slices of its interval. A ringed point is a stall: a slice under \(Int(IntervalFigures.stallShare * 100))% of the case's median slice rate, where the median slice holds at least 10 messages (20 with Poisson arrivals); with fewer none is flagged.",
            body)
    }
}
