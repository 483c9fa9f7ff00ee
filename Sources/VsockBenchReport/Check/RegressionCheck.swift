/// Compares a results document against a baseline, case by case and metric by metric.
public enum RegressionCheck {
    /// Cases are matched by name; both documents must have the same set.
    /// Throws (unusable input) when they do not; returns the report otherwise.
    public static func compare(
        results: RunDocument, baseline: RunDocument, tolerances: CheckTolerances = .standard,
        resultsPath: String = "results", baselinePath: String = "baseline"
    ) throws(CheckInputError) -> CheckReport {
        let baselineByName = Dictionary(baseline.cases.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let resultNames = Set(results.cases.map(\.name))
        let missingInResults = baseline.cases.map(\.name).filter { !resultNames.contains($0) }
        let missingInBaseline = results.cases.map(\.name).filter { baselineByName[$0] == nil }
        guard missingInResults.isEmpty, missingInBaseline.isEmpty else {
            throw .mismatchedCases(missingInResults: missingInResults, missingInBaseline: missingInBaseline)
        }
        var report = CheckReport(
            resultsPath: resultsPath, baselinePath: baselinePath, tolerances: tolerances, rows: [], unverified: [], warnings: [])
        report.warnings += comparabilityNotes(results: results, baseline: baseline)
        for now in results.cases {
            guard let before = baselineByName[now.name] else { continue }
            for metric in CheckMetric.allCases {
                report.rows.append(row(metric, case: now.name, baseline: metric.value(in: before), now: metric.value(in: now),
                                       tolerance: tolerances.fraction(for: metric)))
            }
            if !now.verified { report.unverified.append(.init(caseName: now.name, errors: now.errors)) }
            if !before.verified {
                report.warnings.append("baseline case \(now.name) was not verified; its figures are not a fair reference")
            }
            if let then = before.spec.stream?.verify, let current = now.spec.stream?.verify, then != current {
                report.warnings.append("\(now.name) verifies streams differently from its baseline (verify: \(then.rawValue) then, \(current.rawValue) now): full verification costs the target CPU")
            }
            if before.spec.describedSizes != now.spec.describedSizes || before.workload != now.workload
                || before.spec.connections != now.spec.connections {
                report.warnings.append(
                    "\(now.name) differs from its baseline: \(before.workload) \(before.spec.describedSizes) x\(before.spec.connections) conns then, \(now.workload) \(now.spec.describedSizes) x\(now.spec.connections) conns now")
            }
        }
        return report
    }

    /// One comparison; the direction comes from the metric.
    static func row(_ metric: CheckMetric, case name: String, baseline: Double?, now: Double?, tolerance: Double) -> CheckReport.Row {
        var row = CheckReport.Row(caseName: name, metric: metric, baseline: baseline, now: now, change: nil, tolerance: tolerance, verdict: .notCompared, note: nil)
        guard let baseline, let now else {
            if baseline != nil || now != nil {
                row.note = baseline == nil ? "not in the baseline" : "not in the results"
            }
            return row
        }
        // Positive `worse` means moved the bad way, as a fraction of the baseline.
        let sign = metric.higherIsBetter ? -1.0 : 1.0
        if baseline != 0 {
            let change = (now - baseline) / abs(baseline)
            row.change = change
            let worse = sign * change
            row.verdict = worse > tolerance ? .regressed : (-worse > tolerance ? .improved : .held)
        } else if now == 0 {
            row.verdict = .held
        } else {
            row.verdict = sign * now > 0 ? .regressed : .improved
        }
        return row
    }

    static func comparabilityNotes(results: RunDocument, baseline: RunDocument) -> [String] {
        var notes: [String] = []
        if results.transport != baseline.transport {
            notes.append("transport differs: \(baseline.transport) in the baseline, \(results.transport) now")
        }
        if results.host.driverKernel != baseline.host.driverKernel {
            notes.append("driver kernel differs: \(baseline.host.driverKernel) in the baseline, \(results.host.driverKernel) now")
        }
        if let then = baseline.host.targetKernel, let now = results.host.targetKernel, then != now {
            notes.append("target kernel differs: \(then) in the baseline, \(now) now (vsock credit behaviour changed in 5.4)")
        }
        return notes
    }
}
