import VsockBenchSupport

/// Turns a run's measurements into verdicts: for each case, every verdict whose evidence is
/// there, most confident first, and none where there is none.
///
/// Verdicts are made on the case's figures (the medians when it ran several trials) and, to
/// show how stable they are, on each trial's own figures: a verdict that fires in only some
/// trials says so and loses confidence in proportion (in none: it is dropped, the medians
/// alone do not make a verdict). The first verdict is the main cause; a
/// further one is shown only when its own evidence is strong (`secondaryConfidence`). Two
/// verdicts that amount to the same fix carry the same prediction.
public enum Diagnoser {
    /// A verdict that is not the main cause of a case needs at least this confidence.
    static let secondaryConfidence = 0.5
    /// `round_trip_bound` beside a specific cost: its confidence is this times the share of the
    /// time per message that a plain round trip accounts for.
    static let roundTripBesideSpecific = 0.6

    public static func diagnose(_ c: CaseResult, context: DiagnosisContext) -> [Diagnosis] {
        guard c.skipped == nil, c.messages > 0 else { return [] }
        var verdicts = evaluate(c, context: context)
        let ran = c.trialsInMedians
        let firing: [Set<DiagnosisID>] = ran.count > 1 ? ran.map { trial in
            var one = c
            one.figures = trial
            one.trials = [trial]
            one.ci = nil
            return Set(evaluate(one, context: context).map(\.id))
        } : []
        for i in verdicts.indices {
            let count = ran.count > 1 ? firing.filter { $0.contains(verdicts[i].id) }.count : 1
            verdicts[i].trials = max(ran.count, 1)
            verdicts[i].trialsFiring = count
            if count < verdicts[i].trials {
                verdicts[i].confidence *= Double(count) / Double(verdicts[i].trials)
                verdicts[i].evidence.append("fires in \(count) of \(verdicts[i].trials) trials on their own figures (and on the medians)")
            }
        }
        verdicts = verdicts
            .filter { $0.trialsFiring > 0 }
            .map { var d = $0; d.confidence = d.confidence.rounded(toPlaces: 2); return d }
            .sorted { $0.confidence > $1.confidence }
        verdicts = verdicts.enumerated().filter { $0.offset == 0 || $0.element.confidence >= secondaryConfidence }.map(\.element)
        verdicts = consistent(verdicts)
        verdicts = caveats(c, verdicts)
        // A fix without a prediction is never silent: --verify skips it, and the reader is told.
        for i in verdicts.indices where verdicts[i].fix != nil && verdicts[i].predicted == nil
            && !verdicts[i].evidence.contains(where: { $0.contains("no prediction") || $0.contains("not predicted") }) {
            verdicts[i].evidence.append("no prediction: nothing in this run quantifies what the fix gives, so --verify does not try it")
        }
        return verdicts
    }

    /// A case whose figures rest on too little (`roughNote`) keeps only its main verdict, at
    /// most this confident, and no prediction.
    static let roughConfidence = 0.3
    /// A case with fewer messages than this (in its fewest trial) is rough: its CPU per
    /// message is clock ticks shared over a handful, its rate one message's noise.
    static let fewestMessages: UInt64 = 10
    /// A duration-bounded request/response case with fewer than 100 answers
    /// (`CaseResult.fewAnswersNote`): its rate can read up to an answer's share low, so its
    /// verdicts are scaled by this, and stand (a Nagle-stalled case makes 25 answers a second).
    static let fewAnswersFactor = 0.9
    /// Beside a busy machine (`CaseResult.machineNote`) a verdict's confidence is scaled by this.
    static let busyMachineFactor = 0.7

    /// Why `c`'s figures are too few for a verdict: an interval under 10 ms, fewer than 10
    /// messages. `--messages 3` gave every case of causes.yaml a verdict at full confidence and
    /// a prediction from 32-171 µs, one saying "2.90 CPU-seconds per second of 2 CPUs", where
    /// `run` warns (review). nil when the figures have room.
    static func roughNote(_ c: CaseResult) -> String? {
        if let note = c.shortIntervalNote { return note }
        let fewest = c.trialsInMedians.map(\.messages).min() ?? c.messages
        guard fewest < fewestMessages else { return nil }
        return "\(fewest) message\(fewest == 1 ? "" : "s")\(c.trialCount > 1 ? " in a trial (the fewest)" : ""): its CPU per message is clock ticks shared over so few, and its rate one message's noise; give it \(fewestMessages * 10) messages or more"
    }

    /// The run's notes a verdict stands on, each said in its evidence: figures too few
    /// (`roughNote`: the main verdict only, little confidence, no prediction, so --verify does
    /// not run its fix), few answers (`CaseResult.fewAnswersNote`: less confidence) and a busy
    /// machine (`CaseResult.machineNote`: its timings may be the machine's, less confidence).
    /// None reached the diagnosis before (review), though `run`, `compare`, `check` and `sweep`
    /// say them.
    static func caveats(_ c: CaseResult, _ verdicts: [Diagnosis]) -> [Diagnosis] {
        var out = verdicts
        if let rough = roughNote(c) {
            out = Array(out.prefix(1))
            for i in out.indices {
                out[i].confidence = min(out[i].confidence, roughConfidence)
                out[i].evidence.append("too few figures for a verdict: " + rough + "; this verdict is a guess, made at little confidence")
                if let tail = c.tailNote { out[i].evidence.append(tail) }
                if out[i].predicted != nil {
                    out[i].predicted = nil
                    out[i].predictedGain = nil
                    out[i].evidence.append("no prediction: the case's figures are too few to predict from, so --verify does not try its fix")
                }
            }
        } else if let few = c.fewAnswersNote {
            for i in out.indices {
                out[i].confidence = (out[i].confidence * fewAnswersFactor).rounded(toPlaces: 2)
                out[i].evidence.append(few + "; confidence lowered for it")
            }
        }
        if let busy = c.machineNote {
            for i in out.indices {
                out[i].confidence = (out[i].confidence * busyMachineFactor).rounded(toPlaces: 2)
                out[i].evidence.append(busy + "; confidence lowered for it")
            }
        }
        return out
    }

    /// Every verdict whose evidence is in `c`'s figures, with `round_trip_bound` weighed
    /// against the specific costs.
    static func evaluate(_ c: CaseResult, context: DiagnosisContext) -> [Diagnosis] {
        let evidence = CaseEvidence(c: c, context: context)
        var verdicts = Verdicts.all.compactMap { $0(evidence) }
        // Stop-and-wait explains every chatty case; when a specific cost is also there, that
        // cost is what fills the round trip, and the round trip stays only for the share of
        // the time per message it accounts for itself.
        let specific = Set(verdicts.map(\.id).filter(\.isSpecificCost))
        if !specific.isEmpty, let i = verdicts.firstIndex(where: { $0.id == .roundTripBound }) {
            let share = evidence.roundTripShare(besides: specific)
            verdicts[i].confidence = min(verdicts[i].confidence, roundTripBesideSpecific * share)
            verdicts[i].evidence.append("a plain round trip is \(Say.pct(share)) of this case's time per message; the rest is the specific cost named above")
        }
        return verdicts
    }

    /// A fix predicted by two verdicts gets one prediction: the more confident verdict's.
    static func consistent(_ verdicts: [Diagnosis]) -> [Diagnosis] {
        var out = verdicts
        for i in out.indices {
            guard let fix = out[i].fix, let j = out[..<i].firstIndex(where: { $0.fix == fix }) else { continue }
            out[i].predicted = out[j].predicted
            out[i].predictedGain = out[j].predictedGain.map { $0 + " (as \(out[j].id.rawValue) predicts for the same fix)" }
        }
        return out
    }

    /// The document with every case's `diagnosis` filled in. A fit from a sweep of
    /// `fitWorkload` describes that workload's cases only (an rr sweep's alpha is a round trip,
    /// a stream sweep's the cost of one write): the others are diagnosed as without it.
    public static func diagnose(_ document: RunDocument, fit: LatencyBandwidthFit? = nil, fitSource: String? = nil,
                                fitWorkload: SweepWorkload? = nil) -> RunDocument {
        // The context's beta is one direction of the channel, whose round trip carries the
        // request and then the response; an rr or masked sweep's beta is per byte of n with n
        // crossing each way (SweepWorkload.wireFactor), so its channel is that many times faster.
        let channelFit = fit.map { LatencyBandwidthFit(alphaSeconds: $0.alphaSeconds, betaBytesPerSecond: $0.betaBytesPerSecond * (fitWorkload?.wireFactor ?? 1)) }
        var context = DiagnosisContext.from(document, fit: channelFit, fitSource: fitSource)
        if fit != nil {
            context.fitBetaFactor = fitWorkload?.wireFactor ?? 1
            context.fitIsPerWrite = fitWorkload == .stream
        }
        let withoutFit = DiagnosisContext.from(document)
        var copy = document
        for i in copy.cases.indices {
            let described = fitWorkload?.describes(copy.cases[i].workload) ?? true
            copy.cases[i].diagnosis = diagnose(copy.cases[i], context: described ? context : withoutFit)
        }
        return copy
    }
}

extension CaseEvidence {
    /// The share of the time per message a plain round trip accounts for, at most 1: from the
    /// fit; without one, the time without the Nagle stall, or all but the target's processing
    /// when that is the only specific cost; otherwise unknown, and taken as none.
    func roundTripShare(besides specific: Set<DiagnosisID>) -> Double {
        guard let t = secondsPerMessage, t > 0 else { return 0 }
        let roundTrip: Double
        if let plain = plainRoundTrip {
            roundTrip = plain.value
        } else if nagleStall, let (rate, _) = stallFreeRate, rate.value > 0 {
            roundTrip = connections / rate.value
        } else if specific == [.processingBound] {
            roundTrip = max(t - processing.value, 0)
        } else {
            return 0
        }
        return min(1, roundTrip / t)
    }
}
