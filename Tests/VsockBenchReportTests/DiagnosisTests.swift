import Testing
import VsockProbe
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockBenchModel
@testable import VsockBenchEngine
@testable import VsockBenchReport

/// Each verdict fires on its own evidence, and on nothing else.
@Suite struct DiagnosisTests {
    /// A verified case with plausible figures; tests change what their verdict reads.
    static func make(_ name: String = "c", workload: WorkloadKind = .rr, mbps: Double = 3000, msgs: Double = 20000, transport: String = "unix",
                     tweak: (inout CaseSpec) -> Void = { _ in }) -> CaseResult {
        var spec = CaseSpec(name: name, workload: workload)
        tweak(&spec)
        var c = CaseSummary.notRun(spec, transport: transport, errors: [], skipped: nil)
        c.verified = true
        c.messages = UInt64(msgs)
        c.mbpsTotal = mbps
        // Payload each way: a stream one way, request/response half each way.
        c.mbpsTx = workload == .stream ? mbps : mbps / 2
        c.mbpsRx = workload == .stream ? 0 : mbps / 2
        c.msgsPerSecond = msgs
        c.writesPerMessage = 1
        c.readsPerMessage = 1
        c.targetWritesPerMessage = 1
        c.targetReadsPerMessage = 1
        if workload != .stream {
            c.latencyMicros = LatencySummary(p50: 1e6 / msgs * 0.95, p90: 1e6 / msgs, p99: 1e6 / msgs * 1.5, p999: 1e6 / msgs * 2, max: 1e6 / msgs * 3, mean: 1e6 / msgs)
        }
        var stats = TargetStats()
        stats.messages = UInt64(msgs)
        stats.processingSeconds = 0.02
        stats.ioWaitSeconds = 0.9
        c.target = stats
        c.socket = SocketSummary(driver: EffectiveSocketOptions(sndbuf: 212_992, rcvbuf: 212_992), target: EffectiveSocketOptions(sndbuf: 212_992, rcvbuf: 212_992))
        return c
    }

    static let bulk = make("bulk", workload: .stream, mbps: 30000, msgs: 57000)
    static func ids(_ c: CaseResult, context: DiagnosisContext = DiagnosisContext(ceilingMbps: 30000, ceilingCase: "bulk")) -> [DiagnosisID] {
        Diagnoser.diagnose(c, context: context).map(\.id)
    }

    /// A stream's writes wait for no round trip: a round trip's n_half (estimated from a plain
    /// rr case, or an rr sweep's) said "64KiB per write against n_half 179.6KiB: not yet
    /// amortised" beside "nothing to fix" (review). Only a stream sweep's n_half speaks of writes.
    /// A debug build's diagnosis says so first (its verdicts read the unoptimised code's
    /// timings: a debug masked target is processing bound); a release build's does not.
    @Test(arguments: ["debug", "release"])
    func aDebugBuildsDiagnosisSaysSo(build: String) {
        var document = ReportFixtures.document([Self.make()])
        document.host.build = build
        let text = Diagnoser.render(Diagnoser.diagnose(document))
        #expect(text.hasPrefix("NOTE: the driver is a debug build") == (build == "debug"), "\(text.prefix(200))")
    }

    @Test func aStreamIsNotMeasuredAgainstARoundTripsNHalf() throws {
        let bulk = Self.make("bulk", workload: .stream, mbps: 30000, msgs: 57000) { $0.workload = .stream(StreamWorkload(writeSize: 65536)) }
        let plain = Self.make("rr", mbps: 1300, msgs: 20000)
        let document = RunDocument(scenario: Scenario(name: "s", cases: [], path: "s.yaml"), target: "unix:///x", transport: "unix",
                                   driver: HostFacts.current(), targetHost: nil, cases: [bulk, plain], startedAt: "now")
        #expect(DiagnosisContext.from(document).fit?.isPhysical == true, "the run estimates a round trip's fit")
        for fitted in [Diagnoser.diagnose(document), Diagnoser.diagnose(document, fit: LatencyBandwidthFit(alphaSeconds: 40e-6, betaBytesPerSecond: 4e9), fitSource: "rr.json", fitWorkload: .rr)] {
            let verdict = try #require(fitted.cases[0].diagnosis?.first { $0.id == .bandwidthBound })
            #expect(!verdict.evidence.contains { $0.contains("n_half") }, "\(verdict.evidence)")
        }
        let perWrite = Diagnoser.diagnose(document, fit: LatencyBandwidthFit(alphaSeconds: 0.074e-6, betaBytesPerSecond: 4e9), fitSource: "st.json", fitWorkload: .stream)
        let verdict = try #require(perWrite.cases[0].diagnosis?.first { $0.id == .bandwidthBound })
        #expect(verdict.evidence.contains { $0.contains("64KiB per write against n_half") && $0.hasSuffix(": the fixed cost per write is amortised") }, "\(verdict.evidence)")
    }

    @Test func aHealthyStreamIsOnlyBandwidthBound() {
        #expect(Self.ids(Self.bulk) == [.bandwidthBound])
    }

    @Test func stopAndWaitIsRoundTripBound() {
        #expect(Self.ids(Self.make()) == [.roundTripBound])
        // Many in flight: not a round-trip problem.
        #expect(!Self.ids(Self.make { $0.updateExchange { $0.inflight = 8; $0.strategy = .window(8) } }).contains(.roundTripBound))
    }

    /// A stop-and-wait case whose windowed sibling, measured in the same run, gained nothing is
    /// not advised a window again: the verdict says the round trip is not the limit, with little
    /// confidence and no fix (a replay said "strategy {window: 8}" beside a window-8 case that
    /// moved 451 msgs/s against its 439). A sibling that did gain leaves the verdict as it was.
    @Test func aWindowThatGainedNothingInTheSameRunIsNotAdvisedAgain() throws {
        let plain = Self.make("as-is", msgs: 439)
        let flat = Self.make("window-8", msgs: 451) { $0.updateExchange { $0.inflight = 8; $0.strategy = .window(8) } }
        let fit = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 2e9)
        let context = DiagnosisContext(ceilingMbps: 16000, ceilingCase: "bulk", fit: fit, cases: [plain, flat])
        let verdict = try #require(Diagnoser.diagnose(plain, context: context).first { $0.id == .roundTripBound })
        #expect(verdict.confidence < 0.5)
        #expect(verdict.fix == nil)
        #expect(verdict.predicted == nil)
        #expect(verdict.advice.hasPrefix("more in flight did not help (window-8)"), "\(verdict.advice)")
        #expect(verdict.evidence.contains { $0.contains("window-8, this case with 8 requests in flight measured in this run, moved 451 msgs/s against this case's 439") && $0.contains("gained less than 1.2x") }, "\(verdict.evidence)")
        // inflight: 8 with strategy none sends as {window: 8} does: the same sibling.
        let pipelined = Self.make("inflight-8", msgs: 451) { $0.updateExchange { $0.inflight = 8 } }
        let same = try #require(Diagnoser.diagnose(plain, context: DiagnosisContext(ceilingMbps: 16000, ceilingCase: "bulk", fit: fit, cases: [plain, pipelined])).first { $0.id == .roundTripBound })
        #expect(same.fix == nil && same.advice.hasPrefix("more in flight did not help (inflight-8)"), "\(same.advice)")

        let gained = Self.make("window-8", msgs: 1700) { $0.updateExchange { $0.inflight = 8; $0.strategy = .window(8) } }
        let helped = try #require(Diagnoser.diagnose(plain, context: DiagnosisContext(ceilingMbps: 16000, ceilingCase: "bulk", fit: fit, cases: [plain, gained])).first { $0.id == .roundTripBound })
        #expect(helped.confidence == 0.85)
        #expect(helped.fix != nil)
    }

    @Test func processingFillingTheTargetsTimeIsProcessingBound() {
        var c = Self.make(msgs: 4000)
        c.target?.processingSeconds = 0.8
        c.target?.ioWaitSeconds = 0.2
        let verdicts = Diagnoser.diagnose(c, context: DiagnosisContext(ceilingMbps: 30000))
        #expect(verdicts.first?.id == .processingBound)
        #expect(verdicts.first?.evidence.contains { $0.contains("80%") } == true)
        #expect(verdicts.first { $0.id == .roundTripBound }?.confidence ?? 0 < 0.5, "round trips rank below the specific cause")
    }

    @Test func manyWritesPerFrameAreFragmentedWrites() {
        var c = Self.make(msgs: 10000)
        c.writesPerMessage = 17
        c.targetWritesPerMessage = 17
        #expect(Self.ids(c).first == .fragmentedWrites)
        // Batching strategies write less than once per frame: never "fragmented".
        var batched = Self.make { $0.updateExchange { $0.strategy = .coalesce(maxMessages: 10, maxBytes: 1 << 18, lingerNanos: 0); $0.inflight = 10 } }
        batched.writesPerMessage = 0.1
        #expect(!Self.ids(batched).contains(.fragmentedWrites))
    }

    @Test func aSendBufferSmallerThanAFrameIsFlowControl() {
        var c = Self.make(msgs: 25000)
        c.socket.driver?.sndbuf = 8192
        c.readsPerMessage = 2
        c.targetReadsPerMessage = 2
        let verdicts = Self.ids(c)
        #expect(verdicts.first == .flowControlBound)
        #expect(!Self.ids(Self.make()).contains(.flowControlBound))
    }

    @Test func creditUpdatesPerMessageAreFlowControlOnVsock() {
        var c = Self.make(transport: "vsock")
        let op = VsockPacketCount(packets: 40000, bytes: 0)
        var counters = ProbeCounters.emptyForTests()
        counters.vsock = VsockCounters(tx: ["CREDIT_UPDATE": op], rx: ["CREDIT_UPDATE": op])
        c.probe = ProbeCaseReport(counters: counters, perMessage: counters.perMessage(20000))
        #expect(Self.ids(c).contains(.flowControlBound))
    }

    @Test func exitsPerMessageAreNotificationBoundButPacketsAloneAreNot() {
        var c = Self.make(transport: "vsock")
        var counters = ProbeCounters.emptyForTests()
        counters.kvmRun = 100_000
        c.probe = ProbeCaseReport(counters: counters, perMessage: counters.perMessage(20000))
        let verdicts = Diagnoser.diagnose(c, context: DiagnosisContext(ceilingMbps: 30000))
        let notification = verdicts.first { $0.id == .notificationBound }
        #expect(notification?.evidence.first?.contains("5.0 exits per message") == true)

        var packetsOnly = ProbeCounters.emptyForTests()
        packetsOnly.vsock = VsockCounters(tx: ["RW": VsockPacketCount(packets: 100_000, bytes: 1)], rx: nil)
        c.probe = ProbeCaseReport(counters: packetsOnly, perMessage: packetsOnly.perMessage(20000))
        #expect(!Self.ids(c).contains(.notificationBound), "vsock packets are not VM exits")
    }

    @Test func delayedAckLatencyOverTCPWithNodelayOffIsNagle() {
        var c = Self.make(mbps: 1.5, msgs: 11, transport: "tcp") { $0.socket.noDelay = false; $0.updateExchange { $0.splitWrites = true } }
        c.socket.driver?.nodelay = false
        c.writesPerMessage = 2
        c.latencyMicros = LatencySummary(p50: 88000, p90: 88100, p99: 90000, p999: 90000, max: 90100, mean: 88050)
        #expect(Self.ids(c).first == .nagleDelayedAck)
        // The same latency over unix is not Nagle.
        var unix = c
        unix.transport = "unix"
        #expect(!Self.ids(unix).contains(.nagleDelayedAck))
    }

    @Test("a replay over TCP at the delayed-ACK timer names Nagle on the service's side, whose socket cannot be seen")
    func replayAtTheDelayedAckTimerIsNagleOnTheService() throws {
        var c = Self.make(workload: .replay, mbps: 1.0, msgs: 23, transport: "tcp")
        c.socket.target = nil
        c.latencyMicros = LatencySummary(p50: 43745, p90: 44000, p99: 48001, p999: 48001, max: 48100, mean: 43900)
        let verdict = try #require(Diagnoser.diagnose(c, context: DiagnosisContext()).first { $0.id == .nagleDelayedAck })
        #expect(verdict.evidence.contains { $0.contains("your service's socket options cannot be seen") })
        #expect(verdict.advice.contains("TCP_NODELAY on your service's socket"))
        #expect(verdict.confidence < 0.9)
        // A quick service over TCP is not Nagle, nor is the same latency from vsockbench's own target (its options are known).
        var quick = c
        quick.latencyMicros = LatencySummary(p50: 2000, p90: 2100, p99: 2500, p999: 2500, max: 2600, mean: 2050)
        #expect(!Self.ids(quick).contains(.nagleDelayedAck))
        var own = Self.make(mbps: 1.0, msgs: 23, transport: "tcp")
        own.latencyMicros = c.latencyMicros
        #expect(!Self.ids(own).contains(.nagleDelayedAck))
    }

    @Test func failedOrEmptyCasesGetNoVerdict() {
        var c = Self.make()
        c.messages = 0
        #expect(Self.ids(c).isEmpty)
    }

    @Test func predictionsComeFromTheFitAndSayWhere() {
        let fit = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 2e9)
        let context = DiagnosisContext(ceilingMbps: 16000, ceilingCase: "bulk", fit: fit, fitSource: "the sweep in s.json")
        let verdict = Diagnoser.diagnose(Self.make(), context: context).first { $0.id == .roundTripBound }
        #expect(verdict?.advice.contains("the sweep in s.json") == true)
        // 8 KiB each way at 2e9 B/s a direction: 8.19 µs of payload time a round trip, so the
        // fixed 20 µs is 2.4 messages' worth: 3 in flight.
        #expect(verdict?.advice.contains("is the payload time of 2.4 messages") == true, "\(verdict?.advice ?? "")")
        #expect(verdict?.fix == .window(3))
        #expect(verdict?.predictedGain != nil)
    }

    /// A prediction's low end is the case's own rate at the bottom of its noise: "at worst no
    /// gain" beside it says that the lower figure is today's rate, not a loss.
    @Test func theNoGainSentenceNamesItsFigureAsTheCasesOwnRate() throws {
        let fit = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 2e9)
        let context = DiagnosisContext(ceilingMbps: 16000, ceilingCase: "bulk", fit: fit, fitSource: "the sweep in s.json")
        let verdict = try #require(Diagnoser.diagnose(Self.make(), context: context).first { $0.id == .roundTripBound })
        let sentence = try #require(verdict.evidence.first { $0.hasPrefix("at worst no gain") })
        #expect(sentence.contains("the case's own rate now at the bottom of its noise"), "\(sentence)")
        let prediction = try #require(verdict.predicted)
        #expect(prediction.low <= 20000)
    }

    /// An rr sweep's beta is per byte of n each way: its round trip's payload time is n/beta,
    /// not (request + response)/beta, which counted the payload twice.
    @Test func anRRSweepsBetaCountsThePayloadOnce() throws {
        let sweep = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 1e9)
        let document = DiagnosisFixtures.document([DiagnosisFixtures.rr("chatty", msgs: 20000)])
        let rr = Diagnoser.diagnose(document, fit: sweep, fitSource: "the sweep in rr.json", fitWorkload: .rr)
        let verdict = try #require(rr.cases[0].diagnosis?.first { $0.id == .roundTripBound })
        // 8192 B each way at the sweep's 1e9 B/s: 8.19 µs a round trip (16.4 µs counted twice).
        #expect(verdict.advice.contains("is the payload time of 2.4 messages (8.19 µs each"), "\(verdict.advice)")
        #expect(verdict.fix == .window(3))
        // The beta it names is the sweep file's 8000 Mbps as well as the channel's 16000 one way,
        // so that the two files do not seem to disagree.
        #expect(verdict.advice.contains("16000 Mbps one way (the sweep's beta, 8000 Mbps of n each way, 2.00x"), "\(verdict.advice)")
    }

    /// An open-loop case's own verdict comes first in the text: one that kept its schedule is
    /// said to, not left at "no known cause"; one whose driver fell behind says so.
    @Test func theTextGivesAnOpenLoopCasesOwnVerdict() throws {
        func paced(_ name: String, kept: Bool, late: UInt64, verdict: String) -> CaseResult {
            var c = DiagnosisFixtures.rr(name, msgs: 2000)
            c.figures.openLoop = OpenLoopReport(askedPerSecond: 2000, arrivals: .constant, sentPerSecond: 2000, achievedPerSecond: 2000,
                                                measuredSends: 4000, lateSends: late, lateThresholdMicros: 500, maxSendDelayMicros: 900,
                                                inFlightMax: 1, inFlightCap: 64, keptUp: kept, verdict: verdict)
            return c
        }
        let kept = Diagnoser.render(DiagnosisFixtures.document([paced("kept", kept: true, late: 0, verdict: "kept up: answered 2000/s")]))
        #expect(kept.contains("  open loop: kept up: answered 2000/s\n"), "\(kept)")
        #expect(kept.contains("no verdict: it kept its schedule"), "\(kept)")
        let behind = Diagnoser.render(DiagnosisFixtures.document([paced("late", kept: false, late: 1000, verdict: "did NOT keep up: the driver")]))
        #expect(behind.contains("  open loop: did NOT keep up"), "\(behind)")
        #expect(behind.contains("the driver fell behind its own schedule"), "\(behind)")
        #expect(!behind.contains("it kept its schedule"), "\(behind)")
    }

    /// A case that failed after measuring (interrupted) is diagnosed from what it measured,
    /// and the text says so before its verdicts (they were printed as a whole run's: review).
    @Test func aFailedCasesVerdictsSayItFailed() throws {
        var cut = DiagnosisFixtures.rr("cut", msgs: 2000)
        cut.figures.verified = false
        cut.errors = ["interrupted"]
        let document = Diagnoser.diagnose(DiagnosisFixtures.document([cut]))
        let text = Diagnoser.render(document)
        try #require(document.cases[0].diagnosis?.isEmpty == false, "a failed case that measured is still diagnosed")
        #expect(text.contains("  FAILED (interrupted): the verdicts below are from what it measured before, "), "\(text)")
        #expect(!Diagnoser.render(Diagnoser.diagnose(DiagnosisFixtures.document([DiagnosisFixtures.rr("whole", msgs: 2000)]))).contains("FAILED"))
        // Interrupted (the runner's flag, not the error's text): cut short, not FAILED.
        cut.interrupted = true
        let interrupted = Diagnoser.render(Diagnoser.diagnose(DiagnosisFixtures.document([cut])))
        #expect(interrupted.contains("  interrupted (cut short): the verdicts below are from what it measured before, ") && !interrupted.contains("FAILED"), "\(interrupted)")
    }

    /// A masked case's responses are not its requests: its Mbps are not "each way".
    @Test func unequalDirectionsAreNotSaidEachWay() throws {
        var masked = DiagnosisFixtures.rr("masked", msgs: 20000)
        masked.figures.mbpsRx = masked.figures.mbpsTx * 0.9
        let sweep = LatencyBandwidthFit(alphaSeconds: 20e-6, betaBytesPerSecond: 1e9)
        let diagnosed = Diagnoser.diagnose(DiagnosisFixtures.document([masked]), fit: sweep, fitSource: "the sweep in rr.json", fitWorkload: .rr)
        let verdict = try #require(diagnosed.cases[0].diagnosis?.first { $0.id == .roundTripBound })
        let gain = try #require(verdict.predictedGain)
        #expect(gain.contains("Mbps tx (the busier way)") && !gain.contains("each way"), "\(gain)")
        let alike = Diagnoser.diagnose(DiagnosisFixtures.document([DiagnosisFixtures.rr("rr", msgs: 20000)]), fit: sweep, fitSource: "s", fitWorkload: .rr)
        #expect(alike.cases[0].diagnosis?.first { $0.id == .roundTripBound }?.predictedGain?.contains("Mbps each way") == true)
    }

    @Test func aStreamSweepsFitPredictsNothingForAnRRCase() throws {
        // A stream sweep's alpha is the cost of one write (here 0.07 µs, n_half 320 B), not a round trip.
        let perWrite = LatencyBandwidthFit(alphaSeconds: 0.074e-6, betaBytesPerSecond: 34758e6 / 8)
        let document = DiagnosisFixtures.document([DiagnosisFixtures.rr("chatty", msgs: 20000)])
        let stream = Diagnoser.diagnose(document, fit: perWrite, fitSource: "the sweep in st.json", fitWorkload: .stream)
        let advice = try #require(stream.cases[0].diagnosis?.first { $0.id == .roundTripBound }?.advice)
        #expect(!advice.contains("st.json") && !advice.contains("n_half"), "\(advice)")
        let rr = Diagnoser.diagnose(document, fit: perWrite, fitSource: "the sweep in rr.json", fitWorkload: .rr)
        #expect(rr.cases[0].diagnosis?.first { $0.id == .roundTripBound }?.advice.contains("rr.json") == true)
    }

    @Test func theContextEstimatesAFitFromAPlainCaseAndTheCeiling() throws {
        let document = RunDocument(scenario: Scenario(name: "s", cases: [], path: "s.yaml"), target: "unix:///x", transport: "unix",
                                   driver: HostFacts.current(), targetHost: nil, cases: [Self.bulk, Self.make("rr")], startedAt: "now")
        let context = DiagnosisContext.from(document)
        #expect(context.ceilingCase == "bulk")
        let fit = try #require(context.fit)
        #expect(fit.alphaSeconds > 0)
        #expect(context.fitSource?.contains("estimated from rr") == true)
    }
}

extension ProbeCounters {
    /// Every program attached, nothing counted.
    static func emptyForTests() -> ProbeCounters {
        ProbeCounters()
    }
}
