import VsockBenchModel
import VsockBenchSupport

extension Comparison {
    /// One case against the first: its figures (medians with several trials), their ratios to
    /// the first case's, the noise verdict, the knobs it changes and its place on the front.
    public struct Row: Codable, Sendable, Equatable {
        public var name: String
        public var workload: String
        public var strategy: String
        /// Trials behind the figures (1: single samples).
        public var trials: Int
        /// Payload Mbps in one direction, by the rule history follows (``MbpsDirection``): the
        /// direction the case moves; one way of a case that moves both alike (rr, masked, an
        /// echoing stream); the busier direction of one that moves both unequally. `mbps_tx`/
        /// `mbps_rx` each direction; `mbps_total` both directions summed (never called Mbps in
        /// a table).
        public var mbps: Double
        public var mbpsTx: Double
        public var mbpsRx: Double
        public var mbpsTotal: Double
        public var msgsPerSecond: Double
        public var p50Micros: Double?
        public var p99Micros: Double?
        /// CPU per message of each process (driver, target).
        public var cpuMicrosPerMessage: Double?
        public var targetCPUMicrosPerMessage: Double?
        public var writesPerMessage: Double?
        public var readsPerMessage: Double?
        public var targetWritesPerMessage: Double?
        public var targetReadsPerMessage: Double?
        /// From the probe, when it ran.
        public var exitsPerMessage: Double?
        public var vsockPacketsPerMessage: Double?
        /// 95% intervals of the figures above, by figure key (`msgs_per_s`, `latency_us.p99`,
        /// `cpu.driver_us_per_msg`, ...); null for a single sample.
        public var ci: [String: [Double]]?
        /// Against the first case (1.0 for it). Mbps per direction, null where either case
        /// moves nothing that way; `mbps_ratio` of `mbps` only where both cases' `mbps` follow
        /// the same direction (an rr case's each way and a tx stream's tx compare; a tx stream
        /// and an rx stream do not), null otherwise. Per-message ratios (msgs/s, latency, CPU) only between like workloads
        /// (exchange with exchange, stream with stream), null otherwise or where not measured.
        public var mbpsRatio: Double?
        public var mbpsTxRatio: Double?
        public var mbpsRxRatio: Double?
        public var msgsRatio: Double?
        public var p50Ratio: Double?
        public var p99Ratio: Double?
        public var cpuRatio: Double?
        public var targetCPURatio: Double?
        /// The figure the case's throughput is judged by (`msgs_per_s`, `mbps_tx`, `mbps_rx`).
        public var throughputFigure: String
        /// Whether the throughput differs from the first case's beyond the noise, and by what rule.
        public var noise: NoiseVerdict
        /// The same for p99 latency; null where either case has none (streams).
        public var p99Noise: NoiseVerdict?
        /// The config keys in which the case differs from the first (its name excepted).
        public var knobs: [KnobDiff]
        /// On its workload's Pareto front (throughput against p99); null when not a candidate
        /// (skipped, failed, nothing measured).
        public var pareto: Bool?
        /// Which front: the workload kind, a stream's with its direction (`stream tx`); null when not a candidate.
        public var paretoFront: String?
        /// Ran and passed its checks: false for a skipped case, as in the run document's
        /// `cases` (a skipped row read `verified: true` with 0 Mbps: review).
        public var verified: Bool
        /// Skipped (its figures are zeros, not measurements): the tables say so rather than
        /// "NO"; the run document's case says why.
        public var skipped = false
        /// Cut short by an interrupt (the case's `interrupted`, nothing else wrong): the tables
        /// say "cut short" rather than "NO", which reads as lost or corrupted messages.
        public var interrupted = false

        /// No trial moved a message (skipped, failed before it ran, interrupted in its warmup):
        /// its zeros are no measurement, so the tables say `-` as run's does, and no ratio is
        /// taken (a failed row read 0 msgs/s, `msgs_ratio` 0). From the JSON's own keys
        /// (`trials` 0), so a document read back says the same.
        public var measuredNothing: Bool { skipped || trials == 0 }

        enum CodingKeys: String, CodingKey {
            case name, workload, strategy, trials, mbps, mbpsTx = "mbps_tx", mbpsRx = "mbps_rx", mbpsTotal = "mbps_total", msgsPerSecond = "msgs_per_s"
            case p50Micros = "p50_us", p99Micros = "p99_us", cpuMicrosPerMessage = "cpu_us_per_msg", targetCPUMicrosPerMessage = "target_cpu_us_per_msg"
            case writesPerMessage = "writes_per_msg", readsPerMessage = "reads_per_msg"
            case targetWritesPerMessage = "target_writes_per_msg", targetReadsPerMessage = "target_reads_per_msg"
            case exitsPerMessage = "exits_per_msg", vsockPacketsPerMessage = "vsock_packets_per_msg", ci
            case mbpsRatio = "mbps_ratio", mbpsTxRatio = "mbps_tx_ratio", mbpsRxRatio = "mbps_rx_ratio", msgsRatio = "msgs_ratio"
            case p50Ratio = "p50_ratio", p99Ratio = "p99_ratio", cpuRatio = "cpu_ratio", targetCPURatio = "target_cpu_ratio"
            case throughputFigure = "throughput_figure", noise, p99Noise = "p99_noise", knobs, pareto, paretoFront = "pareto_front", verified, skipped, interrupted
        }

        /// `skipped` and `interrupted` may be absent: a compare document written before they
        /// existed did not decode at all. Absent, neither held (the old tables said NO for both).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            workload = try c.decode(String.self, forKey: .workload)
            strategy = try c.decode(String.self, forKey: .strategy)
            trials = try c.decode(Int.self, forKey: .trials)
            mbps = try c.decode(Double.self, forKey: .mbps)
            mbpsTx = try c.decode(Double.self, forKey: .mbpsTx)
            mbpsRx = try c.decode(Double.self, forKey: .mbpsRx)
            mbpsTotal = try c.decode(Double.self, forKey: .mbpsTotal)
            msgsPerSecond = try c.decode(Double.self, forKey: .msgsPerSecond)
            p50Micros = try c.decodeIfPresent(Double.self, forKey: .p50Micros)
            p99Micros = try c.decodeIfPresent(Double.self, forKey: .p99Micros)
            cpuMicrosPerMessage = try c.decodeIfPresent(Double.self, forKey: .cpuMicrosPerMessage)
            targetCPUMicrosPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetCPUMicrosPerMessage)
            writesPerMessage = try c.decodeIfPresent(Double.self, forKey: .writesPerMessage)
            readsPerMessage = try c.decodeIfPresent(Double.self, forKey: .readsPerMessage)
            targetWritesPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetWritesPerMessage)
            targetReadsPerMessage = try c.decodeIfPresent(Double.self, forKey: .targetReadsPerMessage)
            exitsPerMessage = try c.decodeIfPresent(Double.self, forKey: .exitsPerMessage)
            vsockPacketsPerMessage = try c.decodeIfPresent(Double.self, forKey: .vsockPacketsPerMessage)
            ci = try c.decodeIfPresent([String: [Double]].self, forKey: .ci)
            mbpsRatio = try c.decodeIfPresent(Double.self, forKey: .mbpsRatio)
            mbpsTxRatio = try c.decodeIfPresent(Double.self, forKey: .mbpsTxRatio)
            mbpsRxRatio = try c.decodeIfPresent(Double.self, forKey: .mbpsRxRatio)
            msgsRatio = try c.decodeIfPresent(Double.self, forKey: .msgsRatio)
            p50Ratio = try c.decodeIfPresent(Double.self, forKey: .p50Ratio)
            p99Ratio = try c.decodeIfPresent(Double.self, forKey: .p99Ratio)
            cpuRatio = try c.decodeIfPresent(Double.self, forKey: .cpuRatio)
            targetCPURatio = try c.decodeIfPresent(Double.self, forKey: .targetCPURatio)
            throughputFigure = try c.decode(String.self, forKey: .throughputFigure)
            noise = try c.decode(NoiseVerdict.self, forKey: .noise)
            p99Noise = try c.decodeIfPresent(NoiseVerdict.self, forKey: .p99Noise)
            knobs = try c.decode([KnobDiff].self, forKey: .knobs)
            pareto = try c.decodeIfPresent(Bool.self, forKey: .pareto)
            paretoFront = try c.decodeIfPresent(String.self, forKey: .paretoFront)
            verified = try c.decode(Bool.self, forKey: .verified)
            skipped = try c.decodeIfPresent(Bool.self, forKey: .skipped) ?? false
            interrupted = try c.decodeIfPresent(Bool.self, forKey: .interrupted) ?? false
        }

        public func encode(to encoder: any Encoder) throws {
            // Explicit nulls keep every key present: consumers can rely on the shape.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(workload, forKey: .workload)
            try c.encode(strategy, forKey: .strategy)
            try c.encode(trials, forKey: .trials)
            try c.encode(mbps, forKey: .mbps)
            try c.encode(mbpsTx, forKey: .mbpsTx)
            try c.encode(mbpsRx, forKey: .mbpsRx)
            try c.encode(mbpsTotal, forKey: .mbpsTotal)
            try c.encode(msgsPerSecond, forKey: .msgsPerSecond)
            try c.encode(p50Micros, forKey: .p50Micros)
            try c.encode(p99Micros, forKey: .p99Micros)
            try c.encode(cpuMicrosPerMessage, forKey: .cpuMicrosPerMessage)
            try c.encode(targetCPUMicrosPerMessage, forKey: .targetCPUMicrosPerMessage)
            try c.encode(writesPerMessage, forKey: .writesPerMessage)
            try c.encode(readsPerMessage, forKey: .readsPerMessage)
            try c.encode(targetWritesPerMessage, forKey: .targetWritesPerMessage)
            try c.encode(targetReadsPerMessage, forKey: .targetReadsPerMessage)
            try c.encode(exitsPerMessage, forKey: .exitsPerMessage)
            try c.encode(vsockPacketsPerMessage, forKey: .vsockPacketsPerMessage)
            try c.encode(ci, forKey: .ci)
            try c.encode(mbpsRatio, forKey: .mbpsRatio)
            try c.encode(mbpsTxRatio, forKey: .mbpsTxRatio)
            try c.encode(mbpsRxRatio, forKey: .mbpsRxRatio)
            try c.encode(msgsRatio, forKey: .msgsRatio)
            try c.encode(p50Ratio, forKey: .p50Ratio)
            try c.encode(p99Ratio, forKey: .p99Ratio)
            try c.encode(cpuRatio, forKey: .cpuRatio)
            try c.encode(targetCPURatio, forKey: .targetCPURatio)
            try c.encode(throughputFigure, forKey: .throughputFigure)
            try c.encode(noise, forKey: .noise)
            try c.encode(p99Noise, forKey: .p99Noise)
            try c.encode(knobs, forKey: .knobs)
            try c.encode(pareto, forKey: .pareto)
            try c.encode(paretoFront, forKey: .paretoFront)
            try c.encode(verified, forKey: .verified)
            try c.encode(skipped, forKey: .skipped)
            try c.encode(interrupted, forKey: .interrupted)
        }

        /// The figures whose intervals a row keeps.
        static let intervalFigures: [Figure] = [.mbpsTx, .mbpsRx, .msgsPerSecond, .latencyP50, .latencyP99, .driverCPU, .targetCPU]

        /// `c` against `base` (the first case, possibly `c` itself).
        init(_ c: CaseResult, against base: CaseResult, isBaseline: Bool, pareto: Bool?, alpha: Double) {
            name = c.name
            workload = c.workload.rawValue
            strategy = c.spec.strategySummary
            trials = CaseSummary.medianTrials(c.trials).count
            let direction = MbpsDirection(c.figures)
            mbps = direction.mbps(in: c.figures)
            mbpsTx = c.mbpsTx
            mbpsRx = c.mbpsRx
            mbpsTotal = c.mbpsTotal
            msgsPerSecond = c.msgsPerSecond
            p50Micros = c.latencyMicros?.p50
            p99Micros = c.latencyMicros?.p99
            cpuMicrosPerMessage = c.cpu.driverMicrosPerMessage
            targetCPUMicrosPerMessage = c.cpu.targetMicrosPerMessage
            writesPerMessage = c.writesPerMessage
            readsPerMessage = c.readsPerMessage
            targetWritesPerMessage = c.targetWritesPerMessage
            targetReadsPerMessage = c.targetReadsPerMessage
            exitsPerMessage = c.probe?.perMessage.exits
            vsockPacketsPerMessage = c.probe?.perMessage.vsockPackets
            let kept = c.ci?.filter { key, _ in Self.intervalFigures.contains { $0.rawValue == key } }
            ci = kept?.isEmpty == false ? kept : nil

            func ratio(_ figure: Figure) -> Double? {
                guard let value = figure.value(in: c.figures), let reference = figure.value(in: base.figures),
                      value.isFinite, reference.isFinite, reference > 0 else { return nil }
                // Three places, or under 0.01 two significant figures (0.0012 was 0.001, and a
                // ratio under 0.0005 was 0: the table's figures are these).
                let ratio = value / reference
                return ratio.rounded(toPlaces: max(3, Format.places(significant: 2, of: ratio)))
            }
            mbpsRatio = mbps > 0 && direction.figure == MbpsDirection(base.figures).figure ? ratio(direction.figure) : nil
            mbpsTxRatio = c.mbpsTx > 0 ? ratio(.mbpsTx) : nil
            mbpsRxRatio = c.mbpsRx > 0 ? ratio(.mbpsRx) : nil
            let like = Throughput.perMessageComparable(c, base)
            msgsRatio = like && c.skipped == nil && trials > 0 ? ratio(.msgsPerSecond) : nil
            p50Ratio = like ? ratio(.latencyP50) : nil
            p99Ratio = like ? ratio(.latencyP99) : nil
            cpuRatio = like ? ratio(.driverCPU) : nil
            targetCPURatio = like ? ratio(.targetCPU) : nil

            throughputFigure = Throughput.figure(of: c).rawValue
            let trialCount = trials
            if isBaseline {
                noise = .baseline(Throughput.figure(of: c), trials: trialCount)
                p99Noise = c.latencyMicros == nil ? nil : .baseline(.latencyP99, trials: trialCount)
                knobs = []
            } else {
                noise = .decide(Throughput.shared(base, c), baseline: base, c, alpha: alpha)
                p99Noise = c.latencyMicros != nil && base.latencyMicros != nil ? .decide(.latencyP99, baseline: base, c, alpha: alpha) : nil
                knobs = KnobDiff.between(CaseConfig(base.spec), CaseConfig(c.spec), transports: (base.transport, c.transport))
            }
            self.pareto = pareto
            paretoFront = pareto == nil ? nil : ParetoFront.front(of: c)
            verified = c.verified && c.skipped == nil
            skipped = c.skipped != nil
            interrupted = c.cutShort
        }
    }
}
