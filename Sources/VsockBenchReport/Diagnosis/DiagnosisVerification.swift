import VsockBenchModel
import VsockBenchSupport

/// `diagnose --verify`: every verdict with a quantified fix has its fix applied to its case
/// and run, and the fixed case's figure is set against the predicted range. Beside each fixed
/// case its case runs again unchanged (`<case>+again`, interleaved with the fixes): on a shared
/// machine the figures drift between the run and the check, and the case measured again says
/// by how much, so a miss can be told to be the model's or the machine's. Misses are kept:
/// they are how the model gets better.
public enum DiagnosisVerification {
    /// Suffix of a case run again unchanged as the reference of its fixes.
    public static let againSuffix = "+again"

    /// The cases to run: one per distinct (case, fix) whose verdict has a prediction, named
    /// `<case>+<fix>`, and each such case again unchanged, `<case>+again`.
    /// `only`: the cases whose fixes to run (`--case`, with `--from`: the diagnosis still
    /// reads every case, a sibling or the bulk ceiling bounding another); nil, every case's.
    public static func fixedCases(_ document: RunDocument, only: [String]? = nil) -> [CaseSpec] {
        var specs: [CaseSpec] = []
        func add(_ spec: CaseSpec, named name: String) {
            var copy = spec
            copy.name = name
            copy.sourceLine = nil
            if !specs.contains(where: { $0.name == name }) { specs.append(copy) }
        }
        for c in document.cases where only.map({ $0.contains(c.name) }) ?? true {
            for d in c.diagnosis ?? [] {
                guard let fix = d.fix, d.predicted != nil else { continue }
                add(c.spec, named: c.name + againSuffix)
                add(fix.apply(to: c.spec), named: fix.caseName(for: c.name))
            }
        }
        return specs
    }

    /// The cases to run as a scenario; nil when no verdict has a quantified fix.
    public static func scenario(for document: RunDocument, only: [String]? = nil) -> Scenario? {
        let cases = fixedCases(document, only: only)
        guard !cases.isEmpty else { return nil }
        return Scenario(name: document.scenario + "-verify", description: "the fixes diagnose predicted, applied, each beside its case again",
                        cases: cases, path: document.scenarioPath)
    }

    /// Why `scenario(for:only:)` has nothing to run: the cases that failed (and so have no
    /// verdict) said as such, not as verdicts without a quantified fix (review).
    public static func nothingToVerify(_ document: RunDocument, only: [String]? = nil) -> String {
        let chosen = document.cases.filter { c in only.map { $0.contains(c.name) } ?? true }
        let failed = chosen.filter { $0.skipped == nil && !$0.verified && ($0.diagnosis ?? []).isEmpty }.map(\.name)
        let skipped = chosen.filter { $0.skipped != nil }.map(\.name)
        var reasons: [String] = []
        if !failed.isEmpty { reasons.append("\(failed.map { Terminal.safe($0) }.joined(separator: ", ")) failed, so \(failed.count == 1 ? "it has" : "they have") no verdict") }
        if !skipped.isEmpty { reasons.append("\(skipped.map { Terminal.safe($0) }.joined(separator: ", ")) \(skipped.count == 1 ? "was" : "were") skipped") }
        if reasons.isEmpty || failed.count + skipped.count < chosen.count { reasons.append(reasons.isEmpty ? "no verdict has a quantified fix" : "no other verdict has a quantified fix") }
        return "nothing to verify: " + reasons.joined(separator: "; ")
    }

    /// `document` with a `verified` object on every verdict whose fixed case is in `fixed`
    /// (or should have been: a missing or failed one is `not_measured`, with its reason).
    /// `only`: the cases whose fixes ran (as `fixedCases`'s); the others' verdicts are left
    /// without one, not missed (they were reported as fixes that "did not run", review).
    /// `setupDifferences`: `setupDifferences(measured:fixed:)`, carried on each check (only
    /// stderr said it, review). `interrupted`: the fixes were cut short by a signal; those that
    /// finished are reported, those it stopped or came before get no `verified` (not run, no
    /// miss; the interrupted command dropped every fix, review).
    public static func apply(_ fixed: RunDocument, to document: RunDocument, only: [String]? = nil, setupDifferences: [String] = [], interrupted: Bool = false) -> RunDocument {
        var copy = document
        for i in copy.cases.indices where only.map({ $0.contains(copy.cases[i].name) }) ?? true {
            guard var verdicts = copy.cases[i].diagnosis else { continue }
            let c = copy.cases[i]
            for j in verdicts.indices {
                guard let fix = verdicts[j].fix, let prediction = verdicts[j].predicted else { continue }
                let name = fix.caseName(for: c.name)
                if interrupted, !finished(fixed).contains(name) { continue }
                var verification = verification(name, prediction, fixed.cases.first { $0.name == name })
                if !setupDifferences.isEmpty { verification.setupDifferences = setupDifferences }
                if let again = fixed.cases.first(where: { $0.name == c.name + againSuffix }), again.verified,
                   let now = prediction.metric.value(in: again.figures), let then = prediction.metric.value(in: c.figures), then > 0, now > 0 {
                    verification.referenceCase = again.name
                    verification.referenceMeasured = now
                    // Unrounded: the text divides by it, and rounded (0.000x) it disagreed with
                    // within_after_drift (review); only the display rounds.
                    verification.drift = now / then
                    verification.withinAfterDrift = verification.measured.map { prediction.contains($0 / (now / then)) }
                    // The range's inputs were widened by the spread assumed (±25% for one trial)
                    // or measured (the interval): a case that moved further unchanged shows the
                    // machine outran it, and the check decides nothing (2.50x beside "±25%
                    // assumed" was counted a hit, review).
                    let spread = Uncertainty.relative(c, prediction.metric)
                    if verification.measured != nil, now / then > 1 + spread || now / then < 1 - spread {
                        // With trials the spread is their interval, but at least ±10% (a floor,
                        // not the interval's width: "±10% of its trials' interval" misread it).
                        let what = Uncertainty.trials(c) > 1 ? "the ±\(Say.pct(spread)) its range allowed from its trials (their interval, at least ±\(Say.pct(Uncertainty.minimum)))" : "the ±\(Say.pct(spread)) assumed for one trial"
                        let why = "the unchanged re-run moved \(Say.x(now / then)), beyond \(what)"
                        verification.inconclusive = verification.inconclusive.map { $0 + "; " + why } ?? why
                    }
                }
                if let gain = Diagnoser.gain(verification, prediction) {
                    verification.gain = gain.rounded(toPlaces: 3)
                    verification.outcome = Diagnoser.outcome(gain: gain)
                }
                verdicts[j].verified = verification
            }
            copy.cases[i].diagnosis = verdicts
        }
        return copy
    }

    /// How the setup of `fixed` (the fixes and each case again) differs from `measured`'s (the
    /// results file `diagnose --from` read): transport, either side's host, kernel, CPUs or tool.
    /// Empty when they match (a local target's socket path differs every run and is not
    /// compared). With a difference, each `+again` case measures the two setups' difference,
    /// not only the machine's drift, and the caller says so.
    public static func setupDifferences(measured: RunDocument, fixed: RunDocument) -> [String] {
        var differences: [String] = []
        func compare(_ what: String, _ then: String?, _ now: String?) {
            guard then != now, then != nil || now != nil else { return }
            differences.append("\(what) \(then.map { Terminal.safe($0, limit: 80) } ?? "unknown") then, \(now.map { Terminal.safe($0, limit: 80) } ?? "unknown") now")
        }
        compare("transport", measured.transport, fixed.transport)
        // A local target's socket is new every run; any other endpoint is compared.
        if !(isLocalTarget(measured.target) && isLocalTarget(fixed.target)) { compare("target", measured.target, fixed.target) }
        for (side, then, now) in [("driver", measured.host.driver, fixed.host.driver), ("target", measured.host.target, fixed.host.target)] {
            compare("\(side) host", then?.hostname, now?.hostname)
            compare("\(side) kernel", then?.kernel, now?.kernel)
            compare("\(side) CPUs", then.map { String($0.cpus) }, now.map { String($0.cpus) })
            compare("\(side) tool", then?.tool, now?.tool)
        }
        return differences
    }

    /// A target vsockbench started itself (`unix:///tmp/vsockbench-XXXXXX/target.sock`).
    /// The cases of `fixed` (the fixes and each case again) that failed: a lost, reordered or
    /// corrupted message, a target that could not be reached. They make `diagnose` exit 1, as
    /// a failed case of the run does (it exited 0, review).
    public static func failedCases(_ fixed: RunDocument) -> [String] {
        fixed.cases.filter { $0.skipped == nil && !$0.verified && !$0.cutShort }.map(\.name)
    }

    /// The cases of `fixed` that ran to their end (not cut short by an interrupt, not the ones
    /// it came before).
    public static func finished(_ fixed: RunDocument) -> [String] {
        fixed.cases.filter { !$0.cutShort }.map(\.name)
    }

    static func isLocalTarget(_ target: String) -> Bool {
        target.hasPrefix("unix:///tmp/vsockbench-") && target.hasSuffix("/target.sock")
    }

    static func verification(_ name: String, _ prediction: Prediction, _ result: CaseResult?) -> Verification {
        guard let result else { return Verification(caseName: name, measured: nil, within: false, error: "the fixed case did not run") }
        if let skipped = result.skipped { return Verification(caseName: name, measured: nil, within: false, error: "skipped: \(skipped)") }
        guard result.verified, result.messages > 0 else {
            // A failure (a lost message, a target that cannot be reached) measured nothing of
            // the fix: said as a failure, not tallied as the model's miss (review).
            return Verification(caseName: name, measured: nil, within: false, error: "failed: \(result.errors.first ?? "not verified")")
        }
        guard let measured = prediction.metric.value(in: result.figures) else {
            return Verification(caseName: name, measured: nil, within: false,
                                error: "\(prediction.metric.rawValue) was not measured\(prediction.metric == .exits ? " (needs --probe where exits can be counted)" : "")")
        }
        let ci = result.ci?[prediction.metric.rawValue]
        var verification = Verification(caseName: name, measured: measured, measuredCI: ci, within: prediction.contains(measured))
        // The median alone decided: an interval reaching into the range with its median
        // outside was a plain MISS (review). It decides nothing; an interval wholly outside
        // stays a miss.
        if let ci, ci.count == 2, !verification.within, ci[0] <= prediction.high, ci[1] >= prediction.low {
            verification.inconclusive = "its trials' interval \(PredictionBounds.format(ci[0], prediction.metric))-\(PredictionBounds.format(ci[1], prediction.metric)) overlaps the range, its median does not"
        }
        return verification
    }
}
