import Testing
@testable import VsockBenchModel
@testable import VsockTransport
@testable import VsockBenchEngine

/// The target's measured interval: counted from the requests' in-band flag on the
/// connection's own thread, so a control-connection mark that arrives late (a loaded machine,
/// a short count-bounded case) changes nothing.
@Suite struct SessionIntervalTests {
    static let rr = Workload.rr(RequestResponseWorkload())

    /// Handles `count` requests on `record` the way RequestHandler counts them.
    static func handle(_ record: ConnectionRecord, _ io: IOCounters, _ count: Int, processingNanos: UInt64 = 1_000) {
        for _ in 0..<count {
            io.recordRead(bytes: 8224, nanos: 500)
            io.recordWrite(bytes: 8224, nanos: 700)
            record.lanes[0].count(messages: 1, bytesIn: 8192, bytesOut: 8192, processingNanos: processingNanos)
        }
    }

    @Test func inBandEdgesCountExactlyTheMeasuredRequestsHoweverLateTheMark() {
        let session = Session(id: 1, expectedConnections: 2)
        let ios = [IOCounters(), IOCounters()]
        let records = [ConnectionRecord(index: 0, io: ios[0], workload: Self.rr), ConnectionRecord(index: 1, io: ios[1], workload: Self.rr)]
        for record in records { #expect(session.register(record)) }
        // Warmup, then the measured requests, then the bye on each connection ...
        Self.handle(records[0], ios[0], 5)
        records[0].lanes[0].open()
        Self.handle(records[0], ios[0], 300, processingNanos: 2_000)
        records[0].lanes[0].close()
        Self.handle(records[1], ios[1], 7)
        records[1].lanes[0].open()
        Self.handle(records[1], ios[1], 200, processingNanos: 2_000)
        records[1].lanes[0].close()
        // ... and only then the mark, as on a loaded target whose control thread ran last.
        session.mark()
        let stats = session.stats()
        #expect(stats.connections.map(\.messages) == [300, 200])
        #expect(stats.messages == 500)
        #expect(stats.reads == 500 && stats.writes == 500)
        #expect(stats.bytesRx == 500 * 8224 && stats.bytesTx == 500 * 8224)
        #expect(abs(stats.processingSeconds - 500 * 2e-6) < 1e-12)
        #expect(abs(stats.ioWaitSeconds - 500 * 1.2e-6) < 1e-12)
        // Loss checks still see every request the connection handled.
        #expect(stats.connections.map(\.totalMessages) == [305, 207])
        #expect(stats.wallSeconds >= 0 && stats.wallSeconds < 10)
    }

    @Test func theMarkOpensStreamConnectionsOnly() {
        // Stream connections carry no frames to flag: the mark is their edge.
        let session = Session(id: 2, expectedConnections: 2)
        let streamIO = IOCounters()
        let stream = ConnectionRecord(index: 0, io: streamIO, workload: .stream(StreamWorkload(direction: .tx)))
        let rrIO = IOCounters()
        let rr = ConnectionRecord(index: 1, io: rrIO, workload: Self.rr)
        #expect(session.register(stream) && session.register(rr))
        streamIO.recordRead(bytes: 65536, nanos: 100)
        Self.handle(rr, rrIO, 3)
        session.mark()
        streamIO.recordRead(bytes: 65536, nanos: 100)
        streamIO.recordRead(bytes: 65536, nanos: 100)
        Self.handle(rr, rrIO, 4)
        let stats = session.stats()
        #expect(stats.connections[0].reads == 2)
        #expect(stats.connections[0].bytesRx == 2 * 65536)
        #expect(stats.connections[1].messages == 0, "an rr connection counts from its first flagged request, not the mark")
    }

    @Test func aSessionRefusesDuplicateAndSurplusConnections() {
        let session = Session(id: 3, expectedConnections: 1)
        #expect(session.register(ConnectionRecord(index: 0, io: nil, workload: Self.rr)))
        #expect(!session.register(ConnectionRecord(index: 0, io: nil, workload: Self.rr)))
        #expect(!session.register(ConnectionRecord(index: 1, io: nil, workload: Self.rr)))
        let wide = Session(id: 4, expectedConnections: 3)
        for index in [-5, 3, 1_000_000_000_000_000] {
            #expect(!wide.register(ConnectionRecord(index: index, io: nil, workload: Self.rr)), "index \(index) is outside 0..<3")
        }
        #expect(wide.register(ConnectionRecord(index: 2, io: nil, workload: Self.rr)))
    }

    /// A session belongs to the control connection that opened it: a second hello with the same
    /// id is refused, and only the owner's close ends it.
    @Test func aLiveSessionIdCannotBeTakenOver() throws {
        let registry = SessionRegistry()
        let owner = try #require(registry.open(id: 9, expectedConnections: 1))
        #expect(registry.open(id: 9, expectedConnections: 5) == nil)
        #expect(registry.find(9) === owner)
        registry.close(Session(id: 9, expectedConnections: 1))
        #expect(registry.find(9) === owner, "another session object with the same id does not close it")
        registry.close(owner)
        #expect(registry.find(9) == nil)
        #expect(registry.open(id: 9, expectedConnections: 1) != nil, "a closed id may be opened again")
    }
}
