import VsockBenchSupport

/// Each verdict: fires only on its own evidence, says what that evidence is, and what to do.
enum Verdicts {
    /// A request/response case moving this share of the best bulk case is at the ceiling.
    static let nearCeiling = 0.7

    static let all: [@Sendable (CaseEvidence) -> Diagnosis?] = [
        roundTrip, processing, fragmentedWrites, flowControl, notifications, nagle, bandwidth,
    ]

    /// Stop-and-wait: each connection moves one message per round trip.
    static func roundTrip(_ e: CaseEvidence) -> Diagnosis? {
        guard e.stopAndWait, let t = e.secondsPerMessage, let latency = e.c.latencyMicros else { return nil }
        // Near the bulk ceiling the channel itself is the limit (bandwidth_bound takes over).
        if let share = e.ceilingShare, share >= Self.nearCeiling { return nil }
        var evidence = [
            "stop-and-wait: 1 request in flight per connection, so a connection moves one message per round trip",
            "round trip p50 \(Say.us(latency.p50)), mean \(Say.us(latency.mean)); \(Format.fixed(1 / t, 0)) messages/s per connection = one every \(Say.us(t * 1e6))",
        ]
        if let share = e.ceilingShare, let ceiling = e.context.ceilingMbps {
            evidence.append("\(Say.mbps(e.c.mbpsTotal)) is \(Say.pct(share)) of the channel's bulk ceiling (\(e.context.ceilingCase ?? "stream"): \(Say.mbps(ceiling)))")
        }
        var advice = "keep several requests in flight (strategy {window: 8}) or batch messages into fewer, larger writes"
        var predicted: String?
        if let fit = e.context.fit, fit.isPhysical {
            let n = Double(e.c.spec.messageSizes?.request ?? 0)
            let k = max(2, Int((fit.nHalfBytes / n).rounded(.up)))
            // A batch of k round trips: one fixed cost, k messages each way, and k times the
            // target's own processing, which batching does not remove.
            let processing = (e.targetProcessingMicrosPerMessage ?? 0) * 1e-6
            let batchSeconds = fit.alphaSeconds + Double(k) * (2 * n / fit.betaBytesPerSecond + processing)
            let rate = Double(k) / batchSeconds
            let gain = rate / max(1 / t, 1e-9)
            advice = "batch at least \(k) messages per write (n_half = \(Say.bytes(Int(fit.nHalfBytes))), \(e.context.fitSource ?? "model")) or keep \(k) requests in flight"
            predicted = "about \(Say.x(gain)): \(Format.fixed(rate, 0)) messages/s per connection, \(Say.mbps(e.mbps(messagesPerSecond: rate * e.connections))) (t = alpha + k·(n/beta + processing), alpha \(Say.us(fit.alphaMicros)))"
        }
        // The generic explanation of any stop-and-wait case; the diagnoser lowers it when a
        // more specific cause is also there.
        return Diagnosis(id: "round_trip_bound", confidence: 0.85, evidence: evidence, advice: advice, predictedGain: predicted)
    }

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
        let cpus = Double(e.c.targetHost?.cpus ?? 1)
        let advice = "processing caps each connection at \(Format.fixed(ceilingPerConnection, 0)) messages/s: cut the per-message work, or spread it over more connections (the target has \(Int(cpus)) CPUs)"
        let predicted = cpus > e.connections
            ? "with \(Int(cpus)) connections: up to \(Format.fixed(ceilingPerConnection * cpus, 0)) messages/s, \(Say.mbps(e.mbps(messagesPerSecond: ceilingPerConnection * cpus)))"
            : nil
        return Diagnosis(id: "processing_bound", confidence: min(0.95, share), evidence: evidence, advice: advice, predictedGain: predicted)
    }

    /// Frames leave in many small writes.
    static func fragmentedWrites(_ e: CaseEvidence) -> Diagnosis? {
        guard let exchange = e.c.spec.exchange, exchange.strategy.writesEachFrameAtOnce else { return nil }
        let writes = e.writesPerFrame
        guard writes >= 1.5 else { return nil }
        let side = (e.c.writesPerMessage ?? 0) >= (e.c.targetWritesPerMessage ?? 0) ? "driver" : "target"
        var evidence = ["the \(side) made \(Format.fixed(writes, 1)) write syscalls per message for one frame each way (driver \(Format.fixed(e.c.writesPerMessage, 1)), target \(Format.fixed(e.c.targetWritesPerMessage, 1)))",
                        "about \(Say.bytes(e.requestFrame / max(Int(writes.rounded()), 1))) per write"]
        if let packets = e.c.probe?.perMessage.vsockPackets { evidence.append("\(Format.fixed(packets, 1)) vsock packets per message") }
        var predicted: String?
        if let t = e.secondsPerMessage, let total = e.c.latencyMicros?.mean, total > 0 {
            // Each extra write costs roughly what the measured ones cost on average.
            let driverWrites = e.c.writesPerMessage ?? 1
            let targetWrites = e.c.targetWritesPerMessage ?? 1
            let extra = (driverWrites - 1) + (targetWrites - 1)
            let perWrite = (e.c.cpu.driverMicrosPerMessage ?? 0) / max(driverWrites + (e.c.readsPerMessage ?? 1), 1)
            let saved = min(extra * perWrite * 1e-6, t * 0.9)
            if saved > 0 { predicted = "about \(Say.x(t / (t - saved))) by saving ~\(Format.fixed(extra, 0)) writes (~\(Say.us(saved * 1e6))) per message" }
        }
        return Diagnosis(id: "fragmented_writes", confidence: min(0.95, 0.6 + 0.35 * (1 - 1 / writes)), evidence: evidence,
                         advice: "build each frame whole and write it once (or writev header and payload together)", predictedGain: predicted)
    }

    /// The socket buffers (or vsock credit) hold less than the workload needs.
    static func flowControl(_ e: CaseEvidence) -> Diagnosis? {
        var evidence: [String] = []
        var strength = 0.0
        let frame = max(e.c.spec.stream?.writeSize ?? max(e.requestFrame, e.responseFrame), 1)
        if let smallest = e.smallestSendBuffer, smallest.bytes < frame {
            evidence.append("the \(smallest.side) send buffer is \(smallest.bytes) bytes (as the kernel kept it), smaller than one \(frame)-byte frame: every message waits for the peer to drain it")
            strength += 0.5
        }
        if let shortWrites = max(e.c.shortWritesPerMessage ?? 0, e.c.targetShortWritesPerMessage ?? 0) as Double?, shortWrites >= 0.1 {
            evidence.append("\(Format.fixed(shortWrites, 2)) short writes per message: the kernel took part of a write and made the writer wait")
            strength += 0.3
        }
        let wholeWrites = (e.c.writesPerMessage ?? 0) <= 1.1 && (e.c.targetWritesPerMessage ?? 0) <= 1.1
        let reads = max(e.c.readsPerMessage ?? 0, e.c.targetReadsPerMessage ?? 0)
        if e.isRequestResponse, e.stopAndWait, wholeWrites, reads >= 1.5 {
            evidence.append("each frame was written once but read in \(Format.fixed(reads, 1)) pieces: it did not fit in the socket buffer at once")
            strength += 0.3
        }
        if let credits = e.creditPacketsPerMessage, credits >= 0.5 {
            evidence.append("\(Format.fixed(credits, 2)) vsock credit updates/requests per message: the receiver keeps telling the sender it has room (kernels before 5.4 send one on every read)")
            strength += credits >= 1 ? 0.5 : 0.3
        }
        if let ceiling = e.context.ceilingMbps, let rtt = e.c.latencyMicros?.p50, let smallest = e.smallestSendBuffer {
            let bdp = ceiling * 1e6 / 8 * rtt * 1e-6
            if Double(smallest.bytes) < bdp, !e.stopAndWait {
                evidence.append("bandwidth-delay product \(Say.bytes(Int(bdp))) (\(Say.mbps(ceiling)) x \(Say.us(rtt))) exceeds the \(smallest.side) buffer of \(Say.bytes(smallest.bytes))")
                strength += 0.3
            }
        }
        guard strength >= 0.5 else { return nil }
        let needed = max(2 * frame, 256 * 1024)
        return Diagnosis(id: "flow_control_bound", confidence: min(0.95, 0.4 + strength / 2), evidence: evidence,
                         advice: "raise SO_SNDBUF/SO_RCVBUF (on vsock SO_VM_SOCKETS_BUFFER_SIZE) to at least \(Say.bytes(needed)) on both sides",
                         predictedGain: nil)
    }

    /// VM exits or virtio notifications per message dominate (needs the probe).
    static func notifications(_ e: CaseEvidence) -> Diagnosis? {
        guard let (perMessage, source) = e.exitsPerMessage, perMessage >= 2 else { return nil }
        var evidence = ["\(Format.fixed(perMessage, 1)) exits per message, counted from \(source)"]
        if let packets = e.c.probe?.perMessage.vsockPackets { evidence.append("\(Format.fixed(packets, 1)) vsock packets per message") }
        let k = max(2, Int(perMessage.rounded(.up)))
        return Diagnosis(id: "notification_bound", confidence: min(0.9, 0.4 + perMessage / 20), evidence: evidence,
                         advice: "amortise notifications: coalesce \(k) or more messages per write (strategy {coalesce: {max_messages: \(k)}})",
                         predictedGain: "about \(Format.fixed(perMessage / Double(k), 1)) exits per message with \(k) messages per write")
    }

    /// Nagle holding a small write until the peer's delayed ACK.
    static func nagle(_ e: CaseEvidence) -> Diagnosis? {
        guard e.c.transport == "tcp", let latency = e.c.latencyMicros else { return nil }
        let nodelayOff = e.c.socket.driver?.nodelay == false || e.c.socket.target?.nodelay == false
        let p50 = latency.p50 / 1000
        guard nodelayOff || e.c.spec.socket.noDelay == false, p50 >= 30, p50 <= 500 else { return nil }
        let multiple = p50 / 40
        var evidence = ["p50 latency \(Format.fixed(p50, 1)) ms is \(Format.fixed(multiple, 1)) x Linux's 40 ms minimum delayed-ACK timer",
                        "TCP_NODELAY is off on \(e.c.socket.driver?.nodelay == false ? "the driver" : "the target")"]
        if e.writesPerFrame >= 1.5 { evidence.append("\(Format.fixed(e.writesPerFrame, 1)) writes per frame: a small write followed by another waits for an ACK") }
        let predicted = e.context.fit.map { "about \(Format.fixed(latency.p50 / ($0.seconds(bytes: 2 * Double(e.c.spec.messageSizes?.request ?? 0)) * 1e6), 0))x lower latency" }
        return Diagnosis(id: "nagle_delayed_ack", confidence: 0.9, evidence: evidence,
                         advice: "set TCP_NODELAY on both sides, or write each frame with one write", predictedGain: predicted)
    }

    /// Healthy bulk transfer near the channel's ceiling.
    static func bandwidth(_ e: CaseEvidence) -> Diagnosis? {
        guard e.c.verified, e.c.mbpsTotal > 0 else { return nil }
        let share = e.ceilingShare ?? (e.isRequestResponse ? 0 : 1)
        guard share >= (e.isRequestResponse ? Self.nearCeiling : 0.5) else { return nil }
        var evidence = ["\(Say.mbps(e.c.mbpsTotal)), \(Say.pct(share)) of the best bulk case of this run"]
        if let fit = e.context.fit, fit.isPhysical {
            let size = Double(e.c.spec.stream?.writeSize ?? e.c.spec.messageSizes?.request ?? 0)
            evidence.append("\(Say.bytes(Int(size))) per write against n_half \(Say.bytes(Int(fit.nHalfBytes))): the fixed cost per write is \(size >= fit.nHalfBytes ? "amortised" : "not yet amortised")")
        }
        evidence.append("\(Format.fixed(e.c.writesPerMessage, 2)) writes per message")
        return Diagnosis(id: "bandwidth_bound", confidence: min(0.95, 0.5 + share / 2), evidence: evidence,
                         advice: "nothing to fix in the protocol: this is the channel's bandwidth; more needs parallel streams or a faster channel",
                         predictedGain: nil)
    }
}
