import VsockBenchSupport

/// Turns a verdict's model range into a prediction bounded by what the run shows is possible:
/// the CPUs against the CPU per message the fix leaves, the target's processing per
/// connection, the bulk ceiling, and a sibling case that already has the fix (the fixed case,
/// measured). A bound caps the range's high end and may lower its low end to the bound's own,
/// but no further than no gain (the case's own value less its uncertainty, README "Diagnosis"):
/// a bound's low end below that (one free CPU at the highest cost) describes a machine busier
/// than the case's own run, which no gain already stands for. Only a sibling, the fixed case
/// measured in this run, takes the low end below no gain, and the evidence then says so.
/// Without a model, a sibling's measurement is the prediction; without either, nothing is
/// predicted: no range is made up.
struct PredictionBounds {
    let e: CaseEvidence
    let fix: Fix

    /// The target's processing bounds a prediction once it is this share of its threads' time
    /// (below it, the bound is true but too far to say anything).
    static let processingShareThatBounds = 0.1

    /// What the fixed case needs besides the model: the CPU per message the fix leaves and
    /// the connections it has.
    var cpuAfter: CPUCost?
    /// What `cpuAfter` is, for the sentence: "the CPU each message costs now".
    var cpuNote: String
    var connectionsAfter: Int

    init(_ e: CaseEvidence, fix: Fix, cpuAfter: CPUCost?, cpuNote: String = "the CPU each message costs now", connectionsAfter: Int? = nil) {
        self.e = e
        self.fix = fix
        self.cpuAfter = cpuAfter
        self.cpuNote = cpuNote
        self.connectionsAfter = connectionsAfter ?? e.c.spec.connections
    }

    /// The prediction for `model` (a range of the case's metric, nil when the verdict has no
    /// model), and the sentences that say what bounded it.
    func predict(model: Interval?) -> (prediction: Prediction?, evidence: [String]) {
        let scale = e.metricPerMessageRate
        let noGain = e.metricNow.low
        // The model's low end is no gain at least (its inputs' ends, combined, may fall below it).
        var low = model.map { min(max($0.low, noGain), $0.high) } ?? 0
        var high = model?.high ?? .infinity
        var boundedBy: [String] = []
        var evidence: [String] = []
        /// What took the low end below no gain.
        var belowNoGain: String? = low < noGain ? "model" : nil
        func cap(_ bound: Interval, label: String, sentence: String?, alwaysSay: Bool = false, measured: Bool = false) {
            let binds = bound.high < high
            if binds { boundedBy.append(label) }
            if let sentence, binds || alwaysSay { evidence.append(sentence) }
            let floor = measured ? bound.low : max(bound.low, noGain)
            if floor < low {
                low = floor
                if low < noGain { belowNoGain = label }
            }
            high = min(high, bound.high)
        }
        if let cost = cpuAfter, let (bound, sentence) = e.cpuBound(cost, what: cpuNote) {
            cap(bound.scaled(scale), label: "cpu", sentence: sentence, alwaysSay: true)
        }
        if e.isRequestResponse, (e.processingShare ?? 0) >= Self.processingShareThatBounds {
            let bound = e.processing.reciprocal(times: Double(connectionsAfter))
            cap(bound.scaled(scale), label: "processing",
                sentence: "the target's processing (\(Say.us(e.processing.value * 1e6)) per message, one message at a time per connection) caps \(connectionsAfter) connection\(connectionsAfter == 1 ? "" : "s") at \(Say.rate(bound.value))")
        }
        if let ceiling = e.context.ceilingMbps, ceiling > 0, e.context.ceilingCase != e.c.name {
            let ceilingRange = Interval.around(ceiling, relative: e.context.ceilingUncertainty)
            if let sizes = e.c.spec.messageSizes {
                let bound = ceilingRange.scaled(1e6 / 8 / Double(max(sizes.request, sizes.response, 1)))
                cap(bound.scaled(scale), label: "ceiling",
                    sentence: "the bulk ceiling (\(e.context.ceilingCase ?? "stream"): \(Say.mbps(ceiling)) one way) caps \(Say.bytes(max(sizes.request, sizes.response))) messages at \(Say.rate(bound.value))")
            } else if e.metric != .msgsPerSecond {
                // A stream's metric is one direction, as the ceiling is.
                cap(ceilingRange, label: "ceiling", sentence: "the bulk ceiling (\(e.context.ceilingCase ?? "stream")) is \(Say.mbps(ceiling)) one way")
            }
        }
        var sibling: CaseResult?
        if let best = siblings().max(by: { value(of: $0) < value(of: $1) }) {
            sibling = best
            let measured = Interval.around(value(of: best), relative: Uncertainty.relative(best, e.metric))
            let sentence = "\(best.name) is this case with \(fix.summary(of: best.spec)), measured in this run: \(format(measured.value)) \(unit) (\(format(measured.low))-\(format(measured.high)))"
            if model == nil {
                // No model: the sibling's measurement is the prediction.
                boundedBy.append("sibling \(best.name)")
                evidence.append(sentence + ", which is the prediction")
                low = min(max(low, measured.low), high)
                high = min(high, measured.high)
                if low < noGain { belowNoGain = "sibling \(best.name)" }
            } else if fix.neverSlower, measured.high < e.metricNow.high {
                // Measured below this case itself, for a fix that only removes work: the machine
                // drifted between the two, and the sibling does not cap the range below this
                // case's own.
                cap(Interval(low: measured.low, value: measured.value, high: e.metricNow.high), label: "sibling \(best.name)",
                    sentence: sentence + ", slower than this case itself: the machine drifted between them, so it caps the range no lower than this case's own \(format(e.metricNow.high))",
                    alwaysSay: true, measured: true)
            } else {
                if measured.value > high {
                    // The fixed case, measured, went past a bound estimated from this case (its
                    // CPU per message, its processing): the estimate was wrong, and the
                    // measurement stands over it (review: flow_control's CPU bound lay below
                    // the fixed sibling measured in the same run).
                    // No bound capped it: the high end is the fix's own model's (it read "went
                    // past the  bound", the name missing, review).
                    let bound = boundedBy.isEmpty ? "high end of the fix's own model" : boundedBy.map { $0 == "cpu" ? "CPU" : $0 }.joined(separator: " and ") + " bound"
                    evidence.append("\(best.name), measured with the fix, went past the \(bound) (\(format(high)) \(unit) at most): the measurement stands over the estimate")
                    boundedBy.removeAll()
                    high = .infinity
                }
                cap(measured, label: "sibling \(best.name)", sentence: sentence, alwaysSay: true, measured: true)
            }
        }
        guard model != nil || sibling != nil else { return (nil, evidence) }
        guard high.isFinite, high > 0 else {
            // Said, or the prediction vanishes without a word (review).
            evidence.append(high.isFinite
                ? "no prediction: the range's high end came out at \(format(high)) \(unit), no rate at all: its inputs are too uncertain to bound the fix"
                : "no prediction: nothing in this run bounds the range's high end (no CPU figures, ceiling or fixed sibling that caps it)")
            return (nil, evidence)
        }
        if high < low {
            // A bound below the case's own value: the range is what it allows.
            low = high
            if low < noGain { belowNoGain = boundedBy.last ?? belowNoGain }
        }
        if low < noGain, let label = belowNoGain {
            let why = label.hasPrefix("sibling ") ? "\(label.dropFirst("sibling ".count)), the fixed case measured in this run, went that low"
                : label == "model" ? "the fix's own model puts its whole range there" : "the \(label) bound lies below this case's own value"
            evidence.append("the low end, \(format(low)) \(unit), is below no gain (\(format(noGain)), this case's own value less its uncertainty): \(why)")
        }
        let now = e.metric.value(in: e.c.figures)
        return (Prediction(metric: e.metric, low: round(low), high: round(high), now: now.map(round), boundedBy: boundedBy), evidence)
    }

    /// Verified cases of the run that are this case with the fix applied.
    func siblings() -> [CaseResult] {
        e.context.cases.filter { s in
            s.name != e.c.name && s.verified && s.messages > 0 && s.skipped == nil && fix.isApplied(in: s.spec, comparedWith: e.c.spec)
        }
    }

    private func value(of c: CaseResult) -> Double { e.metric.value(in: c.figures) ?? 0 }

    var unit: String { Self.unit(e.metric) }

    func format(_ v: Double) -> String { Self.format(v, e.metric) }

    private func round(_ v: Double) -> Double { Self.round(v, e.metric) }

    static func unit(_ metric: Figure) -> String {
        switch metric {
        case .msgsPerSecond: return "msgs/s"
        case .mbpsTx, .mbpsRx: return "Mbps"
        // `Mbps tx+rx summed`: a prediction an older diagnose made in the sum says so.
        case .exits: return "exits/msg"
        default: return metric.label
        }
    }

    static func round(_ v: Double, _ metric: Figure) -> Double {
        switch metric {
        case .msgsPerSecond: return v.rounded()
        case .mbpsTx, .mbpsRx, .mbpsTotal: return v.rounded(toPlaces: 1)
        default: return v.rounded(toPlaces: 3)
        }
    }

    static func format(_ v: Double, _ metric: Figure) -> String {
        metric == .msgsPerSecond ? Format.fixed(v, 0) : Format.compact(v)
    }
}

extension Prediction {
    /// The prediction in words: `with 8 requests in flight: 1.2x-3.4x, 21000-61000 msgs/s
    /// (1376-3997 Mbps each way; now 18000)`; `mbpsWords` names the direction of the Mbps
    /// (``CaseEvidence/mbpsWords``).
    func sentence(fix: Fix, mbpsPerMessageRate: Double?, mbpsWords: String = "each way") -> String {
        let unit = PredictionBounds.unit(metric)
        var text = "with \(fix.summary): "
        if let now, now > 0, metric.higherIsBetter {
            text += "\(Say.x(low / now))-\(Say.x(high / now)), "
        }
        text += "\(PredictionBounds.format(low, metric))-\(PredictionBounds.format(high, metric)) \(unit)"
        var notes: [String] = []
        if metric == .msgsPerSecond, let perRate = mbpsPerMessageRate, perRate > 0 {
            notes.append("\(Format.compact(low * perRate))-\(Format.compact(high * perRate)) Mbps \(mbpsWords)")
        }
        if let now { notes.append("now \(PredictionBounds.format(now, metric))") }
        if !boundedBy.isEmpty { notes.append("bounded by \(boundedBy.joined(separator: ", "))") }
        return text + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
    }
}
