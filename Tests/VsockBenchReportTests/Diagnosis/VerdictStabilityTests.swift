import Testing
import VsockProbe
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockBenchModel
@testable import VsockBenchReport

/// Verdicts are stable: evaluated per trial, a verdict that fires in only some trials says so;
/// a healthy stream gets only bandwidth_bound; a verdict that is not the main cause is shown
/// only on strong evidence of its own.
@Suite struct VerdictStabilityTests {
    typealias F = DiagnosisFixtures

    @Test func aVerdictFiringInSomeTrialsSaysHowMany() throws {
        // Processing is half the CPU both sides spend: its share of the threads' time decides.
        let slow = F.rr("agent", msgs: 1000, driverCPU: 600, targetCPU: 600, processing: 600)
        let shares = [0.8, 0.7, 0.6, 0.3, 0.2]
        let c = F.withTrials(slow, shares.map { share in { $0.targetProcessingShare = share } })
        var median = c
        median.targetProcessingShare = 0.6
        let verdicts = Diagnoser.diagnose(F.document([median])).cases[0].diagnosis ?? []
        let processing = try #require(verdicts.first { $0.id == .processingBound })
        #expect(processing.trials == 5)
        #expect(processing.trialsFiring == 3)
        #expect(processing.evidence.contains { $0.contains("fires in 3 of 5 trials") })
        #expect(abs(processing.confidence - 0.36) < 0.011, "0.6 on the medians, times 3 of 5")
        #expect(Diagnoser.render(F.document([median.with(diagnosis: verdicts)])).contains("processing_bound (confidence 0.36, 3 of 5 trials)"))
    }

    @Test func everyTrialFiringIsCountedToo() throws {
        let plain = F.withTrials(F.rr("round-trips", msgs: 20000), Array(repeating: { _ in }, count: 3))
        let verdict = try #require(F.verdict(.roundTripBound, of: "round-trips", in: [F.stream(mbps: 30000), plain]))
        #expect(verdict.trials == 3)
        #expect(verdict.trialsFiring == 3)
        #expect(verdict.confidence == 0.85)
    }

    /// A results file without latency figures (`diagnose --from` a trimmed or foreign file)
    /// still has the rate, and stop-and-wait moves one message per round trip: the verdict is
    /// given from the rate, saying so (it gave none: "the evidence does not point at any of the
    /// known causes").
    @Test func aStopAndWaitCaseWithoutLatencyFiguresIsJudgedFromItsRate() throws {
        var plain = F.rr("round-trips", msgs: 20000)
        plain.latencyMicros = nil
        let verdict = try #require(F.verdict(.roundTripBound, of: "round-trips", in: [F.stream(mbps: 30000), plain]))
        #expect(verdict.evidence.contains("no latency figures in the results, so the round trip is the rate's: 20000 messages/s per connection = one every 50.00 µs"), "\(verdict.evidence)")
    }

    @Test func aHealthyBulkStreamWithWritesOverTheSendBufferIsOnlyBandwidthBound() throws {
        // 256 KiB writes into a 208 KiB send buffer, and short writes that come and go with load.
        var bulk = F.stream("bulk-256k", mbps: 30000, writeSize: 256 * 1024)
        bulk.shortWritesPerMessage = 0.4
        bulk = F.withTrials(bulk, [
            { $0.shortWritesPerMessage = 0.6 }, { $0.shortWritesPerMessage = 0 }, { $0.shortWritesPerMessage = 0.4 },
            { $0.shortWritesPerMessage = 0 }, { $0.shortWritesPerMessage = 0.9 },
        ])
        let other = F.stream("bulk-64k", mbps: 33000)
        let diagnosed = Diagnoser.diagnose(F.document([other, bulk])).cases
        for c in diagnosed {
            #expect(c.diagnosis?.map(\.id) == [.bandwidthBound], "\(c.name): \(c.diagnosis?.map(\.id) ?? [])")
        }
        #expect(diagnosed[1].diagnosis?.first?.trialsFiring == 5)
    }

    @Test func aStreamFarBelowTheCeilingWithCreditTrafficIsFlowControl() throws {
        var slow = F.stream("credit-starved", mbps: 3000)
        var counters = ProbeCounters.emptyForTests()
        let op = VsockPacketCount(packets: UInt64(slow.messages) * 2, bytes: 0)
        counters.vsock = VsockCounters(tx: ["CREDIT_UPDATE": op], rx: nil)
        slow.probe = ProbeCaseReport(counters: counters, perMessage: counters.perMessage(Int(slow.messages)))
        let verdict = try #require(F.verdict(.flowControlBound, of: "credit-starved", in: [F.stream(mbps: 30000), slow]))
        let predicted = try #require(verdict.predicted)
        #expect(predicted.metric == .mbpsTx)
        #expect(predicted.now == 3000)
        #expect(predicted.high <= 30000 * 1.25)
        #expect(verdict.fix == .buffers(256 * 1024))
    }

    @Test func processingMostOfTheCPUIsProcessingBoundWhenWaitsStretchOnABusyMachine() throws {
        // 1 ms of work per message, but the round trip stretched to 3 ms by other load: the
        // threads' time share is low, the CPU share is not.
        var slow = F.rr("slow-agent", msgs: 330, driverCPU: 40, targetCPU: 1010, processing: 1000)
        slow.targetProcessingShare = 0.33
        let processing = slow.target?.processingSeconds ?? 0
        slow.target?.ioWaitSeconds = 2 * processing
        let verdicts = Diagnoser.diagnose(F.document([F.stream(mbps: 30000), F.rr("round-trips", msgs: 20000), slow])).cases[2].diagnosis ?? []
        #expect(verdicts.first?.id == .processingBound, "\(verdicts.map(\.id))")
        #expect(verdicts.first?.evidence.contains { $0.contains("processing is 95% of the CPU both sides spend per message") } == true)
        // An echo's processing is a sliver of its CPU: no verdict from that.
        #expect(!Diagnoser.diagnose(F.document([F.rr("echo", msgs: 20000)])).cases[0].diagnosis!.contains { $0.id == .processingBound })
    }

    @Test func roundTripBesideAProcessingCostIsNotShown() throws {
        // The old blanket round_trip_bound 0.45 beside every specific cause.
        let plain = F.rr("round-trips", msgs: 20000)
        let slow = F.rr("slow-agent", msgs: 700, driverCPU: 40, targetCPU: 1040, processing: 1040) { $0.updateExchange { $0.targetCostNanos = 1_000_000 } }
        let diagnosed = Diagnoser.diagnose(F.document([F.stream(mbps: 30000), plain, slow])).cases
        #expect(diagnosed[2].diagnosis?.map(\.id) == [.processingBound], "\(diagnosed[2].diagnosis?.map(\.id) ?? [])")
        #expect(diagnosed[1].diagnosis?.map(\.id) == [.roundTripBound])
    }

    @Test func roundTripBesideACheapSpecificCostStaysWhenItIsMostOfTheTime() throws {
        // Frames read in two pieces cost little here: the round trip is still most of the time.
        let plain = F.rr("round-trips", msgs: 20000)
        let small = F.smallBuffers(msgs: 21000)
        let verdicts = Diagnoser.diagnose(F.document([F.stream(mbps: 30000), plain, small])).cases[2].diagnosis ?? []
        #expect(verdicts.map(\.id) == [.flowControlBound, .roundTripBound])
        #expect(verdicts.last?.evidence.contains { $0.contains("a plain round trip is 100% of this case's time per message") } == true)
    }
}

extension CaseResult {
    func with(diagnosis: [Diagnosis]) -> CaseResult {
        var copy = self
        copy.diagnosis = diagnosis
        return copy
    }
}
