import VsockProbe
import Histogram
import VsockTransport
import VsockBenchEngine
import VsockBenchModel

/// Turns raw measurements into a `CaseResult`.
public enum CaseSummary {
    /// Per-message probe figures. On vsock loopback (CID 1) both ends share one kernel: each
    /// packet counts once, and there is no VM boundary, so no exits and no notifications.
    static func perMessage(_ counters: ProbeCounters, loopback: Bool, messages: UInt64) -> ProbePerMessage {
        guard loopback else { return counters.perMessage(Int(clamping: messages)) }
        var figures = counters.loopbackBasis().perMessage(Int(clamping: messages))
        if figures.exitsSource == "virtio_notifications" {
            figures.exits = nil
            figures.exitsSource = nil
        }
        return figures
    }

    /// A case's result from how it ended: measured, or failed or skipped with zero figures.
    public static func summarize(_ outcome: CaseOutcome, transport: String) -> CaseResult {
        switch outcome {
        case let .measured(m): return summarize(m, transport: transport)
        case let .failed(spec, error): return notRun(spec, transport: transport, errors: [error.description], skipped: nil)
        case let .skipped(spec, reason): return notRun(spec, transport: transport, errors: [], skipped: reason)
        }
    }

    /// A case that did not run still appears, with its error (or why it was skipped) and zero figures.
    public static func notRun(_ spec: CaseSpec, transport: String, errors: [String], skipped: String?) -> CaseResult {
        CaseResult(
            name: spec.name, workload: spec.kind, transport: transport, spec: spec, messages: 0, bytesTx: 0, bytesRx: 0,
            durationSeconds: 0, mbpsTx: 0, mbpsRx: 0, mbpsTotal: 0, msgsPerSecond: 0, latencyMicros: nil,
            writesPerMessage: nil, readsPerMessage: nil, targetWritesPerMessage: nil, targetReadsPerMessage: nil,
            targetProcessingShare: nil, cpu: CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0),
            spread: ConnectionSpread(connections: spec.connections, minMsgsPerSecond: 0, maxMsgsPerSecond: 0, cv: 0),
            socket: SocketSummary(driver: nil, target: nil), errors: errors, verified: false,
            verification: "not run", target: nil, targetHost: nil, probe: nil, diagnosis: nil, skipped: skipped)
    }

    public static func summarize(_ m: CaseMeasurement, transport: String) -> CaseResult {
        let workers = m.workers
        let reading = workers.reduce(IntervalReading()) { $0 + $1.reading }
        let messages = reading.tally.messages
        let io = reading.io
        let seconds = reading.seconds
        // Mbps is application payload per second, each way: frame headers and padding are
        // not payload (they show in wire bytes per message).
        let payloadOut = reading.tally.bytesOut
        let payloadIn = reading.tally.bytesIn
        func mbps(_ bytes: UInt64) -> Double { seconds > 0 ? (Double(bytes) * 8 / seconds / 1e6).rounded(toPlaces: 3) : 0 }
        func perMessage(_ count: UInt64, _ of: UInt64) -> Double? { of > 0 ? (Double(count) / Double(of)).rounded(toPlaces: 3) : nil }

        var latency: LatencySummary?
        if m.spec.kind.isRequestResponse {
            var merged = WorkerResult.newHistogram()
            for worker in workers { if let h = worker.latency { merged.add(h) } }
            if merged.totalCount > 0 { latency = LatencySummary(merged) }
        }
        let rates = workers.map { $0.seconds > 0 ? Double($0.messages) / $0.seconds : 0 }
        let mean = rates.isEmpty ? 0 : rates.reduce(0, +) / Double(rates.count)
        let variance = rates.isEmpty ? 0 : rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rates.count)
        let spread = ConnectionSpread(
            connections: workers.count, minMsgsPerSecond: (rates.min() ?? 0).rounded(toPlaces: 1),
            maxMsgsPerSecond: (rates.max() ?? 0).rounded(toPlaces: 1), cv: mean > 0 ? (variance.squareRoot() / mean).rounded(toPlaces: 4) : 0)

        let target = m.target
        var cpu = CPUSummary(
            driverUserSeconds: (Double(m.driverCPU.userNanos) / 1e9).rounded(toPlaces: 4),
            driverSystemSeconds: (Double(m.driverCPU.systemNanos) / 1e9).rounded(toPlaces: 4))
        if messages > 0 { cpu.driverMicrosPerMessage = (Double(m.driverCPU.totalNanos) / 1e3 / Double(messages)).rounded(toPlaces: 2) }
        if let target, m.targetAck.mode != InProcessTarget.endpointName {
            cpu.targetUserSeconds = target.cpuUserSeconds.rounded(toPlaces: 4)
            cpu.targetSystemSeconds = target.cpuSystemSeconds.rounded(toPlaces: 4)
            if target.messages > 0 {
                cpu.targetMicrosPerMessage = ((target.cpuUserSeconds + target.cpuSystemSeconds) * 1e6 / Double(target.messages)).rounded(toPlaces: 2)
            }
        }
        let verification: String
        switch m.spec.kind {
        case .rr: verification = "every response: sequence, length and bytes; request counts on both sides"
        case .masked: verification = "every masked result set: row count, no sensitive value left, masked formats, non-sensitive values unchanged; request counts on both sides"
        case .stream:
            verification = m.spec.stream?.verify == .full
                ? "every byte of every read at its stream position; byte totals on both sides"
                : "first and last bytes of every read at their stream position; byte totals on both sides"
        }
        var result = CaseResult(
            name: m.spec.name, workload: m.spec.kind, transport: transport, spec: m.spec,
            messages: messages, bytesTx: payloadOut, bytesRx: payloadIn, durationSeconds: seconds.rounded(toPlaces: 6),
            mbpsTx: mbps(payloadOut), mbpsRx: mbps(payloadIn), mbpsTotal: mbps(payloadOut + payloadIn),
            msgsPerSecond: seconds > 0 ? (Double(messages) / seconds).rounded(toPlaces: 1) : 0,
            latencyMicros: latency,
            writesPerMessage: perMessage(io.writes, messages), readsPerMessage: perMessage(io.reads, messages),
            targetWritesPerMessage: target.flatMap { perMessage($0.writes, $0.messages) },
            targetReadsPerMessage: target.flatMap { perMessage($0.reads, $0.messages) },
            targetProcessingShare: target?.processingShare.map { $0.rounded(toPlaces: 4) },
            cpu: cpu, spread: spread, socket: SocketSummary(driver: m.driverSocket, target: m.targetSocket),
            errors: m.failures, verified: m.failures.isEmpty && messages > 0 && target != nil, verification: verification,
            target: target, targetHost: m.targetAck.target, probe: m.probe.map { ProbeCaseReport(counters: $0, perMessage: Self.perMessage($0, loopback: m.probeLoopback, messages: messages)) }, diagnosis: nil)
        result.shortWritesPerMessage = perMessage(io.shortWrites, messages)
        result.wireBytesPerMessage = io.bytesWritten + io.bytesRead > 0 ? perMessage(io.bytesWritten + io.bytesRead, messages) : nil
        result.targetShortWritesPerMessage = target.flatMap { perMessage($0.shortWrites, $0.messages) }
        return result
    }
}
