import Synchronization
import VsockBenchSupport

/// The connections of one case on the target, tied together by the session id of the hello.
final class Session: Sendable {
    let id: UInt64
    let expectedConnections: Int
    /// The case the control connection announced: every data connection of the session must
    /// announce the same one (its stats describe this case).
    let announced: WireCase?
    private struct State {
        var records: [ConnectionRecord] = []
        var mark: Moment?
    }
    private let state = Mutex(State())
    /// Signalled when a data connection finishes: a stats request waits on it, not in a loop.
    private let changes = PthreadMonitor()

    init(id: UInt64, expectedConnections: Int, announced: WireCase? = nil) {
        self.id = id
        self.expectedConnections = expectedConnections
        self.announced = announced
    }

    /// Why a data connection's case is not the session's, or nil when it is (the fields that
    /// differ, by name: no value the peer sent is echoed).
    func mismatch(_ data: WireCase) -> String? {
        guard let announced, announced != data else { return nil }
        var fields: [String] = []
        if announced.name != data.name { fields.append("name") }
        if announced.workload != data.workload { fields.append("workload") }
        if announced.connections != data.connections { fields.append("connections") }
        if announced.seed != data.seed { fields.append("seed") }
        if announced.socket != data.socket { fields.append("socket options") }
        if announced.stream != data.stream { fields.append("stream") }
        if announced.rr != data.rr { fields.append("rr sizes") }
        if announced.masked != data.masked { fields.append("masked sizes") }
        if announced.exchange != data.exchange { fields.append("exchange") }
        return "this data connection announces another case than its session's control connection (\(fields.isEmpty ? "it differs" : "they differ in " + fields.joined(separator: ", "))): every connection of a session runs one case"
    }

    /// Adds a data connection; false when its index is outside the ones the session announced
    /// or already taken: the hello lied, and the connection is refused.
    func register(_ record: ConnectionRecord) -> Bool {
        state.withLock { s in
            guard (0..<expectedConnections).contains(record.index), !s.records.contains(where: { $0.index == record.index }) else { return false }
            s.records.append(record)
            return true
        }
    }

    /// The driver's mark: the measured interval starts now for connections that open at it.
    func mark() {
        let records = state.withLock { s in
            s.mark = .now()
            return s.records
        }
        for record in records { record.mark() }
    }

    /// Data connections that registered (their hello was acknowledged).
    var registeredConnections: Int { state.withLock { $0.records.count } }

    /// Marks `record` finished and wakes a stats request waiting for it.
    func finish(_ record: ConnectionRecord) {
        record.finished.store(true, ordering: .releasing)
        changes.withLock { changes.broadcast() }
    }

    /// Waits, asleep, until no registered data connection of the session is open, or until the
    /// monotonic clock reads `deadline`; true when none is open. Connections that never
    /// registered are not waited for: a driver asks for stats once every connection it opened
    /// was acknowledged, which is after it registered, so a missing one will not come.
    func waitUntilNoneOpen(deadline: UInt64) -> Bool {
        changes.withLock {
            while hasOpenDataConnection {
                guard MonotonicClock.nanos() < deadline else { return false }
                _ = changes.wait(until: deadline)
            }
            return true
        }
    }

    /// True while a data connection of the session is open (registered and not finished): the
    /// driver's control connection is silent then by design, from its mark to its stats request.
    var hasOpenDataConnection: Bool {
        state.withLock { s in s.records.contains { !$0.finished.load(ordering: .acquiring) } }
    }

    /// The target's counters over the measured interval: each connection from its own edges
    /// (request/response: exactly the requests the driver flagged as measured; stream: from
    /// the mark to the end of the connection). CPU time is the process's over the span of the
    /// connections' intervals (from the mark to now when none opened).
    func stats() -> TargetStats {
        let (records, mark) = state.withLock { ($0.records.sorted { $0.index < $1.index }, $0.mark) }
        var stats = TargetStats()
        var span = IntervalReading()
        for record in records {
            let reading = record.meter.reading()
            span = span + IntervalReading(start: reading.start, end: reading.end)
            let c = record.stats()
            if let error = c.error { stats.errors.append("connection \(record.index): \(error)") }
            stats.add(c)
        }
        let from = span.start ?? mark ?? .now()
        let to = span.end ?? .now()
        let cpu = to.cpu - from.cpu
        stats.cpuUserSeconds = Double(cpu.userNanos) / 1e9
        stats.cpuSystemSeconds = Double(cpu.systemNanos) / 1e9
        stats.wallSeconds = Double(to.nanos &- from.nanos) / 1e9
        return stats
    }
}

extension IntervalReading {
    /// Only edges (merging spans).
    init(start: Moment?, end: Moment?) {
        self.init()
        self.start = start
        self.end = end
    }
}

/// Open sessions by id. A session lives as long as the control connection that opened it, and
/// belongs to it: another hello with a live id is refused, never allowed to replace it.
final class SessionRegistry: Sendable {
    private let sessions = Mutex<[UInt64: Session]>([:])

    /// A new session, or nil when `id` is already live.
    func open(id: UInt64, expectedConnections: Int, announced: WireCase? = nil) -> Session? {
        sessions.withLock { sessions in
            guard sessions[id] == nil else { return nil }
            let session = Session(id: id, expectedConnections: expectedConnections, announced: announced)
            sessions[id] = session
            return session
        }
    }

    func find(_ id: UInt64) -> Session? { sessions.withLock { $0[id] } }

    /// Ends `session` (only that one: an id is closed by the connection that opened it).
    func close(_ session: Session) {
        sessions.withLock { sessions in
            if sessions[session.id] === session { sessions.removeValue(forKey: session.id) }
        }
    }
}
