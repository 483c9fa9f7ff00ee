import VsockBenchSupport

extension Verdicts {
    /// The target's processing fills most of its connection threads' time.
    static func processing(_ e: CaseEvidence) -> Diagnosis? {
        guard e.isRequestResponse, let share = e.processingShare, share >= 0.5, let target = e.c.target, target.messages > 0 else { return nil }
        let perMessage = e.targetProcessingMicrosPerMessage ?? 0
        var evidence = ["the target's connection threads spent \(Say.pct(share)) of their time processing and \(Say.pct(1 - share)) in read/write syscalls",
                        "processing: \(Say.us(perMessage)) per message"]
        if let phases = target.agentMicrosPerMessage {
            evidence.append("agent pipeline per message: decode \(Say.us(phases.decode)), mask \(Say.us(phases.mask)), encode \(Say.us(phases.encode))")
        }
        if let cpu = e.c.cpu.targetMicrosPerMessage { evidence.append("target CPU \(Say.us(cpu)) per message") }
        let ceilingPerConnection = perMessage > 0 ? 1e6 / perMessage : 0
        let cpus = e.c.targetHost?.cpus ?? 1
        var diagnosis = Diagnosis(id: .processingBound, confidence: min(0.95, share), evidence: evidence,
                                  advice: "processing caps each connection at \(Format.fixed(ceilingPerConnection, 0)) messages/s: cut the per-message work, or spread it over more connections (the target has \(cpus) CPUs)")
        let connections = e.c.spec.connections
        guard cpus > connections else { return diagnosis }
        let fix = Fix.connections(cpus)
        diagnosis.fix = fix
        // Each connection keeps its rate; at best its exchange shrinks to the processing plus a
        // plain round trip. The CPUs, both sides' CPU per message included, bound the sum.
        let scale = Double(cpus) / e.connections
        var high = e.rate.high * scale
        if let roundTrip = e.plainRoundTrip {
            high = max(high, Double(cpus) / (e.processing.low + roundTrip.low))
        }
        let model = Interval(low: e.rate.low, value: e.rate.value * scale, high: high)
        diagnosis.evidence.append("model: \(cpus) connections each as fast as this one now (\(Format.fixed(e.c.msgsPerSecond / e.connections, 0)) msgs/s), at best processing plus a plain round trip each; \(Uncertainty.note(e.c))")
        diagnosis.evidence.append(e.noGainSentence)
        let bounds = PredictionBounds(e, fix: fix, cpuAfter: e.cpuNow, cpuNote: "the CPU each message costs now, which more connections do not reduce", connectionsAfter: cpus)
        let (prediction, notes) = bounds.predict(model: model)
        diagnosis.evidence += notes
        diagnosis.predicted = prediction
        diagnosis.predictedGain = prediction?.sentence(fix: fix, mbpsPerMessageRate: e.mbpsEachWay(messagesPerSecond: 1))
        return diagnosis
    }
}
