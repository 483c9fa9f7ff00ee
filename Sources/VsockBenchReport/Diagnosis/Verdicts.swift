import VsockBenchModel
import VsockBenchSupport

/// Each verdict: fires only on its own evidence, says what that evidence is, what to do, and,
/// where a model allows, what doing it is predicted to give (`PredictionBounds`).
enum Verdicts {
    /// A request/response case moving this share of the best bulk case (each way) is at the ceiling.
    static let nearCeiling = 0.7
    /// A stream below this share of the best bulk case is not healthy; at or above it, it is.
    static let healthyStream = 0.5

    static let all: [@Sendable (CaseEvidence) -> Diagnosis?] = [
        roundTrip, processing, fragmentedWrites, flowControl, notifications, nagle, bandwidth,
    ]

    /// Stop-and-wait: each connection moves one message per round trip.
    static func roundTrip(_ e: CaseEvidence) -> Diagnosis? {
        // In process (--target null) no message crosses a channel, and the window this verdict
        // advises sets nothing there (`InProcessKnobs`): chatty-8k read round_trip_bound 0.85,
        // "keep requests in flight ({window: 8})", advice no in-process run can follow (review).
        guard e.stopAndWait, e.c.transport != InProcessKnobs.transport, let t = e.secondsPerMessage else { return nil }
        // Near the bulk ceiling the channel itself is the limit (bandwidth_bound takes over).
        if let share = e.ceilingShare, share >= Self.nearCeiling { return nil }
        // A results file without latency figures (--from a trimmed or foreign file) still has
        // the rate: one message per round trip is a round trip of 1 / rate (no verdict was given).
        let roundTrip = e.c.latencyMicros.map { "round trip p50 \(Say.us($0.p50)), mean \(Say.us($0.mean)); " }
            ?? "no latency figures in the results, so the round trip is the rate's: "
        var evidence = [
            "stop-and-wait: 1 request in flight per connection, so a connection moves one message per round trip",
            roundTrip + "\(Format.fixed(1 / t, 0)) messages/s per connection = one every \(Say.us(t * 1e6))",
        ]
        if let share = e.ceilingShare, let ceiling = e.context.ceilingMbps {
            evidence.append("\(Say.mbps(e.oneWayMbps)) \(e.mbpsWords) is \(Say.pct(share)) of the channel's bulk ceiling (\(e.context.ceilingCase ?? "stream"): \(Say.mbps(ceiling)))")
        }
        var diagnosis = Diagnosis(id: .roundTripBound, confidence: 0.85, evidence: evidence,
                                  advice: "keep several requests in flight (strategy {window: 8}) or batch messages into fewer, larger writes")
        if let (sibling, k) = windowWithoutGain(e) {
            // The fix this verdict would advise was measured in the same run and gave nothing:
            // the round trip's fixed part is not what holds the case back, each request's own
            // time is. Said, with little confidence, and not advised again.
            diagnosis.confidence = 0.3
            diagnosis.evidence.append("\(Terminal.safe(sibling.name)), this case with \(k) requests in flight measured in this run, moved \(Format.fixed(sibling.msgsPerSecond, 0)) msgs/s against this case's \(Format.fixed(e.c.msgsPerSecond, 0)) (\(Say.x(sibling.msgsPerSecond / e.c.msgsPerSecond))): more in flight gained less than \(Format.fixed(windowGainThatCounts, 1))x, so the round trip is not what limits this case")
            diagnosis.advice = e.c.spec.workload.isForeign
                ? "more in flight did not help (\(Terminal.safe(sibling.name))): each request's own time in the service is the limit, which cannot be seen from here (it sends no stats): time its handling of one request, or try more connections if it serves them in parallel"
                : "more in flight did not help (\(Terminal.safe(sibling.name))): the target's time per request is the limit (see its processing share), not the round trip"
            return diagnosis
        }
        guard let fit = e.context.fit, fit.isPhysical, let bytes = e.bytesSeconds else { return diagnosis }
        // How many messages' payload time (request and response crossing the channel at beta)
        // the fixed cost of a round trip is: that many in flight amortise it.
        let messages = fit.alphaSeconds / max(bytes.value, 1e-12)
        let k = min(CaseSpec.maxInflight, max(2, Int(min(messages, Double(CaseSpec.maxInflight)).rounded(.up))))
        let fix = Fix.window(k)
        diagnosis.fix = fix
        diagnosis.advice = "keep \(k) requests in flight per connection (strategy {window: \(k)}), or batch \(k) messages per write: the fixed cost of a round trip, alpha = \(Say.us(fit.alphaSeconds * 1e6)) (\(e.context.fitSource ?? "model")), is the payload time of \(Format.fixed(messages, 1)) messages (\(Say.us(bytes.value * 1e6)) each at \(e.context.betaText(fit)))"

        // k in flight overlap the round trip's fixed part a = t - bytes/beta - processing; the
        // bytes and the target's processing stay per message: k / (a + k (bytes/beta + processing)).
        let perMessage = e.rate.reciprocal(times: e.connections)
        let p = e.processing
        let fixedLow = max(0, perMessage.low - bytes.high - p.high)
        let fixedHigh = perMessage.high - bytes.low - p.low
        var model: Interval?
        if fixedHigh > 0 {
            let kk = Double(k)
            let c = e.connections
            let value = c * kk / (max(0, perMessage.value - bytes.value - p.value) + kk * (bytes.value + p.value))
            var range = Interval(low: c * kk / (fixedHigh + kk * (bytes.high + p.high)), value: value,
                                 high: c * kk / (fixedLow + kk * (bytes.low + p.low)))
            // This case's own fixed part (its round trip less payload and processing), not the
            // fit's alpha that the advice names: two quantities, said as two.
            diagnosis.evidence.append("model: \(k) in flight overlap this case's fixed part of a round trip, \(Say.us(max(0, perMessage.value - bytes.value - p.value) * 1e6)) (its round trip less payload and processing, as measured here, where the advice's alpha is the model's); \(Say.us((bytes.value + p.value) * 1e6)) per message (payload at \(e.context.betaText(fit)), processing) stay; \(Uncertainty.note(e.c))")
            range.low = min(range.low, e.rate.low)
            diagnosis.evidence.append(e.noGainSentence)
            model = range
        }
        let bounds = PredictionBounds(e, fix: fix, cpuAfter: e.userCPU, cpuNote: "the user-space CPU per message, which more in flight does not remove")
        let (prediction, notes) = bounds.predict(model: model)
        diagnosis.evidence += notes
        diagnosis.predicted = prediction
        diagnosis.predictedGain = prediction?.sentence(fix: fix, mbpsPerMessageRate: e.mbpsEachWay(messagesPerSecond: 1), mbpsWords: e.mbpsWords)
        return diagnosis
    }

    /// A windowed sibling that gains less than this over its stop-and-wait case shows that
    /// the round trip is not the limit (a round-trip-bound case gains up to k times with k in flight).
    static let windowGainThatCounts = 1.2

    /// The best case of the run that is `e`'s case with k > 1 requests in flight, when none of
    /// them gained `windowGainThatCounts` over it; nil when there is none, or one did gain.
    static func windowWithoutGain(_ e: CaseEvidence) -> (CaseResult, Int)? {
        guard e.c.msgsPerSecond > 0 else { return nil }
        var best: (CaseResult, Int)?
        for s in e.context.cases where s.name != e.c.name && s.verified && s.messages > 0 && s.skipped == nil {
            guard let exchange = s.spec.exchange, exchange.inflight > 1 else { continue }
            let k = exchange.inflight
            // `inflight: k` with strategy none sends the same way as {window: k}: both count.
            var asWindow = s.spec
            if case .none = exchange.strategy { asWindow.updateExchange { $0.strategy = .window(k) } }
            guard Fix.window(k).isApplied(in: asWindow, comparedWith: e.c.spec) else { continue }
            if s.msgsPerSecond >= e.c.msgsPerSecond * windowGainThatCounts { return nil }
            if best.map({ s.msgsPerSecond > $0.0.msgsPerSecond }) ?? true { best = (s, k) }
        }
        return best
    }

    /// A stream with nothing to compare it with: its bandwidth is said, not judged.
    static let noReferenceConfidence = 0.3

    /// Healthy bulk transfer near the channel's ceiling.
    static func bandwidth(_ e: CaseEvidence) -> Diagnosis? {
        guard e.c.verified, e.oneWayMbps > 0 else { return nil }
        // A round trip's n_half (an rr sweep's, or estimated from a plain rr case) says nothing
        // of a stream's writes, which wait for no round trip: a 64KiB stream "not yet
        // amortised" against a 180KiB round-trip n_half contradicted "nothing to fix" (review).
        var nHalf: String?
        if let fit = e.context.fit, fit.isPhysical, e.isRequestResponse != e.context.fitIsPerWrite {
            let size = Double(e.c.spec.stream?.writeSize ?? e.c.spec.messageSizes?.request ?? 0)
            nHalf = "\(Say.bytes(Int(bounded: size))) per write against n_half \(Say.bytes(Int(bounded: fit.nHalfBytes))): the fixed cost per write is \(size >= fit.nHalfBytes ? "amortised" : "not yet amortised")"
        }
        if e.isOwnReference {
            // Its own best: the ceiling is unknown, so is how near it the case came. Said with
            // little confidence (below a secondary verdict's: a buffer verdict goes first), and
            // the advice is the reference that is missing.
            var evidence = ["\(Say.mbps(e.oneWayMbps)) one way; no other stream in this run to compare it with (it is its own best bulk case), so the channel's ceiling, and how near it this is, are unknown"]
            if let write = e.c.spec.stream?.writeSize { evidence.append("\(Say.bytes(write)) per write, \(Format.fixed(e.c.writesPerMessage, 2)) writes per message") }
            if let nHalf { evidence.append(nHalf) }
            return Diagnosis(id: .bandwidthBound, confidence: noReferenceConfidence, evidence: evidence,
                             advice: "no reference: add a bulk stream case (64KiB writes, default socket buffers) to the scenario to tell whether this is the channel's bandwidth")
        }
        let share = e.ceilingShare ?? (e.isRequestResponse ? 0 : 1)
        guard share >= (e.isRequestResponse ? Self.nearCeiling : Self.healthyStream) else { return nil }
        var evidence = ["\(Say.mbps(e.oneWayMbps)) one way, \(Say.pct(share)) of the best bulk case of this run"]
        if let nHalf { evidence.append(nHalf) }
        evidence.append("\(Format.fixed(e.c.writesPerMessage, 2)) writes per message")
        return Diagnosis(id: .bandwidthBound, confidence: min(0.95, 0.5 + share / 2), evidence: evidence,
                         advice: "nothing to fix in the protocol: this is the channel's bandwidth; more needs parallel streams or a faster channel")
    }
}
