import VsockBenchStats
import VsockBenchSupport

extension Comparison {
    /// What the tables and notes say, independent of how they are written (terminal or markdown).
    struct Layout {
        var preamble: String
        var main: (columns: [String], rightAligned: Set<Int>, rows: [[String]])
        var costs: (columns: [String], rightAligned: Set<Int>, rows: [[String]])
        var legend: [String]
        /// Sections below the tables: a heading and its lines, each a case's name (nil for none) and text.
        var sections: [(heading: String, lines: [(name: String?, text: String)], itemized: Bool)]
    }

    var layout: Layout {
        let base = baselineRow
        let repeated = rows.contains { $0.trials > 1 }
        // When the first case measured nothing (skipped) or failed, the baseline is a later one:
        // said; and a baseline that failed itself (no case passed) is said to be cut short.
        let before = rows.prefix { $0.name != base?.name }.map(\.name)
        var against = before.isEmpty || base == nil ? baseline
            : "\(baseline), the first case that measured and passed (\(before.joined(separator: ", ")): skipped or failed)"
        if let base, !base.verified, !base.skipped { against += " (no case passed: the baseline failed, its figures cut short)" }
        let preamble = repeated
            ? "median of up to \(rows.map(\.trials).max() ?? 1) trials per case, \(IntervalText.meaning) \(Self.intervalName(rows)); x = ratio to \(against)"
            : "one trial per case: single samples, so no difference can be told from noise (--repeat N: medians with their intervals, noise verdicts); x = ratio to \(against)"
        let main = (
            columns: ["case", "workload", "front", "Mbps (payload)", "Mbps x", "msgs/s", "p50 x", "p99 x", "cpu x", "tgt cpu x", "noise"],
            rightAligned: Set(3...9),
            rows: rows.map { r in
                [r.name, r.workload, r.pareto == true ? "*" : "", Self.mbpsText(r), Self.mbpsRatioText(r, base), r.measuredNothing ? "-" : r.cell(.msgsPerSecond, r.msgsPerSecond, places: 0),
                 Self.ratio(r.p50Ratio), Self.ratio(r.p99Ratio), Self.ratio(r.cpuRatio), Self.ratio(r.targetCPURatio), r.noise.cell]
            })
        let probe = rows.contains { $0.exitsPerMessage != nil || $0.vsockPacketsPerMessage != nil }
        let costs = (
            columns: ["case", "p50 us", "p99 us", "cpu us", "tgt cpu us", "wr", "rd", "tgt wr", "tgt rd"] + (probe ? ["exits", "vsock pkts"] : []) + ["verified"],
            rightAligned: Set(1...(probe ? 10 : 8)),
            rows: rows.map { r in
                [r.name, r.cell(.latencyP50, r.p50Micros), r.cell(.latencyP99, r.p99Micros), r.cell(.driverCPU, r.cpuMicrosPerMessage),
                 r.cell(.targetCPU, r.targetCPUMicrosPerMessage), Format.fixed(r.writesPerMessage, 2), Format.fixed(r.readsPerMessage, 2),
                 Format.fixed(r.targetWritesPerMessage, 2), Format.fixed(r.targetReadsPerMessage, 2)]
                    + (probe ? [Format.fixed(r.exitsPerMessage, 2), Format.fixed(r.vsockPacketsPerMessage, 2)] : [])
                    + [r.skipped ? "skipped" : r.verified ? "yes" : r.interrupted ? "cut short" : "NO"]
            })
        let legend = [
            "front *: on its workload's Pareto front: no other verified case of its kind has at least its throughput (rr, masked: msgs/s; stream: Mbps) and at most its p99, better on one (medians)",
            "Mbps x: per direction (A/Bx = tx/rx when they differ); msgs/s, p50, p99, cpu x: like workloads only (else -)",
            "noise: each case's throughput against \(baseline)'s; better/worse = beyond the noise by CI (95% intervals apart) or U (two-sided Mann-Whitney U on the trials, alpha \(alpha))",
        ]
        var sections: [(heading: String, lines: [(name: String?, text: String)], itemized: Bool)] = []
        let others = rows.filter { $0.name != base?.name }
        if !others.isEmpty {
            sections.append((heading: "noise against \(baseline):", lines: noiseLines(Array(others)), itemized: false))
            sections.append((heading: "knobs that differ from \(baseline):", lines: others.map { r in
                (name: r.name, text: r.knobs.isEmpty ? "none (the same config)" : r.knobs.map(\.text).joined(separator: ", "))
            }, itemized: true))
        }
        if let budget = p99Budget {
            sections.append((heading: "p99 under \(Quantities.formatDuration(UInt64((budget.budgetMicros * 1000).rounded()))) (the most msgs/s; with trials the upper end of the p99 interval is checked):",
                             lines: budget.lines.map { (name: nil, text: $0) }, itemized: false))
        }
        if !machineNotes.isEmpty {
            sections.append((heading: "the machine beside the run (a busy one is no fair side of a comparison):",
                             lines: machineNotes.map { (name: $0.name, text: $0.text) }, itemized: true))
        }
        return Layout(preamble: preamble, main: main, costs: costs, legend: legend, sections: sections)
    }

    /// What the second table holds.
    static let costsHeading = "Per message (latency to the verified response from ready-to-send, or open-loop send time; cpu us; our writes and reads)"

    /// The side-by-side tables for a terminal, then the notes, each line at most `width` columns
    /// where words allow.
    public func text(width: Int = 120) -> String {
        let l = layout
        var main = TextTable(columns: l.main.columns, rightAligned: l.main.rightAligned)
        for row in l.main.rows { main.add([Terminal.safe(row[0])] + row.dropFirst()) }
        var costs = TextTable(columns: l.costs.columns, rightAligned: l.costs.rightAligned)
        for row in l.costs.rows { costs.add([Terminal.safe(row[0])] + row.dropFirst()) }
        var out = Self.wrap(Terminal.safe(l.preamble), width: width, indent: 2) + main.render()
        out += l.legend.map { Self.wrap(Terminal.safe($0), width: width, indent: 2) }.joined() + "\n"
        out += Self.costsHeading.prefix(1).lowercased() + Self.costsHeading.dropFirst() + "\n"
        out += costs.render()
        for section in l.sections {
            out += "\n" + Self.wrap(Terminal.safe(section.heading), width: width, indent: 2)
            for line in section.lines {
                let text = line.name.map { Terminal.safe($0) + ": " } ?? ""
                out += Self.wrap("  " + text + Terminal.safe(line.text), width: width, indent: 6, atItems: section.itemized)
            }
        }
        return out
    }

    /// The same as GitHub-flavoured markdown.
    public func markdown(title: String) -> String {
        let l = layout
        func table(_ columns: [String], _ right: Set<Int>, _ rows: [[String]]) -> String {
            var out = "| " + columns.map(Markup.markdownCell).joined(separator: " | ") + " |\n"
            out += "|" + columns.indices.map { right.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|\n"
            for row in rows { out += "| " + row.map(Markup.markdownCell).joined(separator: " | ") + " |\n" }
            return out
        }
        var out = "## \(Markup.markdownCell(title))\n\n\(Markup.markdownCell(l.preamble))\n\n"
        out += table(l.main.columns, l.main.rightAligned, l.main.rows) + "\n"
        out += l.legend.map { "- " + Markup.markdownCell($0) + "\n" }.joined() + "\n"
        out += Self.costsHeading + ":\n\n"
        out += table(l.costs.columns, l.costs.rightAligned, l.costs.rows)
        for section in l.sections {
            out += "\n**\(Markup.markdownCell(section.heading))**\n\n"
            for line in section.lines {
                out += "- " + (line.name.map { "**" + Markup.markdownCell($0) + "**: " } ?? "") + Markup.markdownCell(line.text) + "\n"
            }
        }
        return out
    }

    /// Each case's verdicts on throughput and p99; said once when every case is a single
    /// sample, and the trial count that would let the test decide said once.
    func noiseLines(_ others: [Row]) -> [(name: String?, text: String)] {
        let verdicts = others.flatMap { [$0.noise] + ($0.p99Noise.map { [$0] } ?? []) }
        if !verdicts.isEmpty, verdicts.allSatisfy({ $0.rule == .singleSample }) {
            return [(name: nil, text: "single samples: no difference can be told from noise (--repeat N, 4 or more, for verdicts)")]
        }
        var lines: [(name: String?, text: String)] = others.map { r in
            if r.skipped { return (name: r.name, text: "skipped: not measured") }
            // As a skipped one: "msgs/s not measured on both sides" did not say which side
            // failed before it measured.
            if r.measuredNothing { return (name: r.name, text: (r.interrupted ? "cut short" : "failed") + ": not measured") }
            var text = Self.figureName(r.noise.figure) + ": " + r.noise.brief
            if let p99 = r.p99Noise { text += "; p99: " + p99.brief }
            return (name: r.name, text: text)
        }
        if let few = verdicts.first(where: { $0.rule == .tooFewTrials }), few.trials.count == 2 {
            let best = MannWhitneyU.smallestPValue(n1: few.trials[0], n2: few.trials[1])
            lines.append((name: nil, text: "too few trials: \(few.trials[0]) against \(few.trials[1]) can reach at best p = \(Format.fixed(best, 3)), "
                + "not \(alpha): --repeat \(NoiseVerdict.enoughTrials(alpha)) or more lets the U test decide"))
        }
        return lines
    }

    /// The interval the ± reaches to: `95% interval`, or, when a case has too few trials for that
    /// (fewer than 6), the trials' range with the coverage of the fewest trials.
    static func intervalName(_ rows: [Row]) -> String {
        intervalName(fewestTrials: rows.map(\.trials).filter { $0 > 1 }.min())
    }

    /// The same for a table whose cases have at least `fewestTrials` trials (`run`'s).
    static func intervalName(fewestTrials: Int?) -> String {
        guard let fewest = fewestTrials,
              let ranks = try? OrderStatisticRanks(sampleSize: fewest, confidence: CaseSummary.confidence), !ranks.reachesConfidence
        else { return "95% interval" }
        return "interval (95% from 6 trials; with \(fewest) the trials' range, \(Format.fixed(ranks.coverage * 100, 0))% coverage)"
    }

    // MARK: cells

    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        if value >= 100 { return Format.fixed(value, 0) + "x" }
        if value >= 10 { return Format.fixed(value, 1) + "x" }
        // Two places read 0.00x for masked against rr (0.0012 of its Mbps): under 0.01, two
        // significant figures, as the JSON keeps them.
        // Rounded first: 0.00999 is 0.010 to two figures, which reads 0.01x as 0.01 does.
        if value > 0, value < 0.01, value.rounded(toPlaces: Format.places(significant: 2, of: value)) < 0.01 {
            return Format.fixed(value, Format.places(significant: 2, of: value)) + "x"
        }
        return Format.fixed(value, 2) + "x"
    }

    /// `1342 each way`, `32115 tx`, `643 tx / 700 rx`: payload Mbps as the case moved it.
    /// Each direction with its interval when the row has trials (as `run`'s table shows it).
    static func mbpsText(_ r: Row) -> String {
        if r.mbpsTx == 0, r.mbpsRx == 0 { return "-" }
        let tx = r.cell(.mbpsTx, r.mbpsTx)
        let rx = r.cell(.mbpsRx, r.mbpsRx)
        if r.mbpsRx == 0 { return tx + " tx" }
        if r.mbpsTx == 0 { return rx + " rx" }
        if PayloadDirection.alike(r.mbpsTx, r.mbpsRx) { return tx + " each way" }
        return "\(tx) tx / \(rx) rx"
    }

    /// `3.05x` (each way alike), `3.05/3.10x` (tx/rx), `42.9x tx` (only tx compares).
    static func mbpsRatioText(_ r: Row, _ base: Row?) -> String {
        switch (r.mbpsTxRatio, r.mbpsRxRatio) {
        case let (tx?, rx?):
            if PayloadDirection.alike(tx, rx) { return ratio(tx) }
            return String(ratio(tx).dropLast()) + "/" + ratio(rx)
        case let (tx?, nil):
            return ratio(tx) + (r.mbpsRx > 0 || (base?.mbpsRx ?? 0) > 0 ? " tx" : "")
        case let (nil, rx?):
            return ratio(rx) + (r.mbpsTx > 0 || (base?.mbpsTx ?? 0) > 0 ? " rx" : "")
        case (nil, nil):
            return "-"
        }
    }

    static func figureName(_ key: String?) -> String {
        guard let key, let figure = Figure(rawValue: key) else { return "throughput" }
        switch figure {
        case .mbpsTx: return "Mbps tx"
        case .mbpsRx: return "Mbps rx"
        default: return figure.label
        }
    }

    /// `text` broken into lines of at most `width` columns, continuation lines indented: at
    /// spaces (a longer word stays whole), or with `atItems` at `, ` where a whole item fits
    /// on a line (a knob stays whole). Ends with a newline.
    static func wrap(_ text: String, width: Int, indent: Int, atItems: Bool = false) -> String {
        let lead = String(text.prefix { $0 == " " })
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = lead
        func add(_ piece: some StringProtocol) {
            let blank = line.allSatisfy { $0 == " " }
            let candidate = blank ? line + piece : line + " " + piece
            if candidate.count > width, !blank {
                lines.append(line)
                line = pad + piece
            } else {
                line = candidate
            }
        }
        let items = atItems ? text.dropFirst(lead.count).split(separator: ", ") : [text.dropFirst(lead.count)]
        for (i, item) in items.enumerated() {
            let piece = i < items.count - 1 ? item + "," : String(item)
            if pad.count + piece.count <= width {
                add(piece)
            } else {
                for word in piece.split(separator: " ") { add(word) }
            }
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Comparison.Row {
    /// `5005`, or `5005 ±120` when the row has an interval for the figure (``IntervalText``).
    func cell(_ figure: Figure, _ value: Double?, places: Int? = nil) -> String {
        IntervalText.cell(value, bounds: ci?[figure.rawValue]) { v in places.map { Format.fixed(v, $0) } ?? Format.compact(v) }
    }
}
