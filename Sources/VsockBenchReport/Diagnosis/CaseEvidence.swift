import VsockBenchSupport
import VsockWire

/// The figures of one case the verdicts read, derived once.
struct CaseEvidence {
    let c: CaseResult
    let context: DiagnosisContext
    init(c: CaseResult, context: DiagnosisContext) {
        self.c = c
        self.context = context
    }

    /// The relative uncertainty of one of the case's figures (see `Uncertainty`).
    func u(_ figure: Figure) -> Double { Uncertainty.relative(c, figure) }

    var isRequestResponse: Bool { c.workload.isRequestResponse }
    var connections: Double { Double(max(c.spec.connections, 1)) }
    /// Seconds per message on one connection.
    var secondsPerMessage: Double? { c.msgsPerSecond > 0 ? connections / c.msgsPerSecond : nil }
    /// Messages per second, all connections, with the case's uncertainty.
    var rate: Interval { .around(c.msgsPerSecond, relative: u(.msgsPerSecond)) }
    /// Bytes of one request frame and one response frame on the wire. A replay's messages
    /// carry the service's framing, not vsockbench's header (over seqpacket, none), and its
    /// responses' size is what came back on average (the corpus says nothing of it).
    var requestFrame: Int {
        guard case let .replay(r) = c.spec.workload else { return FrameHeader.size + (c.spec.messageSizes?.request ?? 0) }
        let payload = measuredPayload(c.figures.bytesTx) ?? r.corpusStats.meanPayload
        return payload + replayOverhead(r.framing, payload)
    }
    var responseFrame: Int {
        guard case let .replay(r) = c.spec.workload else { return FrameHeader.size + (c.spec.messageSizes?.response ?? 0) }
        let payload = measuredPayload(c.figures.bytesRx) ?? c.spec.messageSizes?.response ?? 0
        return payload + replayOverhead(r.effectiveResponseFraming, payload)
    }
    /// Payload bytes per message, from the measured interval.
    private func measuredPayload(_ bytes: UInt64) -> Int? {
        c.figures.messages > 0 ? Int(bounded: (Double(bytes) / Double(c.figures.messages)).rounded()) : nil
    }
    private func replayOverhead(_ framing: MessageFraming, _ payload: Int) -> Int {
        c.transport.contains("seqpacket") ? 0 : framing.overhead(payload)
    }
    var stopAndWait: Bool { c.spec.exchange?.isStopAndWait ?? false }
    /// Payload Mbps in the busier direction: what one direction of the channel carried.
    var oneWayMbps: Double { DiagnosisContext.oneWayMbps(c) }
    var ceilingShare: Double? { context.ceilingMbps.flatMap { $0 > 0 ? oneWayMbps / $0 : nil } }
    /// A stream with no other stream of the run to be measured against: the run's best bulk
    /// case is itself (or no best is known), so its share of the ceiling is 100% by
    /// construction and says nothing of the channel. A lone 64 B-write stream read
    /// "bandwidth_bound (0.95), 100% of the best bulk case" at 417 Mbps on a channel that
    /// moves 50-90 Gbps (review).
    var isOwnReference: Bool {
        guard !isRequestResponse else { return false }
        guard let best = context.ceilingCase, context.ceilingMbps != nil else { return true }
        return best == c.name && !context.cases.contains { $0.name != c.name && $0.workload == .stream && $0.verified && $0.skipped == nil }
    }

    /// The figure a prediction for this case is made in: messages/s for request/response,
    /// the stream's Mbps in its direction. Mbps is per direction: a `direction: both` stream
    /// is predicted in the direction its `mbps` follows (``MbpsDirection``: driver to target
    /// when both move alike, else the busier one), never both summed; `--verify` reads the
    /// fixed case's same figure.
    var metric: Figure {
        guard let stream = c.spec.stream else { return .msgsPerSecond }
        switch stream.direction {
        case .tx: return .mbpsTx
        case .rx: return .mbpsRx
        case .both: return MbpsDirection(c.figures).figure
        }
    }

    /// The metric per message/s (1 for msgs/s; Mbps per message/s for a stream).
    var metricPerMessageRate: Double {
        guard metric != .msgsPerSecond, c.msgsPerSecond > 0 else { return 1 }
        return (metric.value(in: c.figures) ?? 0) / c.msgsPerSecond
    }

    var processingShare: Double? { c.targetProcessingShare ?? c.target?.processingShare }
    var targetProcessingMicrosPerMessage: Double? {
        guard let t = c.target, t.messages > 0 else { return nil }
        return t.processingSeconds * 1e6 / Double(t.messages)
    }
    /// The target's processing per message, seconds, as uncertain as the target's CPU per
    /// message or its processing share, whichever varied more (a busy machine stretches it),
    /// but never below the busy work vsockbench's target was told to do (`target_cost`): it
    /// spins until the clock has passed it, so no later run processes a message faster. Without
    /// that floor a 1 ms spin, less 25%, let a prediction pass the cap its own advice names.
    var processing: Interval {
        let around = Interval.around((targetProcessingMicrosPerMessage ?? 0) * 1e-6, relative: max(u(.targetCPU), u(.targetProcessingShare)))
        let floor = Double(c.spec.exchange?.targetCostNanos ?? 0) * 1e-9
        guard floor > around.low else { return around }
        return Interval(low: min(floor, around.value), value: around.value, high: around.high)
    }

    /// Why a fix that needs more CPU at once (more in flight, more connections) may gain
    /// nothing: the range's low end.
    var noGainSentence: String {
        let used = (cpuNow?.total.value ?? 0) * 1e-6 * c.msgsPerSecond
        let cpus = context.driverHost?.cpus ?? c.targetHost?.cpus
        var share = used > 0 ? " (\(Format.fixed(used, 2)) CPU-seconds per second\(cpus.map { " of \($0) CPUs" } ?? ""))" : ""
        // CPU time is counted in clock ticks: over a few messages it can come to more CPU than
        // there is ("2.90 CPU-seconds per second of 2 CPUs" from 3 messages, review).
        if let cpus, used > Double(cpus) {
            share = " (the CPU counted over its interval comes to more than the \(cpus) CPUs there are: CPU time is counted in clock ticks, too coarse for so short an interval)"
        }
        // The range's low end is the case's rate now at the bottom of its interval (its noise),
        // not a loss the fix would cause: say so, or "no gain" reads beside a lower figure.
        return "at worst no gain: the range's low end, \(Say.rate(rate.low)), is the case's own rate now at the bottom of its noise; a machine busy with other work may give the case no more CPU than it used now\(share)"
    }

    /// The target's processing over the CPU both sides spend per message (processing counted
    /// at most as the target's CPU: it is CPU work, and its wall time stretches when preempted).
    var processingCPUShare: Double? {
        guard let p = targetProcessingMicrosPerMessage, let d = c.cpu.driverMicrosPerMessage, let t = c.cpu.targetMicrosPerMessage, d + t > 0 else { return nil }
        return min(p, t) / (d + t)
    }

    /// The case's own value of its metric, with its uncertainty.
    var metricNow: Interval { .around(metric.value(in: c.figures) ?? 0, relative: u(metric)) }

    /// Write syscalls per frame, the larger side.
    var writesPerFrame: Double { max(c.writesPerMessage ?? 0, c.targetWritesPerMessage ?? 0) }
    /// Effective send buffers, as the kernel kept them.
    var smallestSendBuffer: (side: String, bytes: Int)? {
        var candidates: [(String, Int)] = []
        if let d = c.socket.driver?.sndbuf { candidates.append(("driver", d)) }
        if let t = c.socket.target?.sndbuf { candidates.append(("target", t)) }
        if let v = c.socket.driver?.vsockBufferSize { candidates.append(("driver vsock", Int(clamping: v))) }
        if let v = c.socket.target?.vsockBufferSize { candidates.append(("target vsock", Int(clamping: v))) }
        return candidates.min { $0.1 < $1.1 }
    }

    var creditPacketsPerMessage: Double? {
        guard let probe = c.probe, let vsock = probe.counters.vsock, c.messages > 0 else { return nil }
        var total: UInt64 = 0
        for side in [vsock.tx, vsock.rx] {
            for op in ["CREDIT_UPDATE", "CREDIT_REQUEST"] { total += side?[op]?.packets ?? 0 }
        }
        return Double(total) / Double(c.messages)
    }

    /// Exits or virtio notifications per message, not the vsock-packet proxy (that counts
    /// packets, not exits).
    var exitsPerMessage: (value: Double, source: String)? {
        guard let probe = c.probe, c.messages > 0 else { return nil }
        let n = Double(c.messages)
        if let exits = probe.counters.kvmExits?.values.reduce(0, +), exits > 0 { return (Double(exits) / n, "kvm_exit") }
        if let runs = probe.counters.kvmRun, runs > 0 { return (Double(runs) / n, "kvm_run") }
        let notifications = (probe.counters.vsockIRQs ?? 0) + (probe.counters.virtqueueKicks ?? 0)
        if notifications > 0 { return (Double(notifications) / n, "virtio notifications (vsock IRQs and kicks)") }
        return nil
    }

    /// The direction ``mbpsEachWay(messagesPerSecond:)`` and ``oneWayMbps`` speak of: `each
    /// way` where both directions move alike; where they differ (a masked case's responses
    /// are not its requests), the busier one, named.
    var mbpsWords: String {
        let direction = MbpsDirection(c.figures)
        if direction.eachWay { return "each way" }
        let name = direction.figure == .mbpsRx ? "rx" : "tx"
        return direction.bothUnequal ? "\(name) (the busier way)" : name
    }

    /// Payload Mbps for `messagesPerSecond` at this case's sizes, in the direction ``mbpsWords``
    /// names: payload bytes per message x 8 / 1e6 per message/s, the one definition of Mbps.
    /// (The case's measured Mbps over its rounded msgs/s converted the same rate differently
    /// in different cases: review.) A replay's or a masked case's messages carry their measured
    /// mean payload (a masked case's sizes are drawn, and its responses are tokens: the typical
    /// request size had converted them, review); a stream has no per-message rate to convert (0).
    func mbpsEachWay(messagesPerSecond: Double) -> Double {
        let rx = MbpsDirection(c.figures).figure == .mbpsRx
        let payload: Double
        let measuredSizes = switch c.spec.workload {
        case .replay, .masked: true
        case .rr, .stream: false
        }
        if measuredSizes, c.figures.messages > 0 {
            payload = Double(rx ? c.figures.bytesRx : c.figures.bytesTx) / Double(c.figures.messages)
        } else if case .replay = c.spec.workload {
            return 0
        } else if let sizes = c.spec.messageSizes {
            payload = Double(rx ? sizes.response : sizes.request)
        } else {
            return 0
        }
        return payload * 8 / 1e6 * messagesPerSecond
    }

    /// Seconds the payload of one exchange spends crossing the channel at the fit's beta
    /// (both directions for request/response).
    var bytesSeconds: Interval? {
        guard let fit = context.fit, fit.betaBytesPerSecond > 0, let sizes = c.spec.messageSizes else { return nil }
        let seconds = Double(sizes.request + sizes.response) / fit.betaBytesPerSecond
        return .around(seconds, relative: context.ceilingUncertainty)
    }

    /// One connection's round trip with nothing added, from the fit: alpha + bytes/beta, seconds.
    var plainRoundTrip: Interval? {
        guard let fit = context.fit, fit.isPhysical, let bytes = bytesSeconds else { return nil }
        return Interval.around(fit.alphaSeconds, relative: context.fitUncertainty) + bytes
    }
}

/// Compact figures for sentences.
enum Say {
    static func us(_ v: Double) -> String { Format.compact(v) + " µs" }
    static func mbps(_ v: Double) -> String { Format.compact(v) + " Mbps" }
    static func pct(_ v: Double) -> String { Format.fixed(v * 100, 0) + "%" }
    static func bytes(_ v: Int) -> String { Quantities.formatSize(v) }
    static func x(_ v: Double) -> String { Format.compact(v) + "x" }
    static func rate(_ v: Double) -> String { Format.fixed(v, 0) + " msgs/s" }
}
