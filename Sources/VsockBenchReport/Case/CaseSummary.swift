import Histogram
import VsockBenchEngine
import VsockBenchModel
import VsockBenchStats
import VsockProbe
import VsockBenchSupport
import VsockTransport

/// Turns raw measurements into a `CaseResult`: one trial's figures, or several trials'
/// medians with their confidence intervals.
public enum CaseSummary {
    /// The confidence of the intervals in `ci`.
    public static let confidence = 0.95
    /// How the intervals are made (said in every results file).
    public static let intervalMethod = "order statistics (nonparametric, binomial ranks around the median)"

    /// Per-message probe figures. On vsock loopback (CID 1) both ends share one kernel: each
    /// packet counts once, and there is no VM boundary, so no exits (`ProbeCounters.perMessage(_:loopback:)`).
    static func perMessage(_ counters: ProbeCounters, loopback: Bool, messages: UInt64) -> ProbePerMessage {
        counters.perMessage(Int(clamping: messages), loopback: loopback)
    }

    /// A case's result from its trials, in the order they ran.
    public static func summarize(trials outcomes: [CaseOutcome], transport: String) -> CaseResult? {
        guard let first = outcomes.first else { return nil }
        if outcomes.count == 1 { return summarize(first, transport: transport) }
        let results = outcomes.map { summarize($0, transport: transport) }
        let ran = medianTrials(results.map(\.figures))
        if ran.isEmpty {
            var result = results[0]
            result.trials = results.map(\.figures)
            result.errors = trialErrors(results)
            result.interrupted = results.contains(where: \.interrupted)
            return result
        }
        let figures = ran.map { results[$0].figures }
        // The trial whose msgs/s is the median stands for the rest where a figure cannot be a
        // median (the target's stats, socket options, spread, probe counters, time series,
        // open-loop verdict); `CaseResult.representativeTrial` names it.
        guard let representative = representativeTrial(results.map(\.figures)) else { return nil }
        var result = results[representative]
        result.figures = CaseFigures.median(of: figures)
        result.figures.spread = results[representative].spread
        result.figures.probe = results[representative].probe
        result.figures.openLoop = results[representative].openLoop
        result.figures.intervals = results[representative].intervals
        result.figures.latencyMicros = LatencySummary.median(of: figures.compactMap(\.latencyMicros))
        result.figures.errors = trialErrors(results)
        result.figures.verified = results.allSatisfy(\.verified)
        result.figures.interrupted = results.contains(where: \.interrupted)
        result.trials = results.map(\.figures)
        var ci: [String: [Double]] = [:]
        var coverage: Double?
        for figure in Figure.allCases {
            let values = figures.compactMap { figure.value(in: $0) }
            guard values.count >= 2, let estimate = try? MedianInterval.orderStatistics(values, confidence: confidence) else { continue }
            ci[figure.rawValue] = [estimate.low, estimate.high].map { $0.rounded(toPlaces: 4) }
            coverage = estimate.coverage
        }
        result.ci = ci.isEmpty ? nil : ci
        result.ciCoverage = coverage.map { $0.rounded(toPlaces: 4) }
        return result
    }

    /// The trials a case's medians are made of: those that moved messages and verified every
    /// one; where none did, those that moved messages (the case failed, and says so). A trial
    /// that failed stopped at its error, so its figures cover the few ms before it: a case
    /// with a corrupted answer in each of two trials read 41696 ±2879 msgs/s beside a sound
    /// case's 15514 (review), and one failed trial among good ones moved their median.
    public static func medianTrials(_ trials: [CaseFigures]) -> [Int] {
        let ran = trials.indices.filter { trials[$0].messages > 0 }
        let sound = ran.filter { trials[$0].verified }
        return sound.isEmpty ? ran : sound
    }

    /// The index of the trial that stands for the others where a figure cannot be a median: of
    /// the trials the medians are made of (`medianTrials`), the one whose msgs/s is the median
    /// (the lower middle of an even count; equal rates in the order they ran). nil when no
    /// trial moved a message.
    static func representativeTrial(_ trials: [CaseFigures]) -> Int? {
        let ran = medianTrials(trials)
        guard !ran.isEmpty else { return nil }
        let sorted = ran.sorted { (trials[$0].msgsPerSecond, $0) < (trials[$1].msgsPerSecond, $1) }
        return sorted[(sorted.count - 1) / 2]
    }

    /// Every trial's errors, each named by its trial.
    private static func trialErrors(_ results: [CaseResult]) -> [String] {
        results.enumerated().flatMap { index, r in r.errors.map { "trial \(index + 1): \($0)" } }
    }

    /// A case's result from how it ended: measured, or failed or skipped with zero figures.
    public static func summarize(_ outcome: CaseOutcome, transport: String) -> CaseResult {
        switch outcome {
        case let .measured(m): return summarize(m, transport: transport)
        case let .failed(spec, error):
            var result = notRun(spec, transport: transport, errors: [error.description], skipped: nil)
            // Stopped by the signal while it connected: cut short, as a case stopped mid-run.
            if case .interrupted = error { result.figures.interrupted = true }
            return result
        case let .skipped(spec, reason): return notRun(spec, transport: transport, errors: [], skipped: reason)
        }
    }

    /// A case that did not run still appears, with its error (or why it was skipped) and zero figures.
    public static func notRun(_ spec: CaseSpec, transport: String, errors: [String], skipped: String?) -> CaseResult {
        var figures = CaseFigures()
        figures.spread = ConnectionSpread(connections: spec.connections, minMsgsPerSecond: 0, maxMsgsPerSecond: 0, cv: 0)
        figures.errors = errors
        return CaseResult(name: spec.name, workload: spec.kind, transport: transport, spec: spec, figures: figures,
                          verification: "not run", skipped: skipped)
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

        var f = CaseFigures()
        f.messages = messages
        f.bytesTx = payloadOut
        f.bytesRx = payloadIn
        f.wireBytesPerMessage = io.bytesWritten + io.bytesRead > 0 ? perMessage(io.bytesWritten + io.bytesRead, messages) : nil
        f.durationSeconds = seconds.rounded(toPlaces: 6)
        f.mbpsTx = mbps(payloadOut)
        f.mbpsRx = mbps(payloadIn)
        f.mbpsTotal = mbps(payloadOut + payloadIn)
        f.msgsPerSecond = seconds > 0 ? (Double(messages) / seconds).rounded(toPlaces: 1) : 0
        if m.spec.kind.isRequestResponse {
            var merged = WorkerResult.newHistogram()
            for worker in workers { if let h = worker.latency { merged.add(h) } }
            if merged.totalCount > 0 { f.latencyMicros = LatencySummary(merged) }
        }
        f.intervals = IntervalFigures.series(m)
        f.openLoop = OpenLoopReport.summarize(m.spec.exchange?.rate, workers: workers, seconds: seconds, achieved: f.msgsPerSecond,
                                            failed: !m.failures.isEmpty, peer: m.spec.workload.isForeign ? "the service" : "the target")
        f.writesPerMessage = perMessage(io.writes, messages)
        f.readsPerMessage = perMessage(io.reads, messages)
        f.shortWritesPerMessage = perMessage(io.shortWrites, messages)
        let rates = workers.map { $0.seconds > 0 ? Double($0.messages) / $0.seconds : 0 }
        let mean = rates.isEmpty ? 0 : rates.reduce(0, +) / Double(rates.count)
        let variance = rates.isEmpty ? 0 : rates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rates.count)
        f.spread = ConnectionSpread(
            connections: workers.count, minMsgsPerSecond: (rates.min() ?? 0).rounded(toPlaces: 1),
            maxMsgsPerSecond: (rates.max() ?? 0).rounded(toPlaces: 1), cv: mean > 0 ? (variance.squareRoot() / mean).rounded(toPlaces: 4) : 0)

        let target = m.target
        f.cpu = CPUSummary(
            driverUserSeconds: (Double(m.driverCPU.userNanos) / 1e9).rounded(toPlaces: 4),
            driverSystemSeconds: (Double(m.driverCPU.systemNanos) / 1e9).rounded(toPlaces: 4))
        if messages > 0 { f.cpu.driverMicrosPerMessage = (Double(m.driverCPU.totalNanos) / 1e3 / Double(messages)).rounded(toPlaces: 2) }
        if let target, m.targetAck.mode != InProcessTarget.endpointName {
            f.cpu.targetUserSeconds = target.cpuUserSeconds.rounded(toPlaces: 4)
            f.cpu.targetSystemSeconds = target.cpuSystemSeconds.rounded(toPlaces: 4)
            if target.messages > 0, messages > 0 {
                f.cpu.targetMicrosPerMessage = ((target.cpuUserSeconds + target.cpuSystemSeconds) * 1e6 / Double(target.messages)).rounded(toPlaces: 2)
            }
        }
        Self.machineFigures(m, into: &f.cpu)
        // The target's per-message figures are over its own count, but a case whose driver
        // measured no message has none to stand beside: interrupted in its warmup, it read
        // `target reads/msg 2.00`, `target cpu us/msg 27` beside `messages: 0` (review).
        let measuredTarget = messages > 0 ? target : nil
        f.targetWritesPerMessage = measuredTarget.flatMap { perMessage($0.writes, $0.messages) }
        f.targetReadsPerMessage = measuredTarget.flatMap { perMessage($0.reads, $0.messages) }
        f.targetShortWritesPerMessage = measuredTarget.flatMap { perMessage($0.shortWrites, $0.messages) }
        f.targetProcessingShare = measuredTarget?.processingShare.map { $0.rounded(toPlaces: 4) }
        f.probe = m.probe.map { ProbeCaseReport(counters: $0, perMessage: Self.perMessage($0, loopback: m.probeLoopback, messages: messages), processes: m.probeProcesses) }
        f.errors = m.failures
        f.interrupted = m.interrupted
        // A peer that is not vsockbench sends no stats: what the driver checked is all there is.
        f.verified = m.failures.isEmpty && messages > 0 && (target != nil || m.spec.workload.isForeign)
        return CaseResult(
            name: m.spec.name, workload: m.spec.kind, transport: transport, spec: m.spec, figures: f,
            verification: verification(m.spec, over: SocketKind(transportName: transport)), socket: SocketSummary(driver: m.driverSocket, target: m.targetSocket),
            // A service that is not vsockbench sends no hello: its host is unknown (null).
            target: target, targetHost: m.spec.workload.isForeign ? nil : m.targetAck.target)
    }

    /// Ticks a CPU an interval needs for the machine's figures: 300 ms at USER_HZ 100, where a
    /// tick's rounding at each edge is within about 0.07 CPU (at 100 ms, 0.2: review).
    static let machineTicksPerCPU = 30.0

    /// The machine's figures of a trial (`CPUSummary.machineBusyCPUs` and the rest): nil
    /// where /proc/stat was not read, or the interval was under `machineTicksPerCPU`.
    static func machineFigures(_ m: CaseMeasurement, into cpu: inout CPUSummary) {
        let cpus = Double(max(m.driver.cpus, 1))
        guard let ticks = m.machine, Double(ticks.total) >= machineTicksPerCPU * cpus else { return }
        let tick = Double(MachineTicks.nanosPerTick) / 1e9
        // The interval as the ticks count it, the same clock as the busy time.
        let seconds = Double(ticks.total) * tick / cpus
        let busy = Double(ticks.busy) * tick
        cpu.machineBusyCPUs = (busy / seconds).rounded(toPlaces: 2)
        cpu.machineStealShare = (Double(ticks.steal) / Double(ticks.total)).rounded(toPlaces: 4)
        // User time against user time: the kernel's work for the run is not all in its own.
        var ours: Double? = Double(m.driverCPU.userNanos) / 1e9
        switch m.targetPlace {
        case .driverProcess, .elsewhere: break
        case .thisMachine:
            // A service that is not vsockbench sends no stats: its CPU here is unknown.
            if let target = m.target, !m.spec.workload.isForeign { ours? += target.cpuUserSeconds } else { ours = nil }
        case .unknown: ours = nil
        }
        let user = Double(ticks.user) * tick
        if let ours { cpu.otherUserCPUs = (max(0, user - ours) / seconds).rounded(toPlaces: 2) }
    }

    /// What was checked, in words; `socket`: the transport's (over seqpacket a replay's
    /// response is one packet, whatever its framing says).
    static func verification(_ spec: CaseSpec, over socket: SocketKind = .stream) -> String {
        switch spec.workload {
        case let .rr(r):
            return r.verify == .full
                ? "every response: sequence, length and bytes; request counts on both sides"
                : "every response: sequence, length and its first and last bytes (verify: edges; a byte altered inside goes unseen); request counts on both sides"
        case .masked: return "every masked result set: row count, no sensitive value left, masked formats, non-sensitive values unchanged; request counts on both sides"
        case let .replay(r):
            let message = socket == .seqpacket ? "packet (the whole message)" : "\(r.effectiveResponseFraming.rawValue) message"
            // The limit that holds: a u16be message said "of at most 16777216 bytes" (max_response).
            let most = socket == .seqpacket ? r.maxResponse : r.largestFramedResponse
            return r.expect == .echo
                ? "every response: one \(message) of at most \(most) bytes, equal to its request (expect: echo); the service's own counts are unknown"
                : "every response: one \(message) of at most \(most) bytes (its content is the service's); the service's own counts are unknown"
        case let .stream(s) where s.raw:
            switch s.direction {
            // What is checked, not an outcome: beside a write that failed, "every write
            // completed" read as a pass (review).
            case .tx: return "raw: each write must complete, nothing more (what the sink does with the bytes is its own)"
            case .rx: return "raw: bytes counted, not checked (their content is the source's)"
            case .both:
                // As verify says: the whole echo, or each read's first and last bytes (the default).
                let what = s.verify == .full ? "every byte of the echo" : "the first and last bytes of every read of the echo (verify: edges; a byte altered inside goes unseen)"
                return "raw: \(what) checked at its stream position, and the bytes back counted against the bytes sent"
            }
        case let .stream(s):
            return s.verify == .full
                ? "every byte of every read at its stream position; byte totals on both sides"
                : "first and last bytes of every read at their stream position; byte totals on both sides"
        }
    }
}
