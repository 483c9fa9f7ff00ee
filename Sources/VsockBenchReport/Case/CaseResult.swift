import VsockBenchEngine
import VsockBenchModel
import VsockBenchSupport

/// One case's result: the stable JSON shape (`schema: vsockbench/1`) and the tables' source.
///
/// Grouped by what each part is: the case (`name`, `workload`, `spec`), its figures (one
/// trial's, or the median of its trials; flattened into the case's JSON object), every
/// trial's figures and the figures' confidence intervals, and the context (socket options,
/// the target's own stats, verdicts). Figures read through the case as `c.mbpsTx`.
@dynamicMemberLookup
public struct CaseResult: Sendable, Equatable {
    public var name: String
    public var workload: WorkloadKind
    public var transport: String
    /// The case as it ran (every knob); written as `config` (`CaseConfig`).
    public var spec: CaseSpec
    /// The figures: of the one trial, or the median of the trials (each latency percentile the
    /// median of the trials' percentiles, `max` the largest: `LatencySummary.median(of:)`).
    public var figures: CaseFigures
    /// Every trial's figures, in the order they ran (one for a single run).
    public var trials: [CaseFigures]
    /// 95% confidence intervals of the medians over the trials, by figure key
    /// (`mbps_tx`, `latency_us.p99`, ...); nil for a single trial (a single sample has none).
    public var ci: [String: [Double]]?
    /// The interval's actual coverage for this many trials (order statistics of n samples
    /// reach exactly 95% only by chance; with fewer than 6 trials, [min, max] covers 1 - 2^(1-n)).
    public var ciCoverage: Double?
    /// What was checked.
    public var verification: String
    /// Socket options as the kernel applied them (of the trial whose msgs/s is the median).
    public var socket: SocketSummary
    /// The target's stats frame (of the trial whose msgs/s is the median).
    public var target: TargetStats?
    public var targetHost: HostFacts?
    /// Verdicts (`diagnose`); null when not diagnosed.
    public var diagnosis: [Diagnosis]?
    /// Why the case did not run although nothing failed (e.g. a stream case with `--target null`).
    public var skipped: String?

    public init(name: String, workload: WorkloadKind, transport: String, spec: CaseSpec, figures: CaseFigures, verification: String,
                socket: SocketSummary = SocketSummary(), target: TargetStats? = nil, targetHost: HostFacts? = nil,
                skipped: String? = nil) {
        self.name = name
        self.workload = workload
        self.transport = transport
        self.spec = spec
        self.figures = figures
        self.trials = [figures]
        self.verification = verification
        self.socket = socket
        self.target = target
        self.targetHost = targetHost
        self.skipped = skipped
    }

    public subscript<T>(dynamicMember path: WritableKeyPath<CaseFigures, T>) -> T {
        get { figures[keyPath: path] }
        set { figures[keyPath: path] = newValue }
    }

    /// Trials that ran.
    public var trialCount: Int { trials.count }

    /// With several trials, the index of the one whose spread, probe counts, time series,
    /// open-loop verdict, socket options and target stats the case shows (those are one
    /// trial's, not medians): the median trial by msgs/s. nil with one trial.
    public var representativeTrial: Int? {
        trials.count > 1 ? CaseSummary.representativeTrial(trials) : nil
    }

    /// The trials the case's medians are made of (`CaseSummary.medianTrials`).
    public var trialsInMedians: [CaseFigures] { CaseSummary.medianTrials(trials).map { trials[$0] } }

    /// Where the tail percentiles rest on a single message: a p99 of fewer than 100
    /// messages is their slowest, a p99.9 of fewer than 1000 too (20 messages gave p99 = p99.9
    /// = max, printed and gated without a word: review). Judged on the trial with the fewest
    /// messages among those the medians are made of; nil when every percentile has room.
    public var tailNote: String? {
        guard figures.latencyMicros != nil else { return nil }
        let fewest = trialsInMedians.map(\.latencyCount).min() ?? figures.latencyCount
        guard fewest > 0 else { return nil }
        let trials = trialCount > 1 ? " a trial (the fewest)" : ""
        if fewest < 100 { return "p99 and p99.9 from \(fewest) messages\(trials) are the slowest message, not a percentile (p99 needs 100 messages, p99.9 1000)" }
        if fewest < 1000 { return "p99.9 from \(fewest) messages\(trials) is the slowest message, not a percentile (it needs 1000)" }
        return nil
    }

    /// A request/response case bounded by a duration whose rate rests on fewer than 100
    /// answers (in its fewest trial): its interval ends at the stop, between two answers, so
    /// the rate can read up to one answer's share low (a 50 ms service at 20 msgs/s read 16.5
    /// over 5 answers in 0.3 s, review). A count's interval ends at its last answer: no such
    /// gap, no note; nor for a stream (its messages are chunks), a skipped or failed case.
    public var fewAnswersNote: String? {
        guard skipped == nil, figures.verified, spec.workload.kind.isRequestResponse, case .duration = spec.stop else { return nil }
        let fewest = trialsInMedians.map(\.messages).min() ?? figures.messages
        guard fewest > 0, fewest < 100 else { return nil }
        let trials = trialCount > 1 ? " in a trial (the fewest)" : ""
        return "msgs/s from \(fewest) answer\(fewest == 1 ? "" : "s")\(trials): the interval ends at the stop, between two answers, so the rate can read up to \(Int((100 / Double(fewest)).rounded(.up)))% low (one answer in \(fewest)); give the case a longer duration for a rate"
    }

    /// A case bounded by a count whose measured interval was shorter than the shortest
    /// duration a case may be given (10 ms): its rates rest on a few milliseconds (lab.yaml's
    /// 64 KiB stream read 43103 Mbps over 3.6 ms, and `--duration 9ms` is refused as too short
    /// to measure anything). Nil for a duration-bounded, skipped or failed case.
    public var shortIntervalNote: String? {
        guard skipped == nil, figures.verified, figures.durationSeconds > 0 else { return nil }
        let count: String
        switch spec.stop {
        case .duration: return nil
        case let .messages(n): count = "\(n) message\(n == 1 ? "" : "s")"
        case let .bytes(n): count = Quantities.formatSize(n)
        }
        let shortest = Double(CaseSpec.minInterval) / 1e9
        let longest = trialsInMedians.map(\.durationSeconds).max() ?? figures.durationSeconds
        guard max(longest, figures.durationSeconds) < shortest else { return nil }
        let took = Format.compact(figures.durationSeconds * 1000)
        return "its \(count) took \(took) ms: a rate over less than \(Quantities.formatDuration(CaseSpec.minInterval)) (the shortest --duration a case may have) is rough; give more, or a duration, for a rate"
    }

    /// Where the machine was busy beside the run while the case was measured: other programs
    /// taking at least half a CPU, or a hypervisor that took at least 10% of the CPU time
    /// (`CPUSummary.machineWasBusy`), in any trial. Its timings may then be the machine's:
    /// "the machine was busy beside this run in 2 of 3 trials (up to 1.4 CPUs of other programs;
    /// ...)". nil when no trial says so (or none was measured).
    public var machineNote: String? {
        let busy = trials.filter(\.cpu.machineWasBusy)
        guard !busy.isEmpty, skipped == nil else { return nil }
        let when = trials.count > 1 ? " in \(busy.count) of \(trials.count) trials" : ""
        let whose = trials.count > 1 && busy.count < trials.count ? "the timings of \(busy.count == 1 ? "that trial" : "those trials")" : "its timings"
        return "the machine was busy beside this run\(when) (\(CPUSummary.busyText(busy))): \(whose) may be the machine's, not the channel's"
    }

    /// Which trial a one-trial figure of the case comes from: "trial 2 of 3, the median by
    /// msgs/s"; nil with one trial.
    public var representativeTrialText: String? {
        representativeTrial.map { "trial \($0 + 1) of \(trials.count), the median by msgs/s" }
    }
}

extension CaseResult: Codable {
    enum CodingKeys: String, CodingKey {
        case name, workload, transport, spec = "config", trials, ci, ciCoverage = "ci_coverage"
        case verification, socket, target, targetHost = "target_host", diagnosis, skipped
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        workload = try c.decode(WorkloadKind.self, forKey: .workload)
        transport = try c.decode(String.self, forKey: .transport)
        spec = try c.decode(CaseConfig.self, forKey: .spec).spec
        figures = try CaseFigures(from: decoder)
        // Results written before trials were kept: the case is its one trial.
        trials = try c.decodeIfPresent([CaseFigures].self, forKey: .trials) ?? [figures]
        // A run writes every trial it ran, at least one: an empty list is a hand-edited file
        // (`check` passed such a case as "not in the baseline").
        if trials.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: .trials, in: c, debugDescription: "a case has at least one trial; trials is empty")
        }
        ci = try c.decodeIfPresent([String: [Double]].self, forKey: .ci)
        ciCoverage = try c.decodeIfPresent(Double.self, forKey: .ciCoverage)
        verification = try c.decode(String.self, forKey: .verification)
        socket = try c.decode(SocketSummary.self, forKey: .socket)
        target = try c.decodeIfPresent(TargetStats.self, forKey: .target)
        targetHost = try c.decodeIfPresent(HostFacts.self, forKey: .targetHost)
        diagnosis = try c.decodeIfPresent([Diagnosis].self, forKey: .diagnosis)
        skipped = try c.decodeIfPresent(String.self, forKey: .skipped)
    }

    public func encode(to encoder: any Encoder) throws {
        // Explicit nulls keep every key present: consumers can rely on the shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(workload, forKey: .workload)
        try c.encode(transport, forKey: .transport)
        try c.encode(CaseConfig(spec), forKey: .spec)
        try figures.encode(to: encoder)
        try c.encode(trials, forKey: .trials)
        try c.encode(ci, forKey: .ci)
        try c.encode(ciCoverage, forKey: .ciCoverage)
        try c.encode(verification, forKey: .verification)
        try c.encode(socket, forKey: .socket)
        try c.encode(target, forKey: .target)
        try c.encode(targetHost, forKey: .targetHost)
        try c.encode(diagnosis, forKey: .diagnosis)
        try c.encode(skipped, forKey: .skipped)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
