import VsockBenchModel
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
    /// The case ran in a file (not skipped), but none of its trials counts (each failed or
    /// measured nothing).
    var noTrialCounts: Bool { present && trialsCounted == 0 }
    var present = false
    var trialsCounted = 0

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
            samples.present = true
            samples.trialsCounted += c.trials.filter(\.counts).count
            samples.values += c.trials.filter(\.counts).compactMap { figure.value(in: $0) }
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
            samples.present = true
            samples.trialsCounted += c.trials.filter(\.counts).count
            guard let r = document.cases.first(where: { $0.name == reference }), r.trials.count == c.trials.count else { return nil }
            let moves = r.spec.stream?.direction
            // A round where either case failed or was cut short has no fair ratio.
            for (own, ref) in zip(c.trials, r.trials) where own.counts && ref.counts {
                guard let v = figure.value(in: own), let base = figure.reference(in: ref, stream: moves), base > 0 else { return nil }
                samples.values.append(v / base)
            }
            if let v = figure.value(in: c.figures), let base = figure.reference(in: r.figures, stream: moves), base > 0 { samples.perRun.append(v / base) }
        }
        return samples
    }
}

extension Figure {
    /// The reference case's figure a ratio is taken against: the same one where it has it.
    /// Otherwise its throughput stands in: a stream reference's (`stream`: the direction it
    /// moves) Mbps in that direction, the busier one of a `both` stream, never the two summed;
    /// a request/response reference's msgs/s for a stream case's Mbps.
    func reference(in f: CaseFigures, stream direction: StreamDirection?) -> Double? {
        if let own = value(in: f), own > 0 { return own }
        let standIn: Double
        switch self {
        case .msgsPerSecond:
            guard let direction else { return nil }
            standIn = Self.mbps(in: f, moving: direction)
        case .mbpsTx, .mbpsRx:
            standIn = direction.map { Self.mbps(in: f, moving: $0) } ?? f.msgsPerSecond
        default:
            return nil
        }
        return standIn > 0 ? standIn : nil
    }

    /// A stream's payload Mbps in the direction it moves (`both`: the busier one).
    static func mbps(in f: CaseFigures, moving direction: StreamDirection) -> Double {
        switch direction {
        case .tx: return f.mbpsTx
        case .rx: return f.mbpsRx
        case .both: return max(f.mbpsTx, f.mbpsRx)
        }
    }
}

extension CaseFigures {
    /// A trial the gate takes: it measured messages and verified them. A failed or interrupted
    /// trial's figures (zeros, or cut short) are not the case's: the run's own medians leave
    /// out trials without messages, and a baseline trial that failed would pull the reference
    /// down and hide a regression (the results side fails the gate as unverified anyway).
    public var counts: Bool { messages > 0 && verified }

    /// How many of `trials` the gate leaves out.
    static func leftOut(_ trials: [CaseFigures]) -> Int { trials.filter { !$0.counts }.count }
}
