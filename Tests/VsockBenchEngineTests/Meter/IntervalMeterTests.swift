import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockBenchEngine

/// The one interval meter: per-thread lanes merged, edges set once, socket directions read
/// by the lane that owns them.
@Suite struct IntervalMeterTests {
    @Test func edgesAreSetOnceAndAnIntervalNeedsAnOpening() {
        let meter = IntervalMeter(io: nil)
        let lane = meter.lane(owning: [])
        lane.close()
        #expect(meter.reading().start == nil, "no end without a start")
        lane.open()
        lane.count(messages: 3)
        lane.open()
        lane.count(messages: 4)
        lane.close()
        lane.count(messages: 9)
        lane.close()
        #expect(meter.reading().tally.messages == 7)
        #expect(meter.total.messages == 16)
    }

    @Test func eachLaneReadsOnlyTheSocketDirectionItOwns() {
        let io = IOCounters()
        let meter = IntervalMeter(io: io)
        let sender = meter.lane(owning: .writes)
        let receiver = meter.lane(owning: .reads)
        io.recordWrite(bytes: 100, nanos: 1)
        io.recordRead(bytes: 100, nanos: 1)
        sender.open()
        io.recordWrite(bytes: 10, nanos: 1)
        io.recordRead(bytes: 20, nanos: 1)
        receiver.open()
        io.recordRead(bytes: 30, nanos: 1)
        io.recordWrite(bytes: 40, nanos: 1)
        sender.close()
        io.recordWrite(bytes: 50, nanos: 1)
        io.recordRead(bytes: 60, nanos: 1)
        receiver.close()
        let r = meter.reading()
        #expect(r.io.writes == 2 && r.io.bytesWritten == 50, "the sender's edges: 10 + 40")
        #expect(r.io.reads == 2 && r.io.bytesRead == 90, "the receiver's edges: 30 + 60")
        #expect(r.start != nil && r.end != nil && r.end!.nanos >= r.start!.nanos)
    }

    @Test func anAdjustedEdgeMovesTheSocketSide() {
        let io = IOCounters()
        let meter = IntervalMeter(io: io)
        let lane = meter.lane(owning: .both)
        io.recordRead(bytes: 1000, nanos: 1)
        // The read that brought 1000 bytes also brought the first measured frame's 300.
        lane.open { $0.bytesRead -= 300 }
        io.recordRead(bytes: 500, nanos: 1)
        lane.close()
        #expect(meter.reading().io.bytesRead == 800)
    }

    /// Any number of threads may count on one connection: each on its own lane, merged at
    /// the end (the old target counted a two-way stream's messages from two threads with a
    /// load and a store meant for one writer, and lost updates).
    @Test func lanesOfSeveralThreadsAddUpExactly() {
        let meter = IntervalMeter(io: nil)
        let lanes = (0..<4).map { _ in meter.lane(owning: []) }
        for lane in lanes { lane.open() }
        let threads = lanes.enumerated().map { index, lane in
            NativeThread.spawn(name: "count-\(index)") {
                for _ in 0..<200_000 { lane.count(messages: 1, bytesIn: 2, processingNanos: 3) }
            }
        }
        for thread in threads { thread.join() }
        for lane in lanes { lane.close() }
        let r = meter.reading()
        #expect(r.tally.messages == 800_000)
        #expect(r.tally.bytesIn == 1_600_000)
        #expect(r.tally.processingNanos == 2_400_000)
    }

    @Test func readingsOfSeveralConnectionsMergeToTheWidestSpan() {
        var a = IntervalReading()
        a.tally.messages = 2
        a.start = Moment(nanos: 10, cpu: CPUTime())
        a.end = Moment(nanos: 20, cpu: CPUTime(userNanos: 5))
        var b = IntervalReading()
        b.tally.messages = 3
        b.start = Moment(nanos: 5, cpu: CPUTime())
        b.end = Moment(nanos: 15, cpu: CPUTime())
        let merged = a + b
        #expect(merged.tally.messages == 5)
        #expect(merged.start?.nanos == 5 && merged.end?.nanos == 20)
    }
}
