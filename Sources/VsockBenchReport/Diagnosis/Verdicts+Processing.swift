import VsockBenchSupport
import VsockBenchEngine

extension Verdicts {
    /// The target's processing fills most of its connection threads' time, or is most of the
    /// CPU a message costs on both sides (a busy machine stretches the waits around it, not
    /// the work).
    static func processing(_ e: CaseEvidence) -> Diagnosis? {
        guard e.isRequestResponse, var share = e.processingShare, let target = e.c.target, target.messages > 0 else { return nil }
        let cpuShare = e.processingCPUShare ?? 0
        let perMessage = e.targetProcessingMicrosPerMessage ?? 0
        let firstLine: String
        if e.c.transport == InProcessKnobs.transport {
            // In process (--target null) there is no read or write syscall: processing against
            // the syscalls' zero was always 100%, processing_bound at 0.95 where processing was
            // 0.314 µs of each message's 1.68 µs (review). Judged by its share of the time a
            // message takes on its connection instead.
            guard let t = e.secondsPerMessage else { return nil }
            share = min(1, perMessage * 1e-6 / t)
            firstLine = "in process (--target null) there are no read/write syscalls: processing is \(Say.pct(share)) of each message's \(Say.us(t * 1e6)) on its connection"
        } else {
            firstLine = "the target's connection threads spent \(Say.pct(share)) of their timed work processing and \(Say.pct(1 - share)) in read/write syscalls" + untimedClause(target)
        }
        guard share >= 0.5 || (cpuShare >= 0.6 && share >= 0.2) else { return nil }
        var evidence = [firstLine, "processing: \(Say.us(perMessage)) per message"]
        if cpuShare > 0, let cpu = e.cpuNow {
            // Processing longer than the target's CPU counts as that CPU (processingCPUShare).
            let counted = e.processingAboveCPU == nil ? "" : ", counted as the target's \(Say.us(cpu.target?.value ?? 0)) of CPU (less than its \(Say.us(perMessage)) on the clock),"
            evidence.append("processing\(counted) is \(Say.pct(cpuShare)) of the CPU both sides spend per message (\(Say.us(cpu.total.value)))")
        }
        if let phases = target.agentMicrosPerMessage {
            var sentence = "agent pipeline per message: decode \(Say.us(phases.decode)), mask \(Say.us(phases.mask)), encode \(Say.us(phases.encode))"
            // Processing runs from a request's arrival to its response's departure: the frame's
            // handling around the three phases (and any target_cost) counts in it too.
            let outside = perMessage - (phases.decode + phases.mask + phases.encode)
            if outside > 0.1 * perMessage {
                let cost = Double(e.c.spec.exchange?.targetCostNanos ?? 0) / 1000
                sentence += "; the other \(Say.us(outside)) of processing is outside them (the response frame built and queued, and the message's buffers wiped, around them\(cost > 0 ? ", and target_cost's \(Say.us(cost))" : ""))"
            }
            evidence.append(sentence)
        }
        let ceilingPerConnection = perMessage > 0 ? 1e6 / perMessage : 0
        // Fired on the CPU share alone (a busy machine), the cap may be far above the rate
        // measured: said, so that the cap is not read as what held the case (2266/s ran under
        // a 9965/s cap with no word: review).
        let perConnection = e.c.msgsPerSecond / e.connections
        if ceilingPerConnection > 0, perConnection > 0, perConnection < 0.5 * ceilingPerConnection {
            evidence.append("each connection ran at \(Format.fixed(perConnection, 0)) messages/s, under half of what its processing allows (\(Format.fixed(ceilingPerConnection, 0))/s): the rest of each message's \(Say.us(1e6 / perConnection)) is waiting, on the channel or for a CPU this machine's other work holds")
        }
        let cpus = e.c.targetHost?.cpus ?? 1
        var diagnosis = Diagnosis(id: .processingBound, confidence: min(0.95, max(share, cpuShare)), evidence: evidence,
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
        diagnosis.predictedGain = prediction?.sentence(fix: fix, mbpsPerMessageRate: e.mbpsEachWay(messagesPerSecond: 1), mbpsWords: e.mbpsWords)
        return diagnosis
    }

    /// Processing and read/write syscalls are what the target times, not all of its threads'
    /// time: a batching strategy's wait for more requests and the loop's own work are neither.
    /// Where the two cover under 90% of the connection threads' wall time, the share above is
    /// of less than their time, and the clause says how much (84% for coalesce, review).
    static func untimedClause(_ target: TargetStats) -> String {
        let threads = Double(target.connections.count)
        let timed = target.processingSeconds + target.ioWaitSeconds
        guard threads > 0, target.wallSeconds > 0, timed > 0 else { return "" }
        let covered = timed / (target.wallSeconds * threads)
        guard covered < 0.9 else { return "" }
        return " (the two are \(Say.pct(covered)) of their wall time; the rest is neither: waits for more requests to batch, or the loop's own work)"
    }
}
