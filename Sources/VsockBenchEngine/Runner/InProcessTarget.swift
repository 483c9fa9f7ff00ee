import VsockBenchModel
import VsockBenchSupport
import VsockProbe
import VsockTransport
import VsockWire

/// `--target null`: the driver and the target's own responder in one thread, with no socket
/// at all (the "mock socket that discards data" experiment). What it measures is the
/// processing ceiling: generation, the agent's decode/mask/encode (or the echo copy) and
/// verification, reported like any other case, so a user sees at once whether processing or
/// the channel limits them. Stream cases need a channel and are skipped.
///
/// It runs the same stop-and-wait loop as a socket connection (`StopAndWaitLoop`), over a
/// channel that hands each request to the responder in memory.
public enum InProcessTarget {
    public static let endpointName = "null"

    public static func run(_ spec: CaseSpec, options: DriverOptions, control: RunControl = RunControl()) -> CaseMeasurement {
        let facts = HostFacts.current()
        // No separate target, so no build of its own to report: a debug run's NOTE told the
        // user to serve the target from a release build (review).
        var targetFacts = facts
        targetFacts.build = nil
        var measurement = CaseMeasurement(
            spec: spec, driver: facts,
            targetAck: HelloAck(target: targetFacts, mode: endpointName, maxFrame: 0, socket: EffectiveSocketOptions()))
        let pool = PayloadPool(seed: spec.seed, maxMessage: max(spec.largestPayload, 64 * 1024))
        let quotas = CaseRunner.quotas(spec)
        let records = (0..<spec.connections).map { ConnectionRecord(index: $0, io: nil, workload: spec.workload) }
        let meters = records.map { _ in IntervalMeter(io: nil) }
        let results = LockedValue<[WorkerResult]>([])
        let threads = records.indices.compactMap { index -> NativeThread? in
            guard let source = RequestSources.make(spec, connection: index, pool: pool), let exchange = spec.exchange else { return nil }
            return NativeThread.spawn(name: "null-\(index)") {
                let responder: any Responder
                switch spec.workload {
                case let .rr(rr): responder = EchoResponder(workload: rr, seed: spec.seed, maxFrame: Int(UInt32.max), fault: nil)
                case .masked, .stream, .replay: responder = AgentResponder()
                }
                let record = records[index]
                var loop = StopAndWaitLoop(index: index, source: source, control: control, quota: quotas?[index])
                loop.interval = spec.intervalNanos
                let channel = InProcessRoundTrip(responder: responder, lane: record.lanes[0], costNanos: exchange.targetCostNanos)
                var result = WorkerResult(index: index)
                let recorder = loop.run(channel, lane: meters[index].lane(owning: [])).latency
                (result.latency, result.sliceLatency) = (recorder.total, recorder.slices)
                record.lanes[0].close()
                record.finished.store(true, ordering: .releasing)
                result.reading = meters[index].reading()
                result.total = meters[index].total
                results.withLock { $0.append(result) }
            }
        }
        let session = Session(id: 0, expectedConnections: spec.connections)
        for record in records { _ = session.register(record) }
        let phases = CaseClock.drive(spec, control: control, meters: meters, options: options, beforeMeasure: { session.mark() })
        for thread in threads { thread.join() }
        measurement.workers = results.value.sorted { $0.index < $1.index }
        measurement.driverCPU = phases.cpu
        measurement.machine = phases.machine
        measurement.targetPlace = .driverProcess
        measurement.intervals = phases.series(final: measurement.workers.reduce(IntervalReading()) { $0 + $1.reading })
        for i in measurement.intervals.indices { measurement.intervals[i].probe = measurement.intervals[i].probe?.withoutVsockCounters() }
        var stats = session.stats()
        // One process plays both parts: its CPU is reported once, on the driver's side.
        stats.cpuUserSeconds = 0
        stats.cpuSystemSeconds = 0
        measurement.target = stats
        measurement.probe = phases.probe?.withoutVsockCounters()
        measurement.failures = control.failures
        if measurement.failures.isEmpty, let empty = CaseRunner.emptyInterval(measurement) { measurement.failures.append(empty) }
        return measurement
    }
}

/// The in-process "connection": each request goes to the target's responder through a sink
/// that keeps the response in memory; the target's side counts on its own lane, opening its
/// interval at the first request flagged as measured, as a socket target does.
final class InProcessRoundTrip: RoundTripChannel {
    private let responder: any Responder
    private let lane: MeterLane
    private let costNanos: UInt64
    private let request = ByteBuffer(capacity: 64 * 1024)
    private let sink = CaptureSink()
    private var opened = false

    init(responder: any Responder, lane: MeterLane, costNanos: UInt64) {
        self.responder = responder
        self.lane = lane
        self.costNanos = costNanos
    }

    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        request.ensure(size)
        return request.base
    }

    func roundTrip(sending frame: UnsafeRawPointer, _ size: Int) throws(DriverError) -> Frame {
        reserve(size).copyMemory(from: frame, byteCount: size)
        return try roundTrip(size)
    }

    func roundTrip(_ size: Int) throws(DriverError) -> Frame {
        let header: FrameHeader
        do { header = try FrameHeader.decode(from: request.base, maxPayload: Int(UInt32.max)) } catch { throw .frame(error) }
        let frame = Frame(header: header, payload: UnsafeRawBufferPointer(start: request.base + FrameHeader.size, count: Int(header.content)),
                          wholeFrame: UnsafeMutableRawBufferPointer(start: request.base, count: size))
        if header.isMeasured, !opened {
            lane.open()
            opened = true
        }
        let start = MonotonicClock.nanos()
        TargetCost.busyWork(nanos: costNanos, from: start)
        let responseBytes: Int
        do throws(ServeError) {
            responseBytes = try responder.respond(to: frame, sink: sink, inPlace: false, lane: lane)
        } catch {
            switch error {
            case let .refused(message): throw .rejected(message)
            case let .badFrame(frameError): throw .frame(frameError)
            case let .socket(systemError): throw .system(systemError)
            }
        }
        lane.count(messages: 1, bytesIn: UInt64(frame.payload.count), bytesOut: UInt64(responseBytes), processingNanos: MonotonicClock.nanos() &- start)
        return try sink.frame()
    }
}

/// A sink that keeps the one frame it is given in memory (the in-process target's "socket").
final class CaptureSink: FrameSink {
    private let buffer = ByteBuffer(capacity: 64 * 1024)
    private(set) var size = 0

    func reserve(_ size: Int) -> UnsafeMutableRawPointer {
        buffer.ensure(size)
        return buffer.base
    }

    func commit(_ size: Int) throws(SystemError) { self.size = size }

    var pending: Int { 0 }
    var deadline: UInt64? { nil }
    func flush() throws(SystemError) {}
    func finish() throws(SystemError) {}

    /// The captured frame, parsed.
    func frame() throws(DriverError) -> Frame {
        let header: FrameHeader
        do { header = try FrameHeader.decode(from: buffer.base, maxPayload: Int(UInt32.max)) } catch { throw .frame(error) }
        return Frame(header: header, payload: UnsafeRawBufferPointer(start: buffer.base + FrameHeader.size, count: Int(header.content)),
                     wholeFrame: UnsafeMutableRawBufferPointer(start: buffer.base, count: size))
    }
}
