import VsockProbe
import VsockBenchSupport
import VsockTransport
import VsockWire
import VsockBenchModel

/// `--target null`: the driver and the target's own responder in one thread, with no socket
/// at all (the "mock socket that discards data" experiment). What it measures is the
/// processing ceiling: generation, the agent's decode/mask/encode (or the echo copy) and
/// verification, reported like any other case, so a user sees at once whether processing or
/// the channel limits them. Stream cases need a channel and are skipped.
public enum InProcessTarget {
    public static let endpointName = "null"

    public static func run(_ spec: CaseSpec, options: DriverOptions, control: RunControl = RunControl()) -> CaseMeasurement {
        let facts = HostFacts.current()
        var measurement = CaseMeasurement(
            spec: spec, driver: facts,
            targetAck: HelloAck(target: facts, mode: "null", maxFrame: 0, socket: EffectiveSocketOptions()))
        let pool = PayloadPool(seed: spec.seed, maxMessage: max(spec.requestSize, spec.responseSize, 64 * 1024))
        let quotas = CaseRunner.quotas(spec)
        let records = (0..<spec.connections).map { ConnectionRecord(index: $0, io: IOCounters()) }
        let progress = records.map { _ in WorkerProgress() }
        let results = LockedValue<[WorkerResult]>([])
        let threads = records.enumerated().map { index, record in
            NativeThread.spawn(name: "null-\(index)") {
                let worker = InProcessWorker(spec: spec, index: index, quota: quotas?[index], control: control, progress: progress[index],
                                             source: RequestSources.make(spec, connection: index, pool: pool), record: record)
                let result = worker.run()
                record.finished.store(true, ordering: .releasing)
                results.withLock { $0.append(result) }
            }
        }
        let session = Session(id: 0, expectedConnections: spec.connections)
        for record in records { _ = session.register(record) }
        let phases = CasePhases.drive(spec, control: control, progress: progress, options: options, beforeMeasure: { session.mark() })
        for thread in threads { thread.join() }
        measurement.workers = results.value.sorted { $0.index < $1.index }
        measurement.driverCPU = phases.cpu
        var stats = session.stats()
        // One process plays both parts: its CPU is reported once, on the driver's side.
        stats.cpuUserSeconds = 0
        stats.cpuSystemSeconds = 0
        measurement.target = stats
        measurement.probe = phases.probe?.withoutVsockCounters()
        measurement.failures = control.failures
        return measurement
    }
}

/// One in-process "connection": build a request, hand it to the target's responder through a
/// sink that keeps the response in memory, verify the response.
struct InProcessWorker {
    let spec: CaseSpec
    let index: Int
    let quota: UInt64?
    let control: RunControl
    let progress: WorkerProgress
    let source: any RequestSource
    let record: ConnectionRecord

    func run() -> WorkerResult {
        var result = WorkerResult(index: index)
        var histogram = WorkerResult.newHistogram()
        let responder: any Responder = spec.workload == .masked
            ? AgentResponder() : EchoResponder(spec: spec, maxFrame: Int(UInt32.max), fault: nil)
        let request = ByteBuffer(capacity: 64 * 1024)
        let sink = CaptureSink()
        var window = MeasureWindow()
        let counters = IOCounters()
        var sequence: UInt64 = 0
        var measured: UInt64 = 0
        var opened = false
        defer { record.closeInterval() }
        while true {
            if window.observe(control.phase, io: counters) { break }
            if let quota, window.measuring, measured >= quota {
                window.close(io: counters)
                control.workerFinished()
                break
            }
            let size = source.prepare(sequence)
            request.ensure(size)
            source.write(sequence, into: request.base, measured: window.measuring)
            // The target's side of the interval opens with the first measured message, as on a
            // socket target (see FrameHeader.measuredFlag).
            if window.measuring, !opened {
                record.openInterval()
                opened = true
            }
            let start = MonotonicClock.nanos()
            TargetCost.busyWork(nanos: spec.targetCostNanos, from: start)
            do {
                let header = try FrameHeader.decode(from: request.base, maxPayload: Int(UInt32.max))
                let frame = Frame(header: header, payload: UnsafeRawBufferPointer(start: request.base + FrameHeader.size, count: Int(header.content)),
                                  wholeFrame: UnsafeMutableRawBufferPointer(start: request.base, count: size))
                try responder.respond(to: frame, sink: sink, inPlace: false, record: record)
                let processed = MonotonicClock.nanos()
                record.add(messages: 1, processing: processed &- start)
                try source.verify(try sink.frame(), sequence)
                counters.recordWrite(bytes: size, nanos: 0)
                counters.recordRead(bytes: sink.size, nanos: 0)
            } catch {
                control.fail("in-process message \(sequence) of worker \(index): \(error)")
                break
            }
            if window.measuring {
                histogram.record(MonotonicClock.nanos() &- start)
                measured += 1
            }
            progress.add(messages: 1, bytes: UInt64(size + sink.size))
            sequence += 1
        }
        result.messages = measured
        var io = window.io
        // No socket: bytes are what crossed the in-memory boundary, and no syscalls were made.
        io.reads = 0
        io.writes = 0
        result.io = io
        result.startNanos = window.startNanos
        result.endNanos = window.endNanos
        result.latency = histogram
        result.totalMessages = sequence
        return result
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
