import Testing
@testable import VsockTransport
@testable import VsockBenchEngine

/// The target's measured interval: counted from the requests' in-band flag on the
/// connection's own thread, so a control-connection mark that arrives late (a loaded machine,
/// a short count-bounded case) changes nothing.
@Suite struct SessionIntervalTests {
    /// Handles `count` requests on `record` the way RequestHandler counts them.
    static func handle(_ record: ConnectionRecord, _ count: Int, processingNanos: UInt64 = 1_000) {
        for _ in 0..<count {
            record.io.recordRead(bytes: 8224, nanos: 500)
            record.io.recordWrite(bytes: 8224, nanos: 700)
            record.add(messages: 1, processing: processingNanos)
        }
    }

    @Test func inBandEdgesCountExactlyTheMeasuredRequestsHoweverLateTheMark() {
        let session = Session(id: 1, expectedConnections: 2)
        let records = [ConnectionRecord(index: 0, io: IOCounters()), ConnectionRecord(index: 1, io: IOCounters())]
        for record in records { #expect(session.register(record)) }
        // Warmup, then the measured requests, then the bye on each connection ...
        Self.handle(records[0], 5)
        records[0].openInterval()
        Self.handle(records[0], 300, processingNanos: 2_000)
        records[0].closeInterval()
        Self.handle(records[1], 7)
        records[1].openInterval()
        Self.handle(records[1], 200, processingNanos: 2_000)
        records[1].closeInterval()
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

    @Test func closingTwiceOrOpeningLateKeepsTheFirstEdges() {
        let record = ConnectionRecord(index: 0, io: IOCounters())
        record.closeInterval()
        #expect(record.intervalEdges.end == nil, "no end without a start")
        record.openInterval()
        Self.handle(record, 3)
        record.openInterval()
        Self.handle(record, 4)
        record.closeInterval()
        Self.handle(record, 9)
        record.closeInterval()
        let edges = record.intervalEdges
        #expect(edges.start?.counters.messages == 0)
        #expect(edges.end?.counters.messages == 7)
    }

    @Test func withoutFlaggedRequestsTheMarkStillOpensTheInterval() {
        // Stream connections carry no frames to flag: the mark is their edge.
        let session = Session(id: 2, expectedConnections: 1)
        let record = ConnectionRecord(index: 0, io: IOCounters())
        #expect(session.register(record))
        record.io.recordRead(bytes: 65536, nanos: 100)
        session.mark()
        record.io.recordRead(bytes: 65536, nanos: 100)
        record.io.recordRead(bytes: 65536, nanos: 100)
        let stats = session.stats()
        #expect(stats.reads == 2)
        #expect(stats.bytesRx == 2 * 65536)
    }
}
