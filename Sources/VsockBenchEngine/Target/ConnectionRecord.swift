import Synchronization
import VsockBenchModel
import VsockTransport

/// The target's view of one data connection: its meter (with one lane per thread that
/// counts, made before the ack goes out so a mark can never miss them), whether it finished,
/// and what went wrong.
final class ConnectionRecord: Sendable {
    let index: Int
    let meter: IntervalMeter
    /// The lanes, by role: rr and masked `[handler]`; stream tx `[sink]`, rx `[source]`,
    /// both `[sink, source]`.
    let lanes: [MeterLane]
    /// Stream connections carry no frames to flag: their interval opens at the driver's mark.
    let opensAtMark: Bool
    /// Stream connections report their whole-connection byte totals for the loss checks.
    let isStream: Bool
    let finished = Atomic<Bool>(false)
    /// A writer thread makes this connection's writes: its I/O wait is its reads only.
    let writesOffThread = Atomic<Bool>(false)
    let error = Mutex<String?>(nil)

    init(index: Int, io: IOCounters?, workload: Workload) {
        self.index = index
        meter = IntervalMeter(io: io)
        switch workload {
        case let .stream(s):
            switch s.direction {
            case .tx: lanes = [meter.lane(owning: .reads)]
            case .rx: lanes = [meter.lane(owning: .writes)]
            case .both: lanes = [meter.lane(owning: .reads), meter.lane(owning: .writes)]
            }
            opensAtMark = true
            isStream = true
        case .rr, .masked, .replay:
            lanes = [meter.lane(owning: .both)]
            opensAtMark = false
            isStream = false
        }
    }

    /// The driver's mark: stream lanes open now (from the control connection's thread).
    func mark() {
        guard opensAtMark else { return }
        for lane in lanes { lane.open() }
    }

    /// This connection's figures over its interval, with its whole-connection totals.
    func stats() -> ConnectionStats {
        let reading = meter.reading()
        let total = meter.total
        var c = ConnectionStats(index: index)
        c.messages = reading.tally.messages
        c.bytesRx = reading.io.bytesRead
        c.bytesTx = reading.io.bytesWritten
        c.payloadBytesRx = reading.tally.bytesIn
        c.payloadBytesTx = reading.tally.bytesOut
        c.reads = reading.io.reads
        c.writes = reading.io.writes
        c.shortWrites = reading.io.shortWrites
        c.processingSeconds = Double(reading.tally.processingNanos) / 1e9
        // The connection thread's own I/O: a writer thread's writes run beside it.
        c.ioWaitSeconds = Double(writesOffThread.load(ordering: .relaxed) ? reading.io.readNanos : reading.io.ioNanos) / 1e9
        c.decodeSeconds = Double(reading.tally.decodeNanos) / 1e9
        c.maskSeconds = Double(reading.tally.maskNanos) / 1e9
        c.encodeSeconds = Double(reading.tally.encodeNanos) / 1e9
        c.totalMessages = total.messages
        if isStream {
            c.totalStreamBytesRx = total.bytesIn
            c.totalStreamBytesTx = total.bytesOut
        }
        c.error = error.withLock { $0 }
        return c
    }
}
