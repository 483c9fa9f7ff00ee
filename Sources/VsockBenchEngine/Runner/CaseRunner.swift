import VsockProbe

#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// How the driver talks to the target.
public struct DriverOptions: Sendable {
    public var target: Endpoint
    /// A read or write blocked longer than this fails the case (a lost message never hangs a run).
    public var ioTimeoutSeconds: Double = 10
    /// Called about four times a second on the runner's thread while a case runs.
    public var onProgress: (@Sendable (CaseProgress) -> Void)?
    /// The eBPF probe, read at the start and the end of each measured interval.
    public var probe: Probe?
    /// `--target null`: run the target's responder in this process, with no socket.
    public var inProcess = false

    public init(target: Endpoint) { self.target = target }
}

/// Where a running case is, for the live progress line.
public struct CaseProgress: Sendable {
    public var caseName: String
    public var phase: Phase
    public var elapsedSeconds: Double
    public var plannedSeconds: Double?
    public var messages: UInt64
    /// Payload bytes driver to target and back, warmup included.
    public var bytesTx: UInt64
    public var bytesRx: UInt64
    /// The last finished slice of the time series (`interval`), when the case has one.
    public var lastSlice: SliceProgress?
}

/// The figures of one finished slice, for the progress line.
public struct SliceProgress: Sendable {
    public var index: Int
    public var seconds: Double
    public var messages: UInt64
    public var bytesTx: UInt64
    public var bytesRx: UInt64
}

/// Runs one case: control connection, data connections with their workers, warmup, mark,
/// measured interval, wind-down, stats. Returns the raw measurements.
public enum CaseRunner {
    public static func run(_ spec: CaseSpec, options: DriverOptions, control: RunControl = RunControl()) throws(DriverError) -> CaseMeasurement {
        if !options.inProcess, options.target.isMessageOriented, let problem = spec.messageTransportProblems().first {
            throw .unsupported("case '\(Terminal.safe(spec.name))' cannot run over \(options.target.transportName): \(problem)")
        }
        if spec.workload.isForeign { return try ForeignRunner.run(spec, options: options, control: control) }
        let session = UInt64.random(in: 1...UInt64.max)
        let driverFacts = HostFacts.current()
        let wire = WireCase(spec)
        let controlConnection = try DriverConnection.open(
            to: options.target, hello: CaseHello(role: .control, session: session, connection: 0, spec: wire, driver: driverFacts),
            limits: .control, timeoutSeconds: options.ioTimeoutSeconds)
        defer { controlConnection.socket.close() }
        var connections: [DriverConnection] = []
        defer { for connection in connections { connection.socket.close() } }
        for index in 0..<spec.connections {
            connections.append(try DriverConnection.open(
                to: options.target, hello: CaseHello(role: .data, session: session, connection: index, spec: wire, driver: driverFacts),
                limits: FrameLimits(spec), timeoutSeconds: options.ioTimeoutSeconds))
        }
        let pool = PayloadPool(seed: spec.seed, maxMessage: max(spec.largestPayload, 64 * 1024))
        let meters = connections.map { IntervalMeter(io: $0.socket.counters) }
        let results = LockedValue<[WorkerResult]>([])
        let threads = spawnWorkers(spec, connections: connections, meters: meters, control: control, pool: pool, corpus: nil, into: results)
        var markFailure: DriverError?
        // The mark goes before the interval opens and is answered before it does: the target's
        // stream counters then never miss the interval's start (they include the warmup bytes
        // still in flight). Request/response connections count from the requests' in-band
        // flag instead (FrameHeader.measuredFlag).
        let phases = CaseClock.drive(spec, control: control, meters: meters, options: options, beforeMeasure: {
            do throws(DriverError) {
                try controlConnection.send(ControlCodec.emptyFrame(.mark))
                _ = try controlConnection.expect(.ack)
            } catch {
                markFailure = error
                control.fail("control connection: \(error)")
            }
        })
        for thread in threads { thread.join() }

        var measurement = CaseMeasurement(spec: spec, driver: driverFacts, targetAck: controlConnection.ack)
        measurement.workers = results.value.sorted { $0.index < $1.index }
        measurement.driverCPU = phases.cpu
        measurement.machine = phases.machine
        measurement.targetPlace = TargetPlace(options.target)
        measurement.intervals = phases.series(final: measurement.workers.reduce(IntervalReading()) { $0 + $1.reading })
        measurement.driverSocket = connections.first?.socket.effectiveOptions()
        measurement.targetSocket = connections.first?.ack.socket
        if var delta = phases.probe {
            if let (cid, _) = options.target.vsockAddress {
                measurement.probeLoopback = cid == 1
            } else {
                delta = delta.withoutVsockCounters()
                for i in measurement.intervals.indices { measurement.intervals[i].probe = measurement.intervals[i].probe?.withoutVsockCounters() }
            }
            measurement.probe = delta
            measurement.probeProcesses = options.probe?.configuration.followedProcesses
        }
        if markFailure == nil {
            // A data connection timed out: its peer (or what stands between) stopped answering,
            // and the target's stats would wait out a whole timeout more (review: 10 s after a
            // stalled stream's own 10 s).
            if control.sawTimeout { try? controlConnection.socket.watchReads(seconds: min(options.ioTimeoutSeconds, Self.statsAfterTimeoutSeconds)) }
            do throws(DriverError) {
                try controlConnection.send(ControlCodec.emptyFrame(.statsRequest))
                let frame = try controlConnection.expect(.stats)
                do { measurement.target = try ControlCodec.decode(TargetStats.self, from: frame.payload, limit: ControlCodec.maxStatsPayload) } catch { throw .rejected(error) }
            } catch {
                control.fail("fetching the target's stats: \(error)")
            }
        }
        measurement.failures = control.failures
        measurement.failures += Self.lossChecks(measurement)
        if measurement.failures.isEmpty, let empty = Self.emptyInterval(measurement) { measurement.failures.append(empty) }
        return measurement
    }

    /// How long the target's stats are awaited after a connection of the case timed out.
    static let statsAfterTimeoutSeconds = 2.0

    /// One thread per connection running the case's workload; each appends its result.
    static func spawnWorkers(_ spec: CaseSpec, connections: [DriverConnection], meters: [IntervalMeter], control: RunControl, pool: PayloadPool,
                             corpus: ReplayCorpus?, into results: LockedValue<[WorkerResult]>) -> [NativeThread] {
        let quotas = Self.quotas(spec)
        return connections.enumerated().map { index, connection in
            NativeThread.spawn(name: "worker-\(index)") {
                var result = WorkerResult(index: index)
                if case let .stream(stream) = spec.workload {
                    result = StreamDriver(connection: connection, stream: stream, index: index, quotaBytes: quotas.map { $0[index] * UInt64(stream.writeSize) },
                                          control: control, pool: pool, meter: meters[index]).run()
                } else if let exchange = spec.exchange,
                          let source = RequestSources.make(spec, connection: index, pool: pool, corpus: corpus, packets: connection.socket.isMessageOriented) {
                    var driver = RequestResponseDriver(connection: connection, exchange: exchange, writeShape: exchange.writeShape, index: index,
                                                       quota: quotas?[index], control: control, source: source, meter: meters[index])
                    // Even shares: an open-loop count divides evenly over the connections (the
                    // scenario's check), so every connection's schedule ends at N/R.
                    driver.openLoopShare = (exchange.rate?.perSecond ?? 0) / Double(spec.connections)
                    driver.seed = spec.seed
                    driver.interval = spec.intervalNanos
                    driver.foreign = spec.workload.isForeign
                    result = driver.run()
                } else {
                    control.fail("connection \(index): the case has nothing to send (a replay case without its corpus)")
                }
                results.withLock { $0.append(result) }
            }
        }
    }

    /// Why a case that failed nothing measured nothing: no message completed inside the
    /// interval (a slow target, a short duration). A case never fails without a reason.
    static func emptyInterval(_ m: CaseMeasurement) -> String? {
        let measured = m.workers.reduce(0) { $0 + $1.messages }
        guard measured == 0 else { return nil }
        // A stream write blocked through the whole interval says why (one connection's stall
        // is no reason for a case whose others measured: it is said only here).
        if let stalled = m.workers.sorted(by: { $0.index < $1.index }).lazy.compactMap(\.stalledWrite).first { return stalled }
        let answered = m.workers.reduce(0) { $0 + $1.total.messages }
        var interval = ""
        if case let .duration(nanos) = m.spec.stop { interval = " of \(Quantities.formatDuration(nanos))" }
        let unit = m.spec.kind.isRequestResponse ? "response to a request sent" : "byte moved"
        var text = "no \(unit) inside the measured interval\(interval) completed before it closed"
        // Open loop: a sender far behind spends the interval on requests scheduled before it.
        let schedules = m.workers.compactMap(\.openLoop)
        let sent = schedules.reduce(0) { $0 + $1.measuredSends }
        let unsent = schedules.reduce(0) { $0 + $1.unsent }
        if !schedules.isEmpty, sent == 0, unsent > 0, let rate = m.spec.exchange?.rate {
            let behind = Double(schedules.map(\.behindNanos).max() ?? 0) / 1e9
            return "no request scheduled inside the measured interval\(interval) was sent: the sender spent it on requests scheduled before it "
                + "and was \(Format.fixed(behind, 2)) s behind at the end (\(unsent) scheduled requests never sent; \(answered) answered in all, warmup included): "
                + "\(rate.summary) is far above what the target answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)"
        }
        if !schedules.isEmpty, let rate = m.spec.exchange?.rate {
            // Nothing fell due (Poisson arrivals can leave a short interval empty), or every
            // request due was answered after the end: the interval, not the target, is short.
            if sent == 0, unsent == 0 {
                return "no request fell due inside the measured interval\(interval) (\(rate.summary)): lengthen --duration or raise the rate"
            }
            let late = schedules.reduce(0) { $0 + $1.answeredAfterEnd }
            // Scheduled requests never sent: the sender fell behind a peer that answers far
            // slower than the rate, and each answer came late for that, not for a short interval
            // (review: 431 of 500 never sent, the sender 862 ms behind, p50 2.47 s against a
            // 20 ms round trip, read "lengthen --duration").
            if sent > 0, late == sent, unsent > 0 {
                let behind = Double(schedules.map(\.behindNanos).max() ?? 0) / 1e9
                let peer = m.spec.workload.isForeign ? "the service" : "the target"
                return "the \(sent) request\(sent == 1 ? "" : "s") sent inside the measured interval\(interval) \(sent == 1 ? "was" : "were") all answered after it ended, "
                    + "and \(unsent) scheduled request\(unsent == 1 ? " was" : "s were") never sent (the sender \(Format.fixed(behind, 2)) s behind at the end): "
                    + "\(rate.summary) is far above what \(peer) answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)"
            }
            if sent > 0, late == sent {
                let peer = m.spec.workload.isForeign ? "the service" : "the target"
                // Every request sent, every answer late: a short interval (answers as far
                // apart as the requests, each a round trip later), or a peer far slower than
                // the rate (its queue grows, each answer later than the one before). Latencies
                // spread over more than the interval lasted tell the second: the answers came
                // at under half the rate (review: a case bounded by messages, 1000/s against a
                // service answering 40/s, read "lengthen --duration", which does not bound it).
                let seconds = switch m.spec.stop {
                case let .duration(nanos): Double(nanos) / 1e9
                case let .messages(count): Double(count) / rate.perSecond
                case .bytes: 0.0
                }
                let spread = m.workers.compactMap { w in w.latency.map { $0.totalCount > 0 ? Double($0.max &- $0.min) / 1e9 : 0 } }.max() ?? 0
                if seconds > 0, spread > seconds {
                    return "the \(sent) request\(sent == 1 ? " sent inside the measured interval\(interval) was" : "s sent inside the measured interval\(interval) were") all answered after it ended, "
                        + "their latencies \(Format.fixed(spread, 2)) s apart for an interval of \(Format.fixed(seconds, 2)) s (each answer later than the one before: a queue growing): "
                        + "\(rate.summary) is far above what \(peer) answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)"
                }
                // The fix lengthens the interval by the key that bounds it: a messages bound
                // lasts messages / rate, which --duration would replace.
                let fix = if case .messages = m.spec.stop { "raise messages (the interval lasts messages / rate)" } else { "lengthen --duration" }
                return "the \(sent) request\(sent == 1 ? " sent inside the measured interval\(interval) was" : "s sent inside the measured interval\(interval) were") all answered after it ended: the interval is shorter than a round trip; \(fix)"
            }
        }
        if m.spec.kind.isRequestResponse {
            text += " (\(answered) answered in all, warmup included"
            if let target = m.target { text += "; the target handled \(target.connections.reduce(0) { $0 + $1.totalMessages })" }
            text += "): the target answers slower than the interval lasts; lengthen --duration or bound the case by --messages"
        }
        return text
    }

    /// Splits a count-bounded case's total over its connections (the remainder goes to the first ones).
    static func quotas(_ spec: CaseSpec) -> [UInt64]? {
        let total: Int
        switch spec.stop {
        case .duration: return nil
        case let .messages(count): total = count
        case let .bytes(count):
            guard case let .stream(stream) = spec.workload else { return nil }
            total = (count + stream.writeSize - 1) / stream.writeSize
        }
        let n = spec.connections
        return (0..<n).map { UInt64(total / n + ($0 < total % n ? 1 : 0)) }
    }

    /// Whole-connection totals on both sides must agree: anything else is lost data.
    static func lossChecks(_ m: CaseMeasurement) -> [String] {
        guard let target = m.target else { return [] }
        var problems: [String] = []
        for worker in m.workers {
            guard let theirs = target.connections.first(where: { $0.index == worker.index }) else {
                problems.append("connection \(worker.index): the target has no record of it")
                continue
            }
            if m.spec.kind.isRequestResponse {
                if theirs.totalMessages != worker.total.messages {
                    problems.append("connection \(worker.index): \(worker.total.messages) requests answered and verified, the target handled \(theirs.totalMessages)")
                }
            } else if m.failures.isEmpty {
                // A stream whose check failed stopped reading there: its totals cannot agree,
                // and the failure already says why.
                if worker.total.bytesOut != theirs.totalStreamBytesRx {
                    problems.append("connection \(worker.index): sent \(worker.total.bytesOut) stream bytes, the target received \(theirs.totalStreamBytesRx) (lost data)")
                }
                if worker.total.bytesIn != theirs.totalStreamBytesTx {
                    problems.append("connection \(worker.index): the target sent \(theirs.totalStreamBytesTx) stream bytes, received \(worker.total.bytesIn) (lost data)")
                }
            }
        }
        return problems + target.errors.map { "target: \($0)" }
    }
}

/// Everything measured for one case, before it is summarised.
public struct CaseMeasurement: Sendable {
    public var spec: CaseSpec
    public var driver: HostFacts
    public var targetAck: HelloAck
    public var workers: [WorkerResult] = []
    public var driverCPU = CPUTime()
    public var target: TargetStats?
    public var driverSocket: EffectiveSocketOptions?
    public var targetSocket: EffectiveSocketOptions?
    public var failures: [String] = []
    /// What the probe counted over the measured interval.
    public var probe: ProbeCounters?
    /// Both ends in one kernel (vsock CID 1): per-message packet counts use one direction.
    public var probeLoopback = false
    /// Whose syscalls and KVM counts the probe counted (`ProbeConfiguration.followedProcesses`).
    public var probeProcesses: String?
    /// The time series (`interval`): cumulative samples from the interval's opening to its
    /// end; slices are the differences of neighbours. Empty without an interval.
    public var intervals: [IntervalSample] = []
    /// The run was interrupted (SIGINT) while this case ran: its figures are cut short, and its
    /// failures are the interrupt's, not the channel's. Set by `ScenarioRunner`, which knows.
    public var interrupted = false
    /// The machine's CPU ticks across the measured interval, this run's included; nil where
    /// /proc/stat cannot be read.
    public var machine: MachineTicks?
    /// Where the target spends its CPU time: whether its time is in the machine's.
    public var targetPlace = TargetPlace.unknown

    public init(spec: CaseSpec, driver: HostFacts, targetAck: HelloAck) {
        self.spec = spec
        self.driver = driver
        self.targetAck = targetAck
    }
}

/// Where a case's target runs, seen from the driver: whether the machine's busy time
/// (`CaseMeasurement.machine`) holds the target's CPU time as well as the driver's.
public enum TargetPlace: Sendable, Equatable {
    /// In the driver's process (`--target null`): its CPU time is the driver's.
    case driverProcess
    /// Another process on the driver's machine: a Unix socket, vsock CID 1 (the local
    /// loopback), TCP to a loopback address.
    case thisMachine
    /// Another machine: vsock to any other CID (an enclave, a VM, the host). A VM on this
    /// host spends its CPU in the host's guest time, which other programs leave out.
    case elsewhere
    /// TCP to an address that is not loopback: this machine's own, or another's.
    case unknown

    /// `localCID`: this machine's own CID (`VsockSupport.readLocalCID`), which the kernel
    /// routes through its loopback as it does CID 1.
    public init(_ endpoint: Endpoint, localCID: @autoclosure () -> UInt32? = VsockSupport.readLocalCID()) {
        switch endpoint {
        case .unix, .unixSeqpacket: self = .thisMachine
        case let .vsock(cid, _), let .vsockSeqpacket(cid, _): self = cid == 1 || cid == localCID() ? .thisMachine : .elsewhere
        case let .tcp(host, _):
            let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
            self = loopback ? .thisMachine : .unknown
        }
    }
}
