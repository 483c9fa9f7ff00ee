import FoundationEssentials
import VsockBenchModel
import VsockBenchStats
import VsockBenchSupport

/// Compares results against a baseline, case by case and figure by figure, each side pooled
/// over its files (every trial of every run).
///
/// A timing regresses only when three things say so: it moved the wrong way by more than the
/// tolerance; it moved beyond the spread the baseline's own runs show (drift between runs on a
/// shared machine is larger than the noise inside one); and a two-sided Mann-Whitney U test
/// on the trials finds the difference significant. With too few trials for any result to be
/// significant (one run of one trial against another), the tolerance decides alone and the
/// verdict says `unconfirmed`. A count per message is deterministic: it regresses when it
/// moves by more than its tight bound.
public enum RegressionCheck {
    public struct Options: Sendable {
        public var tolerances: CheckTolerances
        /// Compare only the cases both sides have (otherwise a case missing on one side is an error).
        public var casesInCommon: Bool
        /// Take timings as ratios to this case's, measured in the same rounds.
        public var reference: String?
        /// The baseline is a window of a history (`--history`): its advice is the history's.
        public var baselineFromHistory: Bool

        public init(tolerances: CheckTolerances = .standard, casesInCommon: Bool = false, reference: String? = nil, baselineFromHistory: Bool = false) {
            self.tolerances = tolerances
            self.casesInCommon = casesInCommon
            self.reference = reference
            self.baselineFromHistory = baselineFromHistory
        }
    }

    /// A timing of `name` failed: where the machine was busy beside the results' run (other
    /// programs or steal, `CPUSummary.machineWasBusy`) in a larger share of its measured trials
    /// than the baseline's, the slowdown may be the machine's. Trials without the machine's
    /// figures (older files, short intervals) are not counted on either side, and a baseline
    /// with none is said to be unmeasured, not quiet (review). Said, not excused: the gate
    /// cannot tell (a regression that spins more threads than there are CPUs looks the same).
    static func busyMachine(_ name: String, results: [RunDocument], baseline: [RunDocument]) -> String? {
        func measured(_ documents: [RunDocument]) -> [CaseFigures] {
            documents.compactMap { $0.cases.first { $0.name == name } }.filter { $0.skipped == nil }.flatMap(\.trialsInMedians)
                .filter { $0.cpu.machineStealShare != nil }
        }
        let now = measured(results), before = measured(baseline)
        let busyNow = now.filter(\.cpu.machineWasBusy), busyBefore = before.filter(\.cpu.machineWasBusy)
        guard !busyNow.isEmpty else { return nil }
        let baselineText: String
        if before.isEmpty {
            baselineText = "the baseline's machine was not measured"
        } else {
            guard Double(busyNow.count) / Double(now.count) > Double(busyBefore.count) / Double(before.count) else { return nil }
            baselineText = "the baseline's in \(busyBefore.count) of \(before.count)"
        }
        return "\(name): the machine was busy beside the results' run in \(busyNow.count) of \(now.count) trials (\(CPUSummary.busyText(busyNow))), \(baselineText): the slowdown may be the machine's, not the code's; measure again on a quiet machine before believing it"
    }

    public static func compare(
        results: [RunDocument], baseline: [RunDocument], options: Options = Options(),
        resultsPaths: [String] = ["results"], baselinePaths: [String] = ["baseline"]
    ) throws(CheckInputError) -> CheckReport {
        guard !results.isEmpty, !baseline.isEmpty else {
            throw .malformed(path: resultsPaths.first ?? "results", reason: "no documents to compare")
        }
        // One run given twice (a file twice, or a copy) would count as two: its trials twice
        // over halve the p-value, and two "runs" that agree exactly make a spread of zero.
        let (distinctResults, resultsPaths, repeatedResults) = distinctRuns(results, paths: resultsPaths)
        var (distinctBaseline, baselinePaths, repeatedBaseline) = distinctRuns(baseline, paths: baselinePaths)
        // A results run given as its own baseline too (the same file, or a copy: a CI gate with
        // a path mistyped) passed every figure against itself: it is left out of the baseline,
        // as --history leaves the checked run out, and a baseline of only such runs is no gate.
        let resultsIdentities = Set(distinctResults.map(runIdentity))
        let alignedBaseline = baselinePaths.count == distinctBaseline.count
        var selfCompared: [String] = []
        for index in distinctBaseline.indices.reversed() where resultsIdentities.contains(runIdentity(distinctBaseline[index])) {
            selfCompared.insert(alignedBaseline ? baselinePaths[index] : "document \(index + 1)", at: 0)
            distinctBaseline.remove(at: index)
            if alignedBaseline { baselinePaths.remove(at: index) }
        }
        if !selfCompared.isEmpty {
            if distinctBaseline.isEmpty { throw .baselineIsTheResults(paths: selfCompared) }
            repeatedBaseline.append("\(selfCompared.joined(separator: ", ")) \(selfCompared.count == 1 ? "is a run" : "are runs") of the results (scenario, start time, host and pid): left out of the baseline")
        }
        // Each run's latency as the median of its trials', also from files written when the
        // percentiles were pooled over every trial's messages.
        let results = distinctResults.map { $0.trialMedianLatency() }, baseline = distinctBaseline.map { $0.trialMedianLatency() }
        let first = results[0]
        let resultNames = names(results)
        let baselineNames = Set(names(baseline))
        // A case the results' run was interrupted before is the scenario's, not another's: it
        // fails below as not run, where it read as "different cases" (exit 2) advising a new
        // baseline, or passed unmentioned with --cases-in-common.
        let resultsNotRun = Set(results.flatMap { $0.notRun ?? [] })
        let missingInResults = names(baseline).filter { !resultNames.contains($0) && !resultsNotRun.contains($0) }
        let missingInBaseline = resultNames.filter { !baselineNames.contains($0) }
        if !options.casesInCommon, !missingInResults.isEmpty || !missingInBaseline.isEmpty {
            let baselineNotRun = Set(baseline.flatMap { $0.notRun ?? [] })
            throw .mismatchedCases(missingInResults: missingInResults, missingInBaseline: missingInBaseline, resultsPaths: resultsPaths, baselinePaths: baselinePaths,
                                   notRunInBaseline: missingInBaseline.filter(baselineNotRun.contains))
        }
        if options.casesInCommon, !resultNames.contains(where: baselineNames.contains) {
            // A gate that compared nothing must not pass.
            throw .noCasesInCommon(results: resultNames, baseline: names(baseline))
        }
        if let reference = options.reference, !resultNames.contains(reference) || !baselineNames.contains(reference) {
            throw .badTolerance("--reference \(reference): no such case on both sides; cases: \(resultNames.joined(separator: ", "))")
        }
        for name in resultNames where baselineNames.contains(name) {
            try requireComparable(name, results: results, baseline: baseline, baselinePaths: baselinePaths)
        }
        var report = CheckReport(
            resultsPaths: resultsPaths, baselinePaths: baselinePaths, tolerances: options.tolerances, reference: options.reference,
            rows: [], unverified: [], warnings: [])
        report.warnings += repeatedResults.map { "results: \($0)" } + repeatedBaseline.map { "baseline: \($0)" }
        let ungated = options.tolerances.ungatedThroughputs
        if !ungated.isEmpty {
            report.warnings.append("a tolerance of 100% or more for \(ungated.map(\.rawValue).joined(separator: ", ")): no drop of \(ungated.count == 1 ? "it" : "theirs") can fail the gate (a throughput cannot fall by 100% or more)")
        }
        report.warnings += comparabilityNotes(results: results, baseline: baseline)
        report.warnings += figuresApartFromTrials(results, paths: resultsPaths, side: "results")
            + figuresApartFromTrials(baseline, paths: baselinePaths, side: "baseline")
        if options.casesInCommon, !missingInResults.isEmpty || !missingInBaseline.isEmpty {
            report.warnings.append("compared the cases both sides have; left out: \((missingInResults + missingInBaseline).joined(separator: ", "))")
        }
        for name in resultNames where baselineNames.contains(name) {
            guard let now = first.cases.first(where: { $0.name == name }) ?? results.lazy.compactMap({ $0.cases.first { $0.name == name } }).first,
                  let before = baseline.lazy.compactMap({ $0.cases.first { $0.name == name } }).first else { continue }
            for (figure, kind) in CheckGate.figures(for: now.spec) {
                let reference = figure.isCount || name == options.reference ? nil : options.reference
                var nowSamples = CheckSamples.gather(figure, case: name, in: results, reference: reference)
                var baseSamples = CheckSamples.gather(figure, case: name, in: baseline, reference: reference)
                // Ratios on one side and values on the other are no comparison (a baseline whose
                // reference ran fewer trials than the case, or measured a zero, gave values, and
                // a ratio of 0.94 read as -100%): both sides in their own units then.
                var unitsWhy = reference.map { "\(Terminal.safe($0)) has no such figure to divide by" }
                if let reference, nowSamples.normalized != baseSamples.normalized {
                    let side = nowSamples.normalized ? "baseline's" : "results'"
                    nowSamples = CheckSamples.gather(figure, case: name, in: results, reference: nil)
                    baseSamples = CheckSamples.gather(figure, case: name, in: baseline, reference: nil)
                    unitsWhy = "the \(side) \(Terminal.safe(reference)) cannot divide it (its trials are not the case's, one for one, or its figure is 0) so neither side is a ratio"
                }
                var gated = row(figure, kind: kind, case: name, now: nowSamples, baseline: baseSamples, tolerances: options.tolerances)
                // A p99 of fewer than 100 messages is the slowest one: gated, but said (review).
                if figure == .latencyP99, let fewest = (results + baseline).compactMap({ $0.cases.first { $0.name == name } })
                    .flatMap({ $0.trialsInMedians.map(\.latencyCount) }).filter({ $0 > 0 }).min(), fewest < 100 {
                    gated.note = [gated.note, "from \(fewest) messages in a trial: p99 is that trial's slowest message, not a percentile (it needs 100)"].compactMap { $0 }.joined(separator: "; ")
                }
                // --reference asked for ratios; a figure the reference cannot divide (a stream
                // reference has no p99) is compared as it is: said, not silently.
                if let unitsWhy, !nowSamples.normalized, gated.verdict != .notCompared {
                    gated.note = [gated.note, "in its own units, not as a ratio: \(unitsWhy)"].compactMap { $0 }.joined(separator: "; ")
                }
                report.rows.append(gated)
            }
            explainCountsByThroughput(&report.rows, case: name)
            if baseline.contains(where: { $0.cases.first { $0.name == name }.map { !$0.verified && $0.skipped == nil } ?? false }) {
                report.warnings.append("baseline case \(name) was not verified; its figures are not a fair reference")
            }
            for (side, documents) in [("baseline", baseline), ("results", results)] {
                let cases = documents.compactMap { $0.cases.first { $0.name == name } }.filter { $0.skipped == nil }
                let all = cases.reduce(0) { $0 + $1.trials.count }
                let out = cases.reduce(0) { $0 + CaseFigures.leftOut($1.trials) }
                if out > 0 {
                    report.warnings.append("\(name): \(out) of the \(side == "results" ? "results'" : "baseline's") \(all) trials failed or measured nothing; left out of the comparison")
                }
            }
            // A skipped case's figures are zeros that were never measured: not compared, said once.
            for (side, documents) in [("baseline", baseline), ("results", results)] {
                if let reason = documents.lazy.compactMap({ $0.cases.first { $0.name == name }?.skipped }).first {
                    report.warnings.append("\(name): skipped in the \(side) (\(reason)); not compared")
                }
            }
            // An open-loop case that did not keep up (p99 is the latency row the gate has): its percentiles leave out the requests
            // never sent (and time the late ones from their send), so they understate the wait;
            // the gate compared a p99 the run itself called understated without a word (review).
            var behindSides: [String] = []
            for (side, documents) in [("baseline", baseline), ("results", results)] {
                let behind: [CaseResult] = documents.compactMap { (d: RunDocument) in d.cases.first { $0.name == name } }
                    .filter { (c: CaseResult) in c.skipped == nil && c.fellBehind }
                guard let first = behind.first else { continue }
                let counts: [KeptUpCount] = behind.compactMap { $0.keptUpCount }
                let trials = counts.reduce(0) { $0 + $1.of }, kept = counts.reduce(0) { $0 + $1.kept }
                let how = first.behindReport?.unsentText.map { ": \($0)" } ?? ""
                let which = trials > 1 ? " (\(trials - kept) of its \(trials) trials)" : ""
                report.warnings.append("\(name): the \(side == "results" ? "results'" : "baseline's") open loop did NOT keep up\(which)\(how); its latency understates the wait, so its latency verdicts compare understated figures")
                behindSides.append(side)
            }
            if !behindSides.isEmpty {
                let sides = behindSides.count == 2 ? "both sides" : "the \(behindSides[0])"
                for index in report.rows.indices where report.rows[index].caseName == name && (report.rows[index].figure == .latencyP50 || report.rows[index].figure == .latencyP99) {
                    let note = "\(sides) did not keep up its open-loop rate: this latency understates the wait"
                    report.rows[index].note = [report.rows[index].note, note].compactMap { $0 }.joined(separator: "; ")
                }
            }
            for difference in CaseConfig(before.spec).differences(from: CaseConfig(now.spec)) {
                report.warnings.append("\(name): \(difference) differs from the baseline")
            }
            if report.rows.contains(where: { $0.caseName == name && $0.verdict.fails && !$0.isCount }),
               let busy = busyMachine(name, results: results, baseline: baseline) {
                report.warnings.append(busy)
            }
        }
        // A verdict the tolerance alone made: said once, with the trials the test would need.
        // (3 against 3 cannot reach p <= 0.05; an unchanged build failed 70% of such checks
        // on this host's drift, review.)
        if let row = report.rows.first(where: { $0.verdict == .unconfirmed }) {
            let count = report.rows.filter { $0.verdict == .unconfirmed }.count
            let best = MannWhitneyU.smallestPValue(n1: row.samplesNow, n2: row.samplesBaseline)
            report.warnings.append("\(count) verdict\(count == 1 ? "" : "s") judged on the tolerance alone (unconfirmed): \(row.samplesNow) against \(row.samplesBaseline) trials cannot reach p <= \(Format.compact(options.tolerances.alpha)) (at best p = \(Format.fixed(best, 3))), so noise fails the gate whenever it moves a figure past the tolerance; --repeat \(NoiseVerdict.enoughTrials(options.tolerances.alpha)) or more on each side lets the test decide")
        }
        // One baseline run cannot show how much an unchanged build moves between runs.
        if baseline.count == 1, report.rows.contains(where: { $0.verdict.fails && !$0.isCount }) {
            // Under --history the advice is the history's: it said "use --history" to a gate using it.
            let advice = options.baselineFromHistory
                ? "add runs to the history (the window takes up to --window of them), or gate only once there are several (--history-min-runs 5)"
                : "pool several runs (--baseline a.json b.json c.json) or use --history"
            report.warnings.append("the baseline is one run: it cannot show how far an unchanged build moves between runs (often more than within one), so a drift can fail the gate; \(advice)")
        }
        // Probe counts the baseline has and the results lack went ungated: fails, said once.
        // A case skipped on either side has no probe because it did not run (said as skipped),
        // and one the results failed already fails as unverified: neither is "not probed" (review).
        // Runs that skipped it are set aside (not the whole case: one skipped baseline run of
        // three had dropped the gate, review).
        for name in resultNames where baselineNames.contains(name) {
            let ran = { (documents: [RunDocument]) in documents.compactMap { $0.cases.first { $0.name == name } }.filter { $0.skipped == nil } }
            let now = ran(results)
            if now.isEmpty || now.contains(where: { !$0.verified }) { continue }
            if ran(baseline).contains(where: { $0.probe != nil }), !now.contains(where: { $0.probe != nil }) { report.unprobed.append(name) }
        }
        // Every case of the results, gated or not: with --cases-in-common a case the baseline
        // lacks has nothing to be compared with, but a run that corrupted its messages still fails.
        for name in resultNames {
            for document in results {
                if let c = document.cases.first(where: { $0.name == name }), !c.verified, c.skipped == nil {
                    report.unverified.append(.init(caseName: name, errors: c.errors))
                }
            }
        }
        // An interrupted run's cases it never reached: not measured, so not passed.
        for (index, document) in results.enumerated() {
            let path = documentName(resultsPaths, of: results.count, at: index)
            for name in document.notRun ?? [] {
                report.unverified.append(.init(caseName: name, errors: ["not run: the run (\(path)) was interrupted before it; run the scenario to its end"]))
            }
        }
        return report
    }

    /// A case whose msgs/s is not the median of its trials': check compares the trials, so a
    /// figure edited by hand (or by a tool) changes nothing, and the report says so rather than
    /// trusting the trials without a word (review).
    static func figuresApartFromTrials(_ documents: [RunDocument], paths: [String], side: String) -> [String] {
        var notes: [String] = []
        for (index, document) in documents.enumerated() {
            // The note says the side before the path: "baseline document 1", never "baseline baseline document 1".
            let path = documentName(paths, of: documents.count, at: index)
            for c in document.cases where c.skipped == nil {
                let ran = c.trialsInMedians
                guard !ran.isEmpty, let median = Descriptive.median(ran.map(\.msgsPerSecond)) else { continue }
                // The written median is rounded to 0.1 msgs/s.
                func apart(_ m: Double) -> Bool { abs(c.figures.msgsPerSecond - m) > max(0.1, m * 1e-4) }
                guard apart(median) else { continue }
                // Files written before a failed trial was left out of the medians took every
                // trial that moved messages.
                if let every = Descriptive.median(c.trials.filter({ $0.messages > 0 }).map(\.msgsPerSecond)), !apart(every) { continue }
                let trials = ran.count == 1 ? "its trial's" : "the median of its \(ran.count) trials"
                notes.append("\(side) \(path): case '\(Terminal.safe(c.name))': msgs/s \(Format.compact(c.figures.msgsPerSecond)) is not \(trials) (\(Format.compact(median))): check compares the trials, not that figure (edited by hand?)")
            }
        }
        return notes
    }

    /// The documents with each run once (scenario, start time, driver host and pid: the
    /// history's identity of a run), their paths alike, and a note for each left out.
    /// How a note names document `index` of `count`: its path where there is one per
    /// document, else `document N` (1-based).
    static func documentName(_ paths: [String], of count: Int, at index: Int) -> String {
        paths.count == count ? paths[index] : "document \(index + 1)"
    }

    /// A run's identity: its scenario, start time, driver host and pid (the history's too).
    static func runIdentity(_ document: RunDocument) -> String {
        [document.scenario, document.startedAt, document.host.driver.hostname, String(document.host.driver.pid)].joined(separator: "\u{0}")
    }

    static func distinctRuns(_ documents: [RunDocument], paths: [String]) -> ([RunDocument], [String], [String]) {
        let aligned = paths.count == documents.count
        var seen: [String: Int] = [:]
        var kept: [RunDocument] = [], keptPaths: [String] = [], notes: [String] = []
        for (index, document) in documents.enumerated() {
            let identity = runIdentity(document)
            let path = documentName(paths, of: documents.count, at: index)
            if let first = seen[identity] {
                notes.append("\(path) is the same run as \(documentName(paths, of: documents.count, at: first)) (scenario, start time, host and pid): counted once")
                continue
            }
            seen[identity] = index
            kept.append(document)
            if aligned { keptPaths.append(path) }
        }
        return (kept, aligned ? keptPaths : paths, notes)
    }

    /// A case both sides have must be the same measurement, and the baseline's must have a
    /// trial to compare with: otherwise the gate would judge nothing, or apples against
    /// oranges, and pass.
    static func requireComparable(_ name: String, results: [RunDocument], baseline: [RunDocument], baselinePaths: [String]) throws(CheckInputError) {
        let before = baseline.compactMap { $0.cases.first { $0.name == name } }
        let now = results.compactMap { $0.cases.first { $0.name == name } }
        if let b = before.first, let n = now.first, b.spec.workload.kind != n.spec.workload.kind {
            throw .differentWorkload(name: name, baseline: b.spec.workload.kind.rawValue, results: n.spec.workload.kind.rawValue)
        }
        // In process (`--target null`) there is no socket: no write or read to count, no kernel
        // in the time. Against a run over a socket every count read "REGRESSED from 0" (review).
        let inProcess = { (c: CaseResult) in c.transport == InProcessKnobs.transport }
        let ranBefore = before.filter { $0.skipped == nil }, ranNow = now.filter { $0.skipped == nil }
        let inBefore = ranBefore.contains(where: inProcess), inNow = ranNow.contains(where: inProcess)
        if let b = ranBefore.first, let n = ranNow.first, inBefore != inNow {
            throw .inProcessAgainstSocket(name: name, baseline: inBefore ? InProcessKnobs.transport : b.transport, results: inNow ? InProcessKnobs.transport : n.transport)
        }
        let ran = before.filter { $0.skipped == nil }
        if !ran.isEmpty, !ran.contains(where: { $0.trials.contains(where: \.counts) }) {
            let paths = baselinePaths.count == baseline.count
                ? zip(baseline, baselinePaths).filter { d, _ in d.cases.contains { $0.name == name && $0.skipped == nil } }.map(\.1)
                : baselinePaths
            throw .unusableBaselineCase(name: name, paths: paths)
        }
    }

    /// A count per message that depends on timing (`gated as a timing`), worse while the
    /// case's throughput improved: messages came sooner, so fewer arrive per read (or leave
    /// per batched write). An unchanged build that ran faster failed on reads/msg +39% beside
    /// msgs/s +34% (review). Not a regression, and said.
    static func explainCountsByThroughput(_ rows: inout [CheckReport.Row], case name: String) {
        let throughput: Set<Figure> = [.msgsPerSecond, .mbpsTx, .mbpsRx]
        let gains = rows.filter { $0.caseName == name && throughput.contains($0.figure) && $0.verdict == .improved }
        guard let gain = gains.first else { return }
        for index in rows.indices where rows[index].caseName == name && rows[index].dependsOnTiming
            && [.regressed, .unconfirmed, .notSignificant, .withinNoise].contains(rows[index].verdict) {
            rows[index].verdict = .explained
            let change = gain.change.map { " (\($0 >= 0 ? "+" : "")\(Format.compact($0 * 100))%)" } ?? ""
            rows[index].note = (rows[index].note ?? "") + "; \(gain.figure.label) improved\(change): messages came sooner, so fewer share a read or a batched write; not a regression"
        }
    }

    /// A bound widened by binary rounding's width: a change exactly on it is within it.
    static func onTheBound(_ tolerance: Double) -> Double { tolerance * (1 + 1e-9) }

    /// The counts whose every trial is gated where the baseline's trials agree.
    static let exactCodePath: Set<Figure> = [.writesPerMessage, .readsPerMessage, .targetWritesPerMessage, .targetReadsPerMessage]

    /// One figure of one case.
    static func row(_ figure: Figure, kind: CheckGate.Kind, case name: String, now: CheckSamples, baseline: CheckSamples,
                    tolerances: CheckTolerances) -> CheckReport.Row {
        var row = CheckReport.Row(caseName: name, figure: figure, isCount: kind == .count, baseline: baseline.median, now: now.median,
                                  change: nil, tolerance: tolerances.fraction(for: figure), verdict: .notCompared)
        row.samplesNow = now.values.count
        row.samplesBaseline = baseline.values.count
        row.normalized = now.normalized
        guard let base = baseline.median, let current = now.median else {
            func absent(_ samples: CheckSamples, _ side: String) -> String {
                samples.skipped != nil ? "skipped in the \(side)" : samples.noTrialCounts ? "no trial measured and verified in the \(side)" : "not in the \(side)"
            }
            if !baseline.isEmpty || !now.isEmpty {
                row.note = baseline.isEmpty ? absent(baseline, "baseline") : absent(now, "results")
            }
            return row
        }
        if base != 0 { row.change = (current - base) / abs(base) }
        // A count the baseline itself shows varying (beyond its bound) depends on timing here.
        var kind = kind
        if kind == .count, baseline.values.count >= 2, let lo = baseline.values.min(), let hi = baseline.values.max(),
           hi - lo > tolerances.countAllowance(for: figure, baseline: base) {
            kind = .variableCount(why: "it varies between the baseline's trials (\(Format.compact(lo))-\(Format.compact(hi)))")
        }
        row.isCount = kind == .count
        switch kind {
        case .count:
            row.tolerance = tolerances.countAllowance(for: figure, baseline: base)
            let sign = figure.higherIsBetter ? -1.0 : 1.0
            // A value on the bound is within it: 1.02 - 1.00 is 0.020000000000000018 in binary,
            // and 1.02 writes/msg against 1.00 read as a regression at ±0.02 (review).
            let bound = Self.onTheBound(row.tolerance)
            // Writes and reads per message that the baseline's trials show steady are a code
            // path: a change in any trial of the results is that path changing, not noise. The
            // median alone passed writes/msg [1, 1, 9] against [1, 1, 1] (review). Judged by
            // the worst trial then. Not the other counts: wire bytes of varying sizes follow
            // which messages a trial sent (a short trial's 35358 against 34495 B failed an
            // unchanged build, review), and the probe's counts take in other traffic.
            if Self.exactCodePath.contains(figure), baseline.values.count >= 2, now.values.count >= 2,
               let worst = figure.higherIsBetter ? now.values.min() : now.values.max(),
               sign * (worst - base) > bound, sign * (current - base) <= bound {
                let times = now.values.filter { sign * ($0 - base) > bound }.count
                row.now = worst
                if base != 0 { row.change = (worst - base) / abs(base) }
                row.note = "its worst trial (\(times) of \(now.values.count) beyond the bound; their median \(Format.compact(current))): the baseline's \(baseline.values.count) trials are steady, so this count is a code path"
                row.verdict = .regressed
                return row
            }
            let worse = sign * (current - base)
            row.verdict = worse > bound ? .regressed : (-worse > bound ? .improved : .held)
            return row
        case let .variableCount(why):
            row.note = "gated as a timing: \(why)"
            row.dependsOnTiming = true
            row.tolerance = tolerances.variableCountFraction(for: figure)
        case .timing:
            break
        }
        return timing(row, figure: figure, now: now, baseline: baseline, tolerances: tolerances)
    }

    /// The timing rule: minimum effect, beyond the baseline runs' spread, significant.
    private static func timing(_ row: CheckReport.Row, figure: Figure, now: CheckSamples, baseline: CheckSamples,
                               tolerances: CheckTolerances) -> CheckReport.Row {
        var row = row
        guard let base = row.baseline, let current = row.now else { return row }
        let sign = figure.higherIsBetter ? -1.0 : 1.0
        let tolerance = row.tolerance
        let worse: Double
        if base != 0 {
            worse = sign * (current - base) / abs(base)
        } else {
            worse = current == 0 ? 0 : (sign * current > 0 ? .infinity : -.infinity)
        }
        let test = MannWhitneyU(now.values, baseline.values)
        let reachable = (try? MannWhitneyU.canReachSignificance(n1: now.values.count, n2: baseline.values.count, alpha: tolerances.alpha)) ?? false
        if reachable, let test { row.pValue = test.pValue.rounded(toPlaces: 4) }
        // Significant at p <= alpha, the rule `reachable` is made with (and `compare`'s): with `<`
        // the smallest p that makes a test reachable (3 against 3 at alpha 0.1) never counts.
        let significant = reachable && (test.map { $0.pValue <= tolerances.alpha } ?? false)
        // A change on the bound is within it (binary rounding: see the counts).
        let bound = Self.onTheBound(tolerance)
        if worse <= bound {
            row.verdict = -worse > bound && (significant || !reachable) ? .improved : .held
            // As a regression judged on so few trials is "unconfirmed", so is such a gain.
            if row.verdict == .improved, !reachable {
                row.note = [row.note, "unconfirmed: too few trials for the test (\(now.values.count) against \(baseline.values.count)), the tolerance alone"].compactMap { $0 }.joined(separator: "; ")
            }
            return row
        }
        // Beyond the spread of the baseline's own runs? Measured from its worst run.
        if baseline.perRun.count >= 2, let worst = figure.higherIsBetter ? baseline.perRun.min() : baseline.perRun.max(), worst != 0 {
            let worseThanWorst = sign * (current - worst) / abs(worst)
            if worseThanWorst <= tolerance {
                let lo = baseline.perRun.min() ?? worst, hi = baseline.perRun.max() ?? worst
                row.verdict = .withinNoise
                // The limit applied is the worst run's, not the median's: said, since the
                // table's limit column shows the tolerance against the median.
                let limit = "limit from its worst run, \(Format.compact(worst)) \(figure.higherIsBetter ? "-" : "+")\(CheckTolerances.percentText(tolerance))"
                row.note = [row.note, "the baseline's \(baseline.perRun.count) runs ranged \(Format.compact(lo))-\(Format.compact(hi)) (\(limit))"].compactMap { $0 }.joined(separator: "; ")
                // Excused by one slow baseline run while the trials say otherwise: said, so a
                // regression hidden behind an outlier of the baseline is seen (review).
                if significant, let p = row.pValue {
                    row.note = (row.note ?? "") + "; but significant against the baseline's trials (p \(Format.compact(p))): it passes on the worst run alone; if the next run is as \(figure.higherIsBetter ? "low" : "high"), take it as a regression (or refresh the baseline)"
                }
                return row
            }
        }
        if !reachable {
            row.verdict = .unconfirmed
        } else {
            row.verdict = significant ? .regressed : .notSignificant
        }
        return row
    }

    private static func names(_ documents: [RunDocument]) -> [String] {
        var names: [String] = []
        for document in documents {
            for c in document.cases where !names.contains(c.name) { names.append(c.name) }
        }
        return names
    }

    static func comparabilityNotes(results: [RunDocument], baseline: [RunDocument]) -> [String] {
        var notes: [String] = []
        func values(_ documents: [RunDocument], _ read: (RunDocument) -> String?) -> Set<String> { Set(documents.compactMap(read)) }
        // Cases are matched by name: another scenario's cases of the same names passed unremarked.
        let scenarios = (values(baseline) { $0.scenario }, values(results) { $0.scenario })
        if scenarios.0 != scenarios.1 {
            notes.append("scenario differs: \(scenarios.0.sorted().map(Terminal.safe).joined(separator: ", ")) in the baseline, \(scenarios.1.sorted().map(Terminal.safe).joined(separator: ", ")) now (cases are matched by name)")
        }
        let transports = (values(baseline) { $0.transport }, values(results) { $0.transport })
        if transports.0 != transports.1 {
            notes.append("transport differs: \(transports.0.sorted().joined(separator: ", ")) in the baseline, \(transports.1.sorted().joined(separator: ", ")) now")
        }
        let driver = (values(baseline) { $0.host.driverKernel }, values(results) { $0.host.driverKernel })
        if driver.0 != driver.1 {
            notes.append("driver kernel differs: \(driver.0.sorted().joined(separator: ", ")) in the baseline, \(driver.1.sorted().joined(separator: ", ")) now")
        }
        // Another machine, or the same with other CPUs: its figures are not this one's (diagnose
        // --from --verify names these too; check said nothing).
        let hosts = (values(baseline) { $0.host.driver.hostname }, values(results) { $0.host.driver.hostname })
        if hosts.0 != hosts.1 {
            notes.append("driver host differs: \(hosts.0.sorted().map(Terminal.safe).joined(separator: ", ")) in the baseline, \(hosts.1.sorted().map(Terminal.safe).joined(separator: ", ")) now")
        }
        let cpus = (values(baseline) { String($0.host.driver.cpus) }, values(results) { String($0.host.driver.cpus) })
        if cpus.0 != cpus.1 {
            notes.append("driver CPUs differ: \(cpus.0.sorted().joined(separator: ", ")) in the baseline, \(cpus.1.sorted().joined(separator: ", ")) now")
        }
        // A debug build's timings are its unoptimised code's: said whichever side it is (an older
        // file that does not say is unknown, not a difference).
        // The target's build is its hello ack's (nil from a target older than the key, and where
        // no target answered: in process, replay).
        let driverBuilds = (values(baseline) { $0.host.build }, values(results) { $0.host.build })
        let targetBuilds = (values(baseline) { $0.host.target?.build }, values(results) { $0.host.target?.build })
        for (role, builds) in [("driver", driverBuilds), ("target", targetBuilds)] {
            let differ = !builds.0.isEmpty && !builds.1.isEmpty && builds.0 != builds.1
            if differ || builds.0.contains(RunDocument.Build.debug) || builds.1.contains(RunDocument.Build.debug) {
                func side(_ set: Set<String>) -> String { set.isEmpty ? "not recorded" : set.sorted().map(Terminal.safe).joined(separator: ", ") }
                notes.append("\(role) build \(differ ? "differs" : "is debug"): \(side(builds.0)) in the baseline, \(side(builds.1)) now (a debug build's timings are not the tool's: build with `swift build -c release`)")
            }
        }
        let target = (values(baseline) { $0.host.targetKernel }, values(results) { $0.host.targetKernel })
        if !target.0.isEmpty, !target.1.isEmpty, target.0 != target.1 {
            notes.append("target kernel differs: \(target.0.sorted().joined(separator: ", ")) in the baseline, \(target.1.sorted().joined(separator: ", ")) now (vsock credit behaviour changed in 5.4)")
        }
        return notes
    }
}
