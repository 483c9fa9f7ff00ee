import VsockBenchModel

/// `diagnose --verify`: every verdict with a quantified fix has its fix applied to its case
/// and run, and the fixed case's figure is set against the predicted range. Misses are kept:
/// they are how the model gets better.
public enum DiagnosisVerification {
    /// The fixed cases to run, one per distinct (case, fix) whose verdict has a prediction,
    /// named `<case>+<fix>`.
    public static func fixedCases(_ document: RunDocument) -> [CaseSpec] {
        var specs: [CaseSpec] = []
        for c in document.cases {
            for d in c.diagnosis ?? [] {
                guard let fix = d.fix, d.predicted != nil else { continue }
                var spec = fix.apply(to: c.spec)
                spec.name = fix.caseName(for: c.name)
                spec.sourceLine = nil
                if !specs.contains(where: { $0.name == spec.name }) { specs.append(spec) }
            }
        }
        return specs
    }

    /// The fixed cases as a scenario to run; nil when no verdict has a quantified fix.
    public static func scenario(for document: RunDocument) -> Scenario? {
        let cases = fixedCases(document)
        guard !cases.isEmpty else { return nil }
        return Scenario(name: document.scenario + "-verify", description: "the fixes diagnose predicted, applied", cases: cases,
                        path: document.scenarioPath)
    }

    /// `document` with a `verified` object on every verdict whose fixed case is in `fixed`
    /// (or should have been: a missing or failed one is a miss with its reason).
    public static func apply(_ fixed: RunDocument, to document: RunDocument) -> RunDocument {
        var copy = document
        for i in copy.cases.indices {
            guard var verdicts = copy.cases[i].diagnosis else { continue }
            for j in verdicts.indices {
                guard let fix = verdicts[j].fix, let prediction = verdicts[j].predicted else { continue }
                let name = fix.caseName(for: copy.cases[i].name)
                verdicts[j].verified = verification(name, prediction, fixed.cases.first { $0.name == name })
            }
            copy.cases[i].diagnosis = verdicts
        }
        return copy
    }

    static func verification(_ name: String, _ prediction: Prediction, _ result: CaseResult?) -> Verification {
        guard let result else { return Verification(caseName: name, measured: nil, within: false, error: "the fixed case did not run") }
        if let skipped = result.skipped { return Verification(caseName: name, measured: nil, within: false, error: "skipped: \(skipped)") }
        guard result.verified, result.messages > 0 else {
            return Verification(caseName: name, measured: nil, within: false, error: result.errors.first ?? "the fixed case failed")
        }
        guard let measured = prediction.metric.value(in: result.figures) else {
            return Verification(caseName: name, measured: nil, within: false,
                                error: "\(prediction.metric.rawValue) was not measured\(prediction.metric == .exits ? " (needs --probe where exits can be counted)" : "")")
        }
        let ci = result.ci?[prediction.metric.rawValue]
        return Verification(caseName: name, measured: measured, measuredCI: ci, within: prediction.contains(measured))
    }
}
