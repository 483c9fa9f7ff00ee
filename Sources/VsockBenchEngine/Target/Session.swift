import Synchronization
import VsockBenchSupport
import VsockTransport

/// Live counters of one data connection on the target, readable from the control thread.
final class ConnectionRecord: Sendable {
    let index: Int
    let io: IOCounters
    let messages = Atomic<UInt64>(0)
    let processingNanos = Atomic<UInt64>(0)
    let decodeNanos = Atomic<UInt64>(0)
    let maskNanos = Atomic<UInt64>(0)
    let encodeNanos = Atomic<UInt64>(0)
    let streamBytesRx = Atomic<UInt64>(0)
    let streamBytesTx = Atomic<UInt64>(0)
    let finished = Atomic<Bool>(false)
    /// A writer thread makes this connection's writes: its I/O wait is its reads only.
    let writesOffThread = Atomic<Bool>(false)
    let error = Mutex<String?>(nil)

    init(index: Int, io: IOCounters) {
        self.index = index
        self.io = io
    }

    @inline(__always)
    func add(messages count: UInt64, processing nanos: UInt64) {
        IOCounters.bump(messages, by: count)
        IOCounters.bump(processingNanos, by: nanos)
    }

    @inline(__always)
    func addAgent(decode: UInt64, mask: UInt64, encode: UInt64) {
        IOCounters.bump(decodeNanos, by: decode)
        IOCounters.bump(maskNanos, by: mask)
        IOCounters.bump(encodeNanos, by: encode)
    }

    struct Snapshot {
        var io = IOSnapshot()
        var messages: UInt64 = 0
        var processingNanos: UInt64 = 0
        var decodeNanos: UInt64 = 0
        var maskNanos: UInt64 = 0
        var encodeNanos: UInt64 = 0
    }

    /// One edge of the measured interval as this connection's thread saw it.
    struct Edge {
        var counters: Snapshot
        var moment: Moment
    }

    /// The interval this connection counted in-band: from the first request the driver sent
    /// inside it (`FrameHeader.measuredFlag`) to the bye after the last (once the responses
    /// still batched are written), or the end of the connection. The driver sends nothing
    /// unflagged after the interval opens. Set by the connection's own thread, twice at most.
    private let interval = Mutex<(start: Edge?, end: Edge?)>((nil, nil))

    /// Called by the connection's thread before it handles the first measured request;
    /// `adjust` moves the read side of the edge to that request's first byte (see
    /// RequestHandler), the write side is as it is now.
    func openInterval(adjusting adjust: (inout IOSnapshot) -> Void = { _ in }) {
        let edge = edgeNow(adjust)
        interval.withLock { if $0.start == nil { $0.start = edge } }
    }

    /// Called by the connection's thread once the measured requests are all answered and
    /// their responses written; `adjust` as for `openInterval`.
    func closeInterval(adjusting adjust: (inout IOSnapshot) -> Void = { _ in }) {
        let edge = edgeNow(adjust)
        interval.withLock { if $0.start != nil, $0.end == nil { $0.end = edge } }
    }

    private func edgeNow(_ adjust: (inout IOSnapshot) -> Void) -> Edge {
        var counters = snapshot()
        adjust(&counters.io)
        return Edge(counters: counters, moment: .now())
    }

    var intervalEdges: (start: Edge?, end: Edge?) { interval.withLock { $0 } }

    func snapshot() -> Snapshot {
        Snapshot(io: io.snapshot(), messages: messages.load(ordering: .relaxed), processingNanos: processingNanos.load(ordering: .relaxed),
                 decodeNanos: decodeNanos.load(ordering: .relaxed), maskNanos: maskNanos.load(ordering: .relaxed),
                 encodeNanos: encodeNanos.load(ordering: .relaxed))
    }
}

/// A point on the target's clock, with the process's CPU time then.
struct Moment {
    var nanos: UInt64
    var cpu: CPUTime

    static func now() -> Moment { Moment(nanos: MonotonicClock.nanos(), cpu: CPUTime.process()) }
}

/// The connections of one case on the target, tied together by the session id of the hello.
final class Session: Sendable {
    let id: UInt64
    let expectedConnections: Int
    private struct State {
        var records: [ConnectionRecord] = []
        var baseline: [Int: ConnectionRecord.Snapshot] = [:]
        var mark = Moment.now()
    }
    private let state = Mutex(State())

    init(id: UInt64, expectedConnections: Int) {
        self.id = id
        self.expectedConnections = expectedConnections
    }

    /// Adds a data connection; false when the session already has one with that index (or
    /// already has all it announced): the hello lied, and the connection is refused.
    func register(_ record: ConnectionRecord) -> Bool {
        state.withLock { s in
            guard s.records.count < expectedConnections, !s.records.contains(where: { $0.index == record.index }) else { return false }
            s.records.append(record)
            return true
        }
    }

    /// The measured interval starts: remember every counter as it is now.
    func mark() {
        state.withLock { s in
            s.baseline = Dictionary(s.records.map { ($0.index, $0.snapshot()) }, uniquingKeysWith: { first, _ in first })
            s.mark = .now()
        }
    }

    /// True once every expected data connection has registered and finished.
    var allFinished: Bool {
        state.withLock { s in
            s.records.count >= expectedConnections && s.records.allSatisfy { $0.finished.load(ordering: .acquiring) }
        }
    }

    /// The target's counters over the measured interval. Request/response connections count
    /// from their in-band edges (exactly the requests the driver measured, however late the
    /// control connection's mark arrived); stream connections, and any that saw no measured
    /// request, from the mark to now. CPU time is the process's, over the span of the
    /// connections' intervals (or mark to now).
    func stats() -> TargetStats {
        state.withLock { s in
            var stats = TargetStats()
            let now = Moment.now()
            // The span of the connections' in-band intervals: earliest start, latest end.
            var start: Moment?
            var end: Moment?
            for record in s.records {
                let edges = record.intervalEdges
                guard let first = edges.start?.moment else { continue }
                let last = edges.end?.moment ?? now
                if start.map({ first.nanos < $0.nanos }) ?? true { start = first }
                if end.map({ last.nanos > $0.nanos }) ?? true { end = last }
            }
            let from = start ?? s.mark
            let to = end ?? now
            let cpu = to.cpu - from.cpu
            stats.cpuUserSeconds = Double(cpu.userNanos) / 1e9
            stats.cpuSystemSeconds = Double(cpu.systemNanos) / 1e9
            stats.wallSeconds = Double(to.nanos &- from.nanos) / 1e9
            for record in s.records.sorted(by: { $0.index < $1.index }) {
                let edges = record.intervalEdges
                let now = edges.end?.counters ?? record.snapshot()
                let base = edges.start?.counters ?? s.baseline[record.index] ?? ConnectionRecord.Snapshot()
                let io = now.io - base.io
                var c = ConnectionStats(index: record.index)
                c.messages = now.messages &- base.messages
                c.bytesRx = io.bytesRead
                c.bytesTx = io.bytesWritten
                c.reads = io.reads
                c.writes = io.writes
                c.shortWrites = io.shortWrites
                c.processingSeconds = Double(now.processingNanos &- base.processingNanos) / 1e9
                // The connection thread's own I/O: a writer thread's writes run beside it.
                c.ioWaitSeconds = Double(record.writesOffThread.load(ordering: .relaxed) ? io.readNanos : io.ioNanos) / 1e9
                c.decodeSeconds = Double(now.decodeNanos &- base.decodeNanos) / 1e9
                c.maskSeconds = Double(now.maskNanos &- base.maskNanos) / 1e9
                c.encodeSeconds = Double(now.encodeNanos &- base.encodeNanos) / 1e9
                c.totalMessages = record.messages.load(ordering: .relaxed)
                c.totalStreamBytesRx = record.streamBytesRx.load(ordering: .relaxed)
                c.totalStreamBytesTx = record.streamBytesTx.load(ordering: .relaxed)
                c.error = record.error.withLock { $0 }
                if let error = c.error { stats.errors.append("connection \(record.index): \(error)") }
                stats.messages += c.messages
                stats.bytesRx += c.bytesRx
                stats.bytesTx += c.bytesTx
                stats.reads += c.reads
                stats.writes += c.writes
                stats.shortWrites += c.shortWrites
                stats.processingSeconds += c.processingSeconds
                stats.ioWaitSeconds += c.ioWaitSeconds
                stats.decodeSeconds += c.decodeSeconds
                stats.maskSeconds += c.maskSeconds
                stats.encodeSeconds += c.encodeSeconds
                stats.connections.append(c)
            }
            return stats
        }
    }
}

/// Open sessions by id. A session lives as long as its control connection.
final class SessionRegistry: Sendable {
    private let sessions = Mutex<[UInt64: Session]>([:])

    func open(id: UInt64, expectedConnections: Int) -> Session {
        let session = Session(id: id, expectedConnections: expectedConnections)
        sessions.withLock { $0[id] = session }
        return session
    }

    func find(_ id: UInt64) -> Session? { sessions.withLock { $0[id] } }

    func close(_ id: UInt64) { _ = sessions.withLock { $0.removeValue(forKey: id) } }
}
