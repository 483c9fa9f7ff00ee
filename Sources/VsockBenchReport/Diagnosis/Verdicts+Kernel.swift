import VsockBenchSupport
import VsockBenchModel

extension Verdicts {
    /// VM exits or virtio notifications per message dominate (needs the probe).
    static func notifications(_ e: CaseEvidence) -> Diagnosis? {
        guard let (perMessage, source) = e.exitsPerMessage, perMessage >= 2 else { return nil }
        var evidence = ["\(Format.fixed(perMessage, 1)) exits per message, counted from \(source)"]
        if let packets = e.c.probe?.perMessage.vsockPackets { evidence.append("\(Format.fixed(packets, 1)) vsock packets per message") }
        // Capped as the window fix is: k times a frame had overflowed past Int.
        let k = min(CaseSpec.maxInflight, max(2, Int(bounded: perMessage.rounded(.up))))
        let fix = Fix.coalesce(k)
        evidence.append("model: exits follow writes, so \(k) messages per write leave between 1/\(k) of them (every exit follows a write) and all of them (none does)")
        // Counts do not vary from run to run: the range is the model's alone.
        let prediction = Prediction(metric: .exits, low: PredictionBounds.round(perMessage / Double(k), .exits),
                                    high: PredictionBounds.round(perMessage, .exits), now: PredictionBounds.round(perMessage, .exits))
        return Diagnosis(id: .notificationBound, confidence: min(0.9, 0.4 + perMessage / 20), evidence: evidence,
                         advice: "amortise notifications: coalesce \(k) or more messages per write (strategy {coalesce: {max_messages: \(k)}})",
                         predictedGain: prediction.sentence(fix: fix, mbpsPerMessageRate: nil), fix: fix, predicted: prediction)
    }

    /// Nagle holding a small write until the peer's delayed ACK.
    static func nagle(_ e: CaseEvidence) -> Diagnosis? {
        guard e.nagleStall, let latency = e.c.latencyMicros else { return nil }
        let p50 = latency.p50 / 1000
        var evidence = ["p50 latency \(Format.fixed(p50, 1)) ms is \(Format.fixed(p50 / 40, 1)) x Linux's 40 ms minimum delayed-ACK timer"]
        // Only the service's side can hold it when ours has TCP_NODELAY on: a likelier cause
        // than any other at that latency, but not seen, so said with less confidence.
        let onTheService = !e.nodelayOffOnOurSide && e.peerSocketUnknown
        if onTheService {
            evidence.append("the driver's TCP_NODELAY is on; your service's socket options cannot be seen from here, so the stall would be on its side: TCP_NODELAY off while it writes a response in more than one piece")
        } else {
            evidence.append("TCP_NODELAY is off on \(e.c.socket.driver?.nodelay == false || e.c.spec.socket.noDelay == false ? "the driver" : "the target")")
        }
        if e.writesPerFrame >= 1.5 { evidence.append("\(Format.fixed(e.writesPerFrame, 1)) writes per frame: a small write followed by another waits for an ACK") }
        let fix = Fix.noDelay
        var diagnosis = Diagnosis(id: .nagleDelayedAck, confidence: onTheService ? 0.6 : 0.9, evidence: evidence,
                                  advice: onTheService
                                      ? "set TCP_NODELAY on your service's socket, or have it write each response with one write; if it already does, the time is its own processing"
                                      : "set TCP_NODELAY on both sides, or write each frame with one write (either ends the stall)", fix: fix)
        // Without the stall a message costs a plain round trip and the processing (the fit);
        // a sibling with TCP_NODELAY on bounds it.
        var model: Interval?
        if let roundTrip = e.plainRoundTrip {
            model = (roundTrip + e.processing).reciprocal(times: e.connections)
            diagnosis.evidence.append("model: without the stall a message costs a plain round trip plus processing, \(Say.us((roundTrip.value + e.processing.value) * 1e6)) (\(e.context.fitSource ?? "the fit"))")
        }
        let bounds = PredictionBounds(e, fix: fix, cpuAfter: e.cpuNow)
        let (prediction, notes) = bounds.predict(model: model)
        diagnosis.evidence += notes
        diagnosis.predicted = prediction
        diagnosis.predictedGain = prediction?.sentence(fix: fix, mbpsPerMessageRate: e.mbpsEachWay(messagesPerSecond: 1), mbpsWords: e.mbpsWords)
        return diagnosis
    }
}

extension CaseEvidence {
    /// Nagle's evidence: tcp with TCP_NODELAY off and a p50 latency at the delayed-ACK timer.
    var nagleStall: Bool {
        guard c.transport == "tcp", let latency = c.latencyMicros else { return false }
        let p50 = latency.p50 / 1000
        return (nodelayOffOnOurSide || peerSocketUnknown) && p50 >= 30 && p50 <= 500
    }

    /// TCP_NODELAY is off on a side vsockbench runs or configures (read back, or asked for).
    var nodelayOffOnOurSide: Bool {
        c.socket.driver?.nodelay == false || c.socket.target?.nodelay == false || c.spec.socket.noDelay == false
    }

    /// The peer is a service of the user's (replay, raw stream): its socket options, TCP_NODELAY
    /// among them, cannot be seen from here.
    var peerSocketUnknown: Bool { c.spec.workload.isForeign && c.socket.target == nil }

    /// The rate without the Nagle stall (msgs/s, all connections) and where it comes from: a
    /// plain round trip plus processing from the fit, or a sibling with TCP_NODELAY on.
    var stallFreeRate: (Interval, String)? {
        if let roundTrip = plainRoundTrip {
            return ((roundTrip + processing).reciprocal(times: connections), "a plain round trip and the processing, \(context.fitSource ?? "the fit")")
        }
        let bounds = PredictionBounds(self, fix: .noDelay, cpuAfter: nil)
        guard let sibling = bounds.siblings().max(by: { $0.msgsPerSecond < $1.msgsPerSecond }) else { return nil }
        return (.around(sibling.msgsPerSecond, relative: Uncertainty.relative(sibling, .msgsPerSecond)), "as \(sibling.name), this case with TCP_NODELAY on, measured")
    }
}

extension CaseEvidence {
    /// The rate with each frame written once, which also ends a Nagle stall: the fit's plain
    /// round trip (one write per frame) plus processing; or what fragmented_writes predicts
    /// for the sibling with TCP_NODELAY on (the stall gone, its extra writes still there).
    var wholeFramesWithoutStall: (Interval, String)? {
        if let roundTrip = plainRoundTrip {
            return ((roundTrip + processing).reciprocal(times: connections), "a plain round trip and the processing, \(context.fitSource ?? "the fit")")
        }
        let bounds = PredictionBounds(self, fix: .noDelay, cpuAfter: nil)
        guard let sibling = bounds.siblings().max(by: { $0.msgsPerSecond < $1.msgsPerSecond }) else { return nil }
        let evidence = CaseEvidence(c: sibling, context: context)
        if !evidence.nagleStall, let predicted = Verdicts.fragmentedWrites(evidence)?.predicted {
            return (Interval(low: predicted.low, value: (predicted.low + predicted.high) / 2, high: predicted.high),
                    "what fragmented_writes predicts for \(sibling.name), this case with TCP_NODELAY on")
        }
        return nil
    }
}
