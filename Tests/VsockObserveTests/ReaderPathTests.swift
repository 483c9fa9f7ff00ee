import Testing
import VsockProbe

@testable import VsockObserve

/// The shortcuts of observe's per-event path (runs of one size, the previous packet's
/// connection, waiting events sorted only when out of order and moved in place) give what the
/// plain computation gives.
@Suite struct ReaderPathTests {
    /// Every size counted one at a time, the way the table did before runs.
    static func reference(_ sizes: [UInt64]) -> [UInt64: UInt64] {
        sizes.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    static func percentile(_ p: Double, of sizes: [UInt64]) -> Double {
        let sorted = sizes.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[max(1, rank) - 1])
    }

    @Test("runs of one size, interleaved with others, give the exact percentiles and mean")
    func runsOfOneSize() {
        let sizes: [UInt64] = [8224, 8224, 8224, 40, 40, 8224, 100_003, 100_003, 100_003, 100_003, 7, 8224]
        var distribution = SizeDistribution()
        for size in sizes { distribution.record(size) }
        let figures = distribution.distribution
        #expect(distribution.isExact)
        #expect(figures.p50 == Self.percentile(50, of: sizes))
        #expect(figures.p90 == Self.percentile(90, of: sizes))
        #expect(figures.max == 100_003)
        #expect(figures.mean == Distribution.round(Double(sizes.reduce(0, +)) / Double(sizes.count)))
        #expect(distribution.count == UInt64(sizes.count))
    }

    @Test("adding distributions whose last runs are still open counts both runs")
    func addingOpenRuns() {
        var a = SizeDistribution()
        var b = SizeDistribution()
        for _ in 0..<5 { a.record(100) }
        for _ in 0..<7 { b.record(100) }
        b.record(9)
        for _ in 0..<3 { b.record(200) }
        a.add(b)
        // 12 x 100, 1 x 9, 3 x 200: the median is 100, p90 200 (rank 15 of 16).
        #expect(a.count == 16)
        #expect(a.distribution.p50 == 100 && a.distribution.p90 == 200 && a.distribution.max == 200)
        a.record(200)
        #expect(a.distribution.p90 == 200 && a.count == 17)
    }

    @Test("more distinct sizes than the table holds: the histogram takes over, within 0.1%")
    func beyondTheTable() {
        var distribution = SizeDistribution()
        for size in 1...UInt64(SizeDistribution.distinctLimit + 1) {
            distribution.record(size)
            distribution.record(size)
        }
        #expect(!distribution.isExact)
        let limit = Double(SizeDistribution.distinctLimit + 1)
        #expect(abs((distribution.distribution.max ?? 0) - limit) <= limit * 0.001)
    }

    @Test("beyond the table, the histogram counts a run still open, its own and an added one's")
    func histogramCountsOpenRuns() {
        var distribution = SizeDistribution()
        for size in 1...UInt64(SizeDistribution.distinctLimit + 1) { distribution.record(size) }
        for _ in 0..<10_000 { distribution.record(1_000_000) }
        #expect(!distribution.isExact)
        #expect(abs((distribution.distribution.p50 ?? 0) - 1_000_000) <= 1_000)
        var other = SizeDistribution()
        for _ in 0..<30_000 { other.record(5_000_000) }
        distribution.add(other)
        // 4,097 small, 10,000 x 1e6, 30,000 x 5e6: the median is in the last run.
        #expect(abs((distribution.distribution.p50 ?? 0) - 5_000_000) <= 5_000)
        #expect(distribution.count == UInt64(SizeDistribution.distinctLimit + 1) + 40_000)
        #expect(distribution.histogram.totalCount == distribution.count)
    }

    @Test("the last distinct size over the limit is still open in a run: not exact either")
    func openRunOverTheLimit() {
        var distribution = SizeDistribution()
        for size in 1...UInt64(SizeDistribution.distinctLimit) { distribution.record(size) }
        #expect(distribution.isExact)
        distribution.record(UInt64(SizeDistribution.distinctLimit + 1))
        #expect(!distribution.isExact)
    }

    static func exchange(_ index: Int, port: UInt32, at nanos: UInt64) -> [TapEvent] {
        let read = UInt32((index + 1) * 100)
        return [
            TapEvent(timestampNanos: nanos, kind: .sent, sourceCID: 3, sourcePort: port, destinationCID: 16, destinationPort: 5005, length: 100, op: 5),
            TapEvent(
                timestampNanos: nanos + 1000, kind: .received, sourceCID: 16, sourcePort: 5005, destinationCID: 3, destinationPort: port,
                length: 0, op: 6, bufferAllocation: 1 << 18, forwardCount: read),
            TapEvent(
                timestampNanos: nanos + 2000, kind: .received, sourceCID: 16, sourcePort: 5005, destinationCID: 3, destinationPort: port,
                length: 200, op: 5, bufferAllocation: 1 << 18, forwardCount: read),
            TapEvent(timestampNanos: nanos + 3000, kind: .sent, sourceCID: 3, sourcePort: port, destinationCID: 16, destinationPort: 5005, length: 0, op: 6),
        ]
    }

    @Test("many batches: every event taken once, in order, across the batches still waiting and those dropped")
    func compactionKeepsEveryEvent() throws {
        var builder = ObservationBuilder()
        builder.horizonNanos = 2_000_000
        // 6000 exchanges 10 µs apart on two connections in runs of 3, in 240 batches of 100
        // events: a horizon of 2 ms holds about 8 batches back, so a batch is often taken in
        // part, and the list of used-up batches is trimmed (every 64) several times.
        var events: [TapEvent] = []
        for index in 0..<6000 {
            events += Self.exchange(index / 2, port: (index / 3) % 2 == 0 ? 40000 : 40001, at: 1_000_000 + UInt64(index) * 10_000)
        }
        var exchanges: [VsockConnection: Int] = [:]
        for chunk in stride(from: 0, to: events.count, by: 100) {
            try builder.take(Array(events[chunk..<min(chunk + 100, events.count)]))
        }
        try builder.finish()
        for (connection, record) in builder.connections { exchanges[connection] = record.statistics.exchanges }
        #expect(builder.packets == UInt64(events.count))
        #expect(exchanges.values.sorted() == [3000, 3000])
        #expect((1990...2010).contains(builder.total.turnaround.max))  // 2 µs each, in time order
        let totals = builder.totals
        #expect(totals.packets(.rw) == 12000 && totals.packets(.creditUpdate) == 12000)
        #expect(totals.payloadFromParent == 600_000 && totals.payloadToParent == 1_200_000)
    }

    @Test("a batch older than what waits is sorted in; an in-order batch is not disturbed")
    func outOfOrderBatch() throws {
        var builder = ObservationBuilder()
        let early = Self.exchange(0, port: 40000, at: 1_000_000)
        let late = Self.exchange(1, port: 40000, at: 2_000_000)
        try builder.take(late)
        try builder.take(early)  // another CPU's events, later out of the buffer
        try builder.take(Self.exchange(2, port: 40000, at: 3_000_000))
        try builder.finish()
        let record = try #require(builder.connections.values.first)
        #expect(record.statistics.exchanges == 3)
        #expect(record.statistics.turnaround.max < 2100 && record.statistics.turnaround.min > 1900)
        #expect(record.statistics.think.max < 1_000_000)
    }

    @Test("a late batch merged into events partly taken: each event once, in time order")
    func mergeAfterPartialTake() throws {
        var builder = ObservationBuilder()  // horizon 20 ms
        // Exchanges every 10 ms from 0 to 100 ms: those up to 80 ms are taken, 90 and 100 wait
        // (the batch is taken in part). Then another CPU's exchange at 95 ms, out of order.
        var first: [TapEvent] = []
        for index in 0...10 { first += Self.exchange(index, port: 40000, at: 1_000_000 + UInt64(index) * 10_000_000) }
        try builder.take(first)
        #expect(builder.packets == 36, "exchanges 0 to 8 taken, 9 and 10 waiting: \(builder.packets)")
        try builder.take(Self.exchange(11, port: 40000, at: 96_000_000))
        try builder.finish()
        let record = try #require(builder.connections.values.first)
        #expect(builder.packets == 48)
        #expect(record.statistics.exchanges == 12)
        // In time order every think time is about 5 or 10 ms; the late exchange taken after
        // the one at 101 ms would have had none (0).
        #expect(record.statistics.think.min > 4_000_000, "\(record.statistics.think.min)")
    }

    @Test("a batch out of order within itself, after everything waiting, is sorted in place of a merge")
    func unsortedBatchAfterTheWaitingOnes() throws {
        var builder = ObservationBuilder()
        try builder.take(Self.exchange(0, port: 40000, at: 1_000_000))
        try builder.take(Array(Self.exchange(1, port: 40000, at: 11_000_000).reversed()))
        try builder.finish()
        let record = try #require(builder.connections.values.first)
        #expect(record.statistics.exchanges == 2)
        #expect((1990...2010).contains(record.statistics.turnaround.max))
    }

    @Test("packet totals compare and add by direction and op")
    func totals() {
        var a = ConnectionTotals()
        var b = ConnectionTotals()
        let connection = VsockConnection(parentCID: 3, parentPort: 1, peerCID: 16, peerPort: 5005)
        a.count(ObservedPacket(timestampNanos: 5, direction: .fromParent, connection: connection, op: 5, length: 10))
        b.count(ObservedPacket(timestampNanos: 5, direction: .toParent, connection: connection, op: 5, length: 10))
        #expect(a != b)
        #expect(a.fromParent[5] == ConnectionTotals.OpCount(packets: 1, bytes: 10) && a.toParent[5].packets == 0)
        b.count(ObservedPacket(timestampNanos: 9, direction: .toParent, connection: connection, op: 9, length: 0))
        a.add(b)
        #expect(a.packetsFromParent == 1 && a.packetsToParent == 2 && a.toParent[0].packets == 1)
        #expect(a.firstNanos == 5 && a.lastNanos == 9)
        var c = ConnectionTotals()
        c.add(a)
        #expect(c == a)
    }

    @Test("the probe's packet counts from observe's events: tx built here, rx received; a loopback connection's packets both")
    func probeCountsFromEvents() {
        func tracker(peerCID: UInt32) -> ConnectionTracker {
            let connection = VsockConnection(parentCID: 1, parentPort: 40000, peerCID: peerCID, peerPort: 5005)
            var tracker = ConnectionTracker(connection: connection)
            for (direction, op, length) in [(PacketDirection.fromParent, UInt16(5), UInt32(100)), (.toParent, 5, 200), (.toParent, 6, 0), (.fromParent, 1, 0)] {
                _ = tracker.add(ObservedPacket(timestampNanos: 1, direction: direction, connection: connection, op: op, length: length))
            }
            return tracker
        }
        let remote = ObserveSession.vsockCounters([tracker(peerCID: 16)])
        #expect(remote.tx?["RW"] == VsockPacketCount(packets: 1, bytes: 100) && remote.rx?["RW"] == VsockPacketCount(packets: 1, bytes: 200))
        #expect(remote.tx?["REQUEST"]?.packets == 1 && remote.rx?["REQUEST"]?.packets == 0 && remote.rx?["CREDIT_UPDATE"]?.packets == 1)
        let loopback = ObserveSession.vsockCounters([tracker(peerCID: 1)])
        #expect(loopback.tx == loopback.rx)
        #expect(loopback.tx?["RW"] == VsockPacketCount(packets: 2, bytes: 300) && loopback.tx?["CREDIT_UPDATE"]?.packets == 1)
        // A mix: the remote connection's packets once, the loopback one's on both sides.
        let mixed = ObserveSession.vsockCounters([tracker(peerCID: 1), tracker(peerCID: 16)])
        #expect(mixed.tx?["RW"] == VsockPacketCount(packets: 3, bytes: 400) && mixed.rx?["RW"] == VsockPacketCount(packets: 3, bytes: 500))
    }
}
