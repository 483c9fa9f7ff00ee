import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire

/// Runs a case against a peer that is not vsockbench: a `replay` of a corpus to the user's
/// own service, or a `raw` stream to or from any byte sink or source (`socat`). No hello, no
/// mark, no stats frame: only the driver's side is measured, and the target's figures are
/// absent (null). The same workers, clock, meters, time series and probe as every case.
enum ForeignRunner {
    static func run(_ spec: CaseSpec, options: DriverOptions, control: RunControl) throws(DriverError) -> CaseMeasurement {
        let facts = HostFacts.current()
        var corpus: ReplayCorpus?
        var framing: MessageFraming?
        var maxPayload = 64 * 1024
        if case let .replay(replay) = spec.workload {
            let loaded: ReplayCorpus
            do throws(CorpusError) {
                loaded = try ReplayCorpus.load(path: replay.corpus, framing: replay.framing, limit: CaseSpec.maxBuffer)
            } catch {
                throw .corpus(error.description)
            }
            // The file as it is now, not as the scenario saw it: over seqpacket an empty
            // message cannot be sent (CaseSpec.messageTransportProblems).
            if options.target.isMessageOriented {
                var now = spec
                now.updateReplay { $0.corpusStats = loaded.stats }
                if let problem = now.messageTransportProblems().first {
                    throw .unsupported("case '\(Terminal.safe(spec.name))' cannot run over \(options.target.transportName): \(problem)")
                }
            }
            corpus = loaded
            framing = replay.effectiveResponseFraming
            maxPayload = replay.maxResponse
        }
        var connections: [DriverConnection] = []
        defer { for connection in connections { connection.socket.close() } }
        for _ in 0..<spec.connections {
            connections.append(try DriverConnection.openForeign(to: options.target, spec: spec, framing: framing, maxPayload: maxPayload,
                                                                timeoutSeconds: options.ioTimeoutSeconds))
        }
        // Before the clock: a greeting found inside the interval delayed its schedule.
        if corpus != nil { RequestResponseDriver.waitForGreetings(connections) }
        let pool = PayloadPool(seed: spec.seed, maxMessage: max(spec.stream?.writeSize ?? 0, 64 * 1024))
        let meters = connections.map { IntervalMeter(io: $0.socket.counters) }
        let results = LockedValue<[WorkerResult]>([])
        let spawn = { CaseRunner.spawnWorkers(spec, connections: connections, meters: meters, control: control, pool: pool, corpus: corpus, into: results) }
        // With no warmup nothing leaves before the interval opens: the user's service would
        // get a request no figure counts (`messages: 100` would send 101).
        var threads = spec.warmupNanos > 0 ? spawn() : []
        let phases = CaseClock.drive(spec, control: control, meters: meters, options: options, whenMeasuring: {
            if spec.warmupNanos == 0 { threads = spawn() }
        })
        for thread in threads { thread.join() }

        var measurement = CaseMeasurement(spec: spec, driver: facts, targetAck: connections.first?.ack ?? HelloAck.foreign("raw"))
        measurement.workers = results.value.sorted { $0.index < $1.index }
        measurement.driverCPU = phases.cpu
        measurement.machine = phases.machine
        measurement.targetPlace = TargetPlace(options.target)
        measurement.intervals = phases.series(final: measurement.workers.reduce(IntervalReading()) { $0 + $1.reading })
        measurement.driverSocket = connections.first?.socket.effectiveOptions()
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
        measurement.failures = control.failures
        if measurement.failures.isEmpty { measurement.failures += echoChecks(measurement) }
        if measurement.failures.isEmpty, let empty = CaseRunner.emptyInterval(measurement) { measurement.failures.append(empty) }
        return measurement
    }

    /// A raw stream both ways runs against an echo (`socat ... EXEC:cat`): every byte sent
    /// must have come back.
    static func echoChecks(_ m: CaseMeasurement) -> [String] {
        guard let stream = m.spec.stream, stream.raw, stream.direction == .both else { return [] }
        return m.workers.compactMap { w in
            w.total.bytesIn == w.total.bytesOut ? nil
                : "connection \(w.index): sent \(w.total.bytesOut) bytes, \(w.total.bytesIn) came back (a raw stream both ways expects an echo peer; lost data)"
        }
    }
}
