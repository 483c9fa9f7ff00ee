import VsockBenchSupport

extension Diagnoser {
    /// The verdicts as text: per case, each verdict with its evidence, advice, prediction and,
    /// after `--verify`, what the fixed case measured; then how many predictions held.
    public static func render(_ document: RunDocument) -> String {
        // A debug build's timings make verdicts of its own slowness (processing bound): said
        // first, as run says it under its table (`diagnose --from` says the file's build).
        var out = RunTable.buildLine(document) ?? ""
        for c in document.cases {
            out += "\(c.name) (\(c.workload), Mbps \(c.mbpsText), \(Format.fixed(c.msgsPerSecond, 0)) msgs/s)\n"
            if let skipped = c.skipped {
                out += "  skipped: \(skipped)\n\n"
                continue
            }
            // An open-loop case's rate is the schedule's while it keeps up: its own verdict
            // (kept up, or who fell behind) comes first, as `run` prints it.
            if let openLoop = c.openLoop {
                out += "  open loop: \(openLoop.verdict)\n"
                if !openLoop.keptUp, openLoop.lateWasDriver {
                    out += "  note: the driver fell behind its own schedule, so this case measured what this machine's driver could send; a verdict below speaks of that, not of the target or the channel\n"
                }
            }
            guard let verdicts = c.diagnosis, !verdicts.isEmpty else {
                if !c.verified {
                    out += "  not diagnosed: the case failed (\(c.errors.first ?? "no messages"))\n\n"
                } else if let openLoop = c.openLoop, openLoop.keptUp {
                    out += "  no verdict: it kept its schedule, so its rate is the rate offered and no limit shows at this load; `sweep --rates` finds the rate it cannot keep\n\n"
                } else {
                    out += "  no verdict: the evidence does not point at any of the known causes\n\n"
                }
                continue
            }
            // A case that failed but measured something (interrupted, or a message lost) is
            // diagnosed from what it measured: said first, so its verdicts are not read as
            // those of a whole run (an interrupted diagnose printed them unqualified: review).
            if !c.verified {
                // Cut short by the interrupt is no failure of the channel (it read "FAILED (interrupted)").
                let why = c.cutShort ? "interrupted (cut short)" : "FAILED (\(Terminal.safe(c.errors.first ?? "not verified")))"
                out += "  \(why): the verdicts below are from what it measured before, \(Format.fixed(c.durationSeconds, 2)) s\n"
            }
            for d in verdicts {
                let trials = d.trials > 1 ? ", \(d.trialsFiring) of \(d.trials) trials" : ""
                out += "  \(d.id.rawValue) (confidence \(Format.fixed(d.confidence, 2))\(trials))\n"
                for line in d.evidence { out += "    - \(line)\n" }
                out += "    advice: \(d.advice)\n"
                if let gain = d.predictedGain { out += "    predicted: \(gain)\n" }
                if let v = d.verified, let p = d.predicted { out += "    verified: \(verificationText(v, p))\n" }
            }
            out += "\n"
        }
        if let summary = verificationSummary(document.cases) { out += summary + "\n" }
        // The cases an interrupt came before are in no section above: named, as stderr and
        // the JSON's not_run name them (the report ended as if the scenario had, review).
        if let left = document.notRun, !left.isEmpty {
            out += "not run: interrupted before \(left.count == 1 ? "case" : "cases") \(left.map { Terminal.safe($0) }.joined(separator: ", "))\n"
        }
        return out
    }

    /// `c+window-8 measured 61234 msgs/s: inside 21000-88000` or `... MISS, above 21000-48000`,
    /// with the drift of the case measured again beside it.
    static func verificationText(_ v: Verification, _ p: Prediction) -> String {
        let range = "\(PredictionBounds.format(p.low, p.metric))-\(PredictionBounds.format(p.high, p.metric)) \(PredictionBounds.unit(p.metric))"
        guard let measured = v.measured else {
            // Nothing measured (a fixed case that failed, was skipped or did not run) checks
            // nothing: no miss of the model (it read "MISS", review).
            return "\(v.caseName) not measured (\(v.error ?? "no measurement")): the prediction \(range) is not checked"
        }
        let value = "\(PredictionBounds.format(measured, p.metric)) \(PredictionBounds.unit(p.metric))"
        // The fixed case's own interval over its trials: 95% from 6 trials, their range below.
        // Without one, a single trial: one sample, which a later run may differ from by its spread.
        let ci = v.measuredCI.map { " (its trials' interval \(PredictionBounds.format($0[0], p.metric))-\(PredictionBounds.format($0[1], p.metric)))" } ?? " (a single sample: one trial, no interval)"
        var text = v.within
            ? "\(v.caseName) measured \(value)\(ci): inside \(range)"
            : v.inconclusive != nil ? "\(v.caseName) measured \(value)\(ci): INCONCLUSIVE, its median \(measured > p.high ? "above" : "below") \(range)"
            : "\(v.caseName) measured \(value)\(ci): MISS, \(measured > p.high ? "above" : "below") \(range)"
        if let why = v.inconclusive { text += " (\(why): this check is inconclusive)" }
        // A miss below the range that made the case slower says so, as the JSON's outcome does
        // (it said only MISS, review).
        if !v.within, let gain = gain(v, p), gain <= 1 - noGain {
            text += "; a gain of \(Say.x(gain)) over the case \(v.referenceMeasured != nil ? "measured again beside it" : "as diagnosed"): the fix made it WORSE"
        }
        if let drift = v.drift, let again = v.referenceMeasured, let held = v.withinAfterDrift {
            text += "; the case itself measured \(PredictionBounds.format(again, p.metric)) beside it (\(Say.x(drift)) of the diagnosed run), so \(PredictionBounds.format(measured / drift, p.metric)) without the drift: \(held ? "inside" : "outside")"
            // A range a sibling bounded is that sibling's measurement, whose own drift was not
            // measured: the case's stands in for it, and the reader is told (review).
            if let sibling = p.boundedBy.last(where: { $0.hasPrefix("sibling ") }) {
                text += " (the range came from \(sibling), measured in the diagnosed run; its own drift was not measured, so the case's stands in for it)"
            }
        }
        if let differences = v.setupDifferences, !differences.isEmpty {
            text += "; it ran in another setup than the diagnosed run (\(differences.map { Terminal.safe($0) }.joined(separator: "; "))), so \(v.drift != nil ? "the drift measures that difference as well as the machine's" : "it measures that difference as well as the fix")"
        }
        if v.within, let gain = gain(v, p), gain < 1 + noGain {
            let over = "over the case \(v.referenceMeasured != nil ? "measured again beside it" : "as diagnosed")"
            text += gain <= 1 - noGain
                ? "; but a gain of \(Say.x(gain)) \(over): the fix made it WORSE, which the range allowed at its low end, so this contradicts the fix"
                : "; but a gain of \(Say.x(gain)) \(over): no gain, which the range allowed at its low end, so this does not confirm the fix"
        }
        return text
    }

    /// A gain below this (5%) is none: within what two runs of the same case differ by.
    static let noGain = 0.05

    /// `gain`, `none` or `worse` (``Verification/outcome``).
    static func outcome(gain: Double) -> String {
        gain >= 1 + noGain ? "gain" : gain <= 1 - noGain ? "worse" : "none"
    }

    /// The fixed case's figure over the unfixed case's (the case measured again beside the
    /// fix where it was, else as diagnosed), as a gain: above 1, better, for either direction
    /// of the figure (throughput up, latency down).
    static func gain(_ v: Verification, _ p: Prediction) -> Double? {
        guard let measured = v.measured, measured > 0, let before = v.referenceMeasured ?? p.now, before > 0 else { return nil }
        return p.metric.higherIsBetter ? measured / before : before / measured
    }

    /// `verify: 5 of 7 predictions inside their range (6 of 7 without the drift); misses: ...`;
    /// nil when nothing was verified. A fixed case that measured nothing (failed, skipped, not
    /// run) is counted apart, as not measured: no hit and no miss.
    public static func verificationSummary(_ cases: [CaseResult]) -> String? {
        let all = cases.flatMap { c in (c.diagnosis ?? []).compactMap { d in d.verified.map { (c.name, d, $0) } } }
        guard !all.isEmpty else { return nil }
        // An inconclusive check is counted apart: neither hit nor miss.
        let measured = all.filter { $0.2.measured != nil }
        let checked = measured.filter { $0.2.inconclusive == nil }
        let inconclusive = measured.filter { $0.2.inconclusive != nil }
        let notMeasured = all.filter { $0.2.measured == nil }
        let hits = checked.filter { $0.2.within }.count
        var text = checked.isEmpty ? "verify: no prediction was checked\(measured.isEmpty ? "" : " conclusively")" : "verify: \(hits) of \(checked.count) predictions inside their range"
        // Inside a range whose low end is "no gain" is not a confirmation when there was none.
        let gains = checked.map { _, d, v in v.within ? d.predicted.flatMap { gain(v, $0) } : nil }
        let flat = gains.filter { $0.map { $0 < 1 + noGain && $0 > 1 - noGain } == true }.count
        let worse = gains.filter { $0.map { $0 <= 1 - noGain } == true }.count
        if flat > 0 { text += ", \(flat) of them with no gain (under \(Say.pct(noGain)))" }
        if worse > 0 { text += ", \(worse) of them made the case WORSE (by \(Say.pct(noGain)) or more): inside a range that allowed it, which contradicts the fix" }
        let adjusted = checked.compactMap { $0.2.withinAfterDrift }
        if !checked.isEmpty, adjusted.count == checked.count {
            text += " (\(adjusted.filter { $0 }.count) of \(checked.count) without the machine's drift, from each case measured again beside its fixes)"
        }
        // Another setup (`--from` run elsewhere): the drift is partly that difference.
        if let differences = all.lazy.compactMap({ $0.2.setupDifferences }).first(where: { !$0.isEmpty }) {
            text += "; the fixes ran in another setup than the diagnosed run (\(differences.map { Terminal.safe($0) }.joined(separator: "; "))): each case run again measures that difference as well as the machine's drift"
        }
        let misses = checked.filter { !$0.2.within }
        if !misses.isEmpty {
            text += "; misses: " + misses.map { name, d, v in
                "\(name) \(d.id.rawValue) (\(d.predicted.map { verificationText(v, $0) } ?? v.caseName))"
            }.joined(separator: "; ")
        }
        if !inconclusive.isEmpty {
            text += "; \(inconclusive.count) inconclusive, counted neither inside nor a miss: " + inconclusive.map { name, d, v in
                "\(name) \(d.id.rawValue) (\(v.caseName): \(v.inconclusive ?? ""))"
            }.joined(separator: "; ")
        }
        if !notMeasured.isEmpty {
            text += "; \(notMeasured.count) not measured, so not checked: " + notMeasured.map { name, d, v in
                "\(name) \(d.id.rawValue) (\(v.caseName): \(v.error ?? "no measurement"))"
            }.joined(separator: "; ")
        }
        return text
    }
}
