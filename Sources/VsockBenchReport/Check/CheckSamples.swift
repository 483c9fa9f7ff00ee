import VsockBenchStats

/// One side's values of one figure of one case, pooled over its results files: every trial's
/// value, and each file's median (what one run said).
struct CheckSamples: Equatable {
    var values: [Double] = []
    var perRun: [Double] = []
    /// The values are ratios to the reference case.
    var normalized = false
    /// Why the case did not run in a file that skipped it: its zero figures were never measured.
    var skipped: String?

    var median: Double? { Descriptive.median(values) }
    var isEmpty: Bool { values.isEmpty }

    /// The figure's samples in `documents`' case `name`, or its ratio to `reference`'s in the
    /// same round of the same run (trial k of every case ran in round k).
    /// Without a usable reference (absent in a file, or without the figure, or with other
    /// trials) every value is taken as it is.
    static func gather(_ figure: Figure, case name: String, in documents: [RunDocument], reference: String?) -> CheckSamples {
        if let reference, let ratios = ratios(figure, case: name, in: documents, reference: reference) { return ratios }
        var samples = CheckSamples()
        for document in documents {
            guard let c = document.cases.first(where: { $0.name == name }) else { continue }
            if let reason = c.skipped {
                samples.skipped = samples.skipped ?? reason
                continue
            }
            samples.values += c.trials.compactMap { figure.value(in: $0) }
            if let perRun = figure.value(in: c.figures) { samples.perRun.append(perRun) }
        }
        return samples
    }

    private static func ratios(_ figure: Figure, case name: String, in documents: [RunDocument], reference: String) -> CheckSamples? {
        var samples = CheckSamples(normalized: true)
        for document in documents {
            guard let c = document.cases.first(where: { $0.name == name }) else { continue }
            if let reason = c.skipped {
                samples.skipped = samples.skipped ?? reason
                continue
            }
            guard let r = document.cases.first(where: { $0.name == reference }), r.trials.count == c.trials.count else { return nil }
            for (own, ref) in zip(c.trials, r.trials) {
                guard let v = figure.value(in: own), let base = figure.reference(in: ref), base > 0 else { return nil }
                samples.values.append(v / base)
            }
            if let v = figure.value(in: c.figures), let base = figure.reference(in: r.figures), base > 0 { samples.perRun.append(v / base) }
        }
        return samples
    }
}

extension Figure {
    /// The reference case's figure a ratio is taken against: the same one where it has it;
    /// a stream reference stands in with its Mbps for a request/response case's msgs/s.
    func reference(in f: CaseFigures) -> Double? {
        if let own = value(in: f), own > 0 { return own }
        switch self {
        case .msgsPerSecond: return f.mbpsTotal > 0 ? f.mbpsTotal : nil
        case .mbpsTotal: return f.msgsPerSecond > 0 ? f.msgsPerSecond : nil
        default: return nil
        }
    }
}
