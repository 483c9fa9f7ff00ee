import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// `CaseRunner.lossChecks` on its own: whole-connection totals that disagree are lost data.
@Suite struct CaseRunnerLossCheckTests {
    static func measurement(_ spec: CaseSpec, workers: [WorkerResult], target: [ConnectionStats], errors: [String] = []) -> CaseMeasurement {
        let facts = HostFacts.current()
        var m = CaseMeasurement(spec: spec, driver: facts, targetAck: HelloAck(target: facts, mode: "echo", maxFrame: 0, socket: EffectiveSocketOptions()))
        m.workers = workers
        var stats = TargetStats()
        for c in target { stats.add(c) }
        stats.errors = errors
        m.target = stats
        return m
    }

    static func worker(_ index: Int, messages: UInt64 = 0, bytesOut: UInt64 = 0, bytesIn: UInt64 = 0) -> WorkerResult {
        var w = WorkerResult(index: index)
        w.total.messages = messages
        w.total.bytesOut = bytesOut
        w.total.bytesIn = bytesIn
        return w
    }

    @Test func agreeingTotalsPass() {
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 10
        #expect(CaseRunner.lossChecks(Self.measurement(Specs.rr(), workers: [Self.worker(0, messages: 10)], target: [theirs])).isEmpty)
    }

    @Test func requestResponseMismatchesAndMissingConnectionsAreNamed() {
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 11
        let m = Self.measurement(Specs.rr(connections: 2), workers: [Self.worker(0, messages: 10), Self.worker(1, messages: 4)], target: [theirs],
                                 errors: ["connection 0: gone"])
        #expect(CaseRunner.lossChecks(m) == [
            "connection 0: 10 requests answered and verified, the target handled 11",
            "connection 1: the target has no record of it",
            "target: connection 0: gone",
        ])
    }

    @Test func streamMismatchesAreNamedBothWays() {
        var theirs = ConnectionStats(index: 0)
        theirs.totalStreamBytesRx = 900
        theirs.totalStreamBytesTx = 2000
        let m = Self.measurement(Specs.stream(direction: .both, stop: .messages(1)), workers: [Self.worker(0, bytesOut: 1000, bytesIn: 1500)], target: [theirs])
        #expect(CaseRunner.lossChecks(m) == [
            "connection 0: sent 1000 stream bytes, the target received 900 (lost data)",
            "connection 0: the target sent 2000 stream bytes, received 1500 (lost data)",
        ])
    }

    @Test func withoutTargetStatsThereIsNothingToCheck() {
        var m = Self.measurement(Specs.rr(), workers: [Self.worker(0, messages: 3)], target: [])
        m.target = nil
        #expect(CaseRunner.lossChecks(m).isEmpty)
    }

    @Test func quotasSplitTheCountOverConnections() {
        #expect(CaseRunner.quotas(Specs.rr(stop: .messages(301), connections: 2)) == [151, 150])
        #expect(CaseRunner.quotas(Specs.rr(stop: .messages(3), connections: 4)) == [1, 1, 1, 0])
        #expect(CaseRunner.quotas(Specs.stream(direction: .tx, writeSize: 1000, stop: .bytes(2500), connections: 2)) == [2, 1])
        #expect(CaseRunner.quotas(Specs.rr(stop: .duration(nanos: 1))) == nil)
    }

    /// A replay bounded by a count sends every corpus message once per pass over the file,
    /// whatever the split: connection i starts where the ones before it stop. Starting each
    /// i/n of the way in (0, 6, 13 for 20 on 3) sent message 6 twice and 19 never (review).
    @Test(arguments: [(20, 3, 20), (40, 3, 20), (7, 4, 7), (10, 3, 5)])
    func replayConnectionsShareTheCorpusWithoutOverlap(total: Int, connections: Int, corpus: Int) throws {
        let spec = Specs.rr(stop: .messages(total), connections: connections)
        let quotas = try #require(CaseRunner.quotas(spec))
        var sent = [Int](repeating: 0, count: corpus)
        for (i, quota) in quotas.enumerated() {
            let start = ReplaySource.start(connection: i, of: spec, messages: corpus)
            for n in 0..<Int(quota) { sent[(start + n) % corpus] += 1 }
        }
        #expect(sent == [Int](repeating: total / corpus, count: corpus), "\(sent)")
        // Bounded by time, they start spread over the file.
        let timed = Specs.rr(stop: .duration(nanos: 1), connections: 3)
        #expect((0..<3).map { ReplaySource.start(connection: $0, of: timed, messages: 20) } == [0, 6, 13])
    }

    /// With a warmup, each connection's warmup sends as many requests as its time allows,
    /// first: the measured requests start again where the split puts them, so together they
    /// still send every corpus message once (a warmup moved each connection's measured
    /// stretch along by its own count: review).
    @Test func replayMeasuredRequestsShareTheCorpusWhateverTheWarmup() throws {
        // 20 messages of 1...20 payload bytes: a request's size names its message.
        var bytes: [UInt8] = []
        for n in 1...20 { MessageFraming.u32be.encode([UInt8](repeating: 0x61, count: n), into: &bytes) }
        let corpus = try ReplayCorpus.split(bytes, path: "c", framing: .u32be, limit: 1 << 20)
        let spec = Specs.rr(stop: .messages(20), connections: 3)
        let quotas = try #require(CaseRunner.quotas(spec))
        var sent = [Int](repeating: 0, count: 20)
        for (i, quota) in quotas.enumerated() {
            let source = ReplaySource(corpus: corpus, expect: .any, start: ReplaySource.start(connection: i, of: spec, messages: 20))
            let warmup = UInt64([5, 13, 1][i])
            for sequence in 0..<warmup { _ = source.prepare(sequence) }
            source.measuringStarts(at: warmup)
            for sequence in warmup..<(warmup + quota) { sent[source.prepare(sequence) - 4 - 1] += 1 }
        }
        #expect(sent == [Int](repeating: 1, count: 20), "\(sent)")
    }

    /// A case never fails without a reason: nothing measured is said, with what was answered.
    @Test func anEmptyIntervalIsNamed() {
        var spec = Specs.rr(stop: .duration(nanos: 200_000_000))
        spec.connections = 1
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 2
        let empty = Self.measurement(spec, workers: [Self.worker(0, messages: 2)], target: [theirs])
        let reason = CaseRunner.emptyInterval(empty)
        #expect(reason == "no response to a request sent inside the measured interval of 200ms completed before it closed (2 answered in all, warmup included; the target handled 2): the target answers slower than the interval lasts; lengthen --duration or bound the case by --messages")
        var measured = Self.worker(0, messages: 5)
        measured.reading.tally.messages = 3
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [measured], target: [theirs])) == nil)
    }

    /// A stream write blocked through the interval is the reason of a case that measured
    /// nothing, and no reason at all where another connection measured (one connection's
    /// stall failed a case that measured 39640 Mbps: review).
    @Test func aStalledWriteIsTheReasonOnlyWhereTheCaseMeasuredNothing() {
        var spec = CaseSpec(name: "s", workload: .stream(StreamWorkload()))
        spec.connections = 2
        var stalled = Self.worker(0)
        stalled.stalledWrite = "connection 0: a write of 64KiB was under way through the whole measured interval"
        var moving = Self.worker(1, bytesOut: 1 << 20)
        moving.reading.tally.messages = 16
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [moving, stalled], target: [])) == nil)
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [Self.worker(1), stalled], target: [])) == stalled.stalledWrite)
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [Self.worker(0)], target: []))?.hasPrefix("no byte moved inside the measured interval") == true)
    }

    /// An open-loop sender far behind its schedule spends the interval on the requests
    /// scheduled before it: the reason names that and the rate, not a slow target.
    @Test func anOpenLoopThatNeverReachedTheIntervalSaysSo() {
        var exchange = Exchange()
        exchange.rate = ArrivalRate(perSecond: 5_000_000)
        let spec = Specs.rr(exchange: exchange, stop: .duration(nanos: 1_000_000_000))
        var behind = Self.worker(0, messages: 300)
        var schedule = OpenLoopStats()
        schedule.unsent = 4_999_000
        schedule.behindNanos = 1_200_000_000
        behind.openLoop = schedule
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 300
        let reason = CaseRunner.emptyInterval(Self.measurement(spec, workers: [behind], target: [theirs]))
        #expect(reason == "no request scheduled inside the measured interval of 1s was sent: the sender spent it on requests scheduled before it and was 1.20 s behind at the end (4999000 scheduled requests never sent; 300 answered in all, warmup included): 5000000/s is far above what the target answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)")
        // With some of the interval's requests sent, the usual reason stands.
        schedule.measuredSends = 2
        behind.openLoop = schedule
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [behind], target: [theirs]))?.hasPrefix("no response to a request sent inside") == true)
    }

    /// Nothing due in the interval (Poisson arrivals over a short one), or everything due
    /// answered after it: the interval is short, not the target slow (review).
    @Test func anOpenLoopIntervalTooShortSaysSo() {
        var exchange = Exchange()
        exchange.rate = ArrivalRate(perSecond: 1000, arrivals: .poisson)
        let spec = Specs.rr(exchange: exchange, stop: .duration(nanos: 2_000_000))
        var worker = Self.worker(0, messages: 40)
        worker.openLoop = OpenLoopStats()
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 40
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [worker], target: [theirs]))
            == "no request fell due inside the measured interval of 2ms (1000/s poisson): lengthen --duration or raise the rate")
        worker.openLoop?.measuredSends = 2
        worker.openLoop?.answeredAfterEnd = 2
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [worker], target: [theirs]))
            == "the 2 requests sent inside the measured interval of 2ms were all answered after it ended: the interval is shorter than a round trip; lengthen --duration")
    }

    /// Everything sent in the interval answered after it, with scheduled requests never sent:
    /// the rate is far above what the peer answers, not the interval short (review: a case at
    /// 500/s against a service answering 50/s was told to lengthen --duration).
    @Test func anOverloadedOpenLoopAnsweredLateBlamesTheRate() {
        var exchange = Exchange()
        exchange.rate = ArrivalRate(perSecond: 500)
        let spec = Specs.rr(exchange: exchange, stop: .duration(nanos: 1_000_000_000))
        var worker = Self.worker(0, messages: 90)
        var schedule = OpenLoopStats()
        schedule.measuredSends = 69
        schedule.answeredAfterEnd = 69
        schedule.unsent = 431
        schedule.behindNanos = 862_000_000
        worker.openLoop = schedule
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 90
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [worker], target: [theirs]))
            == "the 69 requests sent inside the measured interval of 1s were all answered after it ended, and 431 scheduled requests were never sent (the sender 0.86 s behind at the end): 500/s is far above what the target answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)")
    }

    /// A case bounded by messages, every request sent and every answer late: against a peer
    /// far slower than the rate (answers each later than the one before, latencies spread over
    /// more than the interval) the rate is blamed, as for a duration; against one merely slow
    /// to answer, the fix is more messages, not --duration, which would replace the bound
    /// (review: 200 at 1000/s against a service answering 40/s read "the interval is shorter
    /// than a round trip; lengthen --duration").
    @Test(arguments: [
        (UInt64(5_000_000_000), UInt64(9_900_000_000), "the 100 requests sent inside the measured interval were all answered after it ended, their latencies 4.91 s apart for an interval of 0.20 s (each answer later than the one before: a queue growing): 1000/s is far above what the target answers; lower the rate (a closed-loop case, without `rate`, measures what it can answer)"),
        (UInt64(300_000_000), UInt64(310_000_000), "the 100 requests sent inside the measured interval were all answered after it ended: the interval is shorter than a round trip; raise messages (the interval lasts messages / rate)"),
    ])
    func aMessagesBoundOpenLoopAnsweredLateSaysAFixThatApplies(first: UInt64, last: UInt64, said: String) throws {
        var exchange = Exchange()
        exchange.rate = ArrivalRate(perSecond: 1000)
        let spec = Specs.rr(exchange: exchange, stop: .messages(200))
        var worker = Self.worker(0, messages: 100)
        var schedule = OpenLoopStats()
        schedule.measuredSends = 100
        schedule.answeredAfterEnd = 100
        worker.openLoop = schedule
        var latency = WorkerResult.newHistogram()
        latency.record(first)
        latency.record(last)
        worker.latency = latency
        var theirs = ConnectionStats(index: 0)
        theirs.totalMessages = 100
        #expect(CaseRunner.emptyInterval(Self.measurement(spec, workers: [worker], target: [theirs])) == said)
    }

    /// --target null runs closed loop only: an open-loop case is skipped with the reason (its
    /// rate was dropped without a word).
    @Test func theInProcessTargetSkipsOpenLoopCases() {
        var exchange = Exchange()
        exchange.rate = ArrivalRate(perSecond: 2000)
        #expect(ScenarioRunner.inProcessSkipReason(Specs.rr(exchange: exchange))?.contains("--target null runs closed loop only") == true)
        #expect(ScenarioRunner.inProcessSkipReason(Specs.rr()) == nil)
    }
}
