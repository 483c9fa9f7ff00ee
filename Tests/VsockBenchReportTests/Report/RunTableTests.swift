import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchReport
import VsockBenchModel
import VsockTransport

/// The run table's headline: like with like, and only from cases whose figures stand.
@Suite struct RunTableTests {
    @Test func theComparisonLineTakesVerifiedCasesOnly() throws {
        let bulk = ReportFixtures.makeCase("bulk", workload: .stream, size: 65536, mbps: 9500, msgsPerSecond: 18000)
        let chatty = ReportFixtures.makeCase("chatty", mbps: 44, msgsPerSecond: 336)
        var stopped = ReportFixtures.makeCase("stopped", workload: .stream, size: 65536, mbps: 20000, msgsPerSecond: 38000)
        stopped.figures.verified = false
        let line = try #require(RunTable.comparisonLine([bulk, chatty, stopped]))
        #expect(line.hasPrefix("bulk moved 9500 Mbps driver to target, chatty 22.00 Mbps each way"), "\(line)")
        #expect(!line.contains("stopped"))
        #expect(RunTable.comparisonLine([bulk, stopped]) == nil, "one verified case compares with nothing")
    }

    /// The host line names the target's process; under `--target null` it is the driver's own,
    /// and says so (it read "target: pid N", N the driver's pid).
    @Test func theHostLineSaysWhenTheTargetIsTheDriversProcess() {
        var c = ReportFixtures.makeCase("plain", mbps: 44, msgsPerSecond: 336)
        var document = ReportFixtures.document([c])
        #expect(RunTable.render(document).contains("; target: pid 7, kernel 4.14.256-enclave\n"))
        // An enclave's target can have the driver's pid and hostname by chance: still a target.
        document.host.target = ReportFixtures.driverHost
        #expect(RunTable.render(document).contains("; target: pid \(ReportFixtures.driverHost.pid), kernel"))
        c.transport = "null"
        document = ReportFixtures.document([c])
        document.host.target = ReportFixtures.driverHost
        let text = RunTable.render(document)
        #expect(text.contains("; target: in the driver's process (no separate target)\n"), "\(text)")
        #expect(!text.contains("target: pid"))
    }

    /// A debug build's figures are its unoptimised code's (masked 8 KiB at tens of msgs/s): one
    /// NOTE says so, and how to build for the tool's (nothing did: a debug run stored as a
    /// baseline read as any other).
    @Test func aDebugBuildsFiguresSaySoInOneNote() {
        var document = ReportFixtures.document([ReportFixtures.makeCase("plain", mbps: 44, msgsPerSecond: 336)])
        document.host.build = "debug"
        let text = RunTable.render(document)
        #expect(text.components(separatedBy: "\nNOTE: the driver is a debug build: its timings are").count == 2, "\(text)")
        #expect(text.contains("build with `swift build -c release`"), "\(text)")
        for build in ["release", nil] as [String?] {
            document.host.build = build
            #expect(!RunTable.render(document).contains("debug build"), "\(build ?? "nil")")
        }
    }

    /// The target says its build in its hello ack: a release driver against a target served
    /// from a debug build (started by hand in the enclave) read as the tool's figures.
    @Test func aDebugTargetSaysSoInTheNote() {
        var document = ReportFixtures.document([ReportFixtures.makeCase("plain", mbps: 44, msgsPerSecond: 336)])
        document.host.build = "release"
        var target = ReportFixtures.targetHost
        target.build = "debug"
        document.host.target = target
        var text = RunTable.render(document)
        #expect(text.components(separatedBy: "\nNOTE: the target is a debug build: its processing").count == 2, "\(text)")
        #expect(!text.contains("the driver is a debug build"), "\(text)")
        document.host.build = "debug"
        text = RunTable.render(document)
        #expect(text.components(separatedBy: "\nNOTE: the driver is a debug build").count == 2, "\(text)")
        #expect(text.contains("(the target is a debug build too: serve it from the release build)"), "\(text)")
        for build in ["release", nil] as [String?] {
            document.host.build = "release"
            document.host.target?.build = build
            #expect(!RunTable.render(document).contains("debug build"), "\(build ?? "nil")")
        }
    }

    /// This test binary is a debug build (SwiftPM's debug configuration defines DEBUG): a
    /// document made in it says so in its JSON, beside the host's other facts.
    @Test func aDocumentMadeInADebugBinarySaysDebug() throws {
        let c = ReportFixtures.makeCase("plain", mbps: 44, msgsPerSecond: 336)
        let document = RunDocument(scenario: Scenario(name: "s", cases: [c.spec], path: "s.yaml"), target: "t", transport: "unix",
                                   driver: ReportFixtures.driverHost, targetHost: nil, cases: [c], startedAt: "2026-01-02T03:04:05Z")
        #if DEBUG
        let expected = "debug"
        #else
        let expected = "release"
        #endif
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.encoded())) as? [String: Any])
        let host = try #require(json["host"] as? [String: Any])
        #expect(host["build"] as? String == expected, "\(host)")
        #expect(host["driver_kernel"] as? String == "6.1.0-test")
    }

    /// A case bounded by a count that took less than 10 ms (lab.yaml's 64 KiB stream: 43103
    /// Mbps over 3.6 ms) says its rate is rough; one over 10 ms or more, or bounded by a
    /// duration, says nothing.
    @Test func aCountThatTookUnderTenMillisecondsSaysItsRateIsRough() {
        func note(stop: StopCondition, seconds: Double) -> String? {
            var c = ReportFixtures.makeCase("stream-64k", workload: .stream, size: 65536, mbps: 43103, msgsPerSecond: 82000, durationSeconds: seconds, messages: 300)
            c.spec.stop = stop
            return c.shortIntervalNote
        }
        let short = note(stop: .messages(300), seconds: 0.003649)
        #expect(short == "its 300 messages took 3.65 ms: a rate over less than 10ms (the shortest --duration a case may have) is rough; give more, or a duration, for a rate", "\(short ?? "nil")")
        #expect(note(stop: .bytes(1 << 20), seconds: 0.004)?.hasPrefix("its 1MiB took 4") == true)
        #expect(note(stop: .messages(300), seconds: 0.01) == nil)
        #expect(note(stop: .duration(nanos: 5_000_000), seconds: 0.005) == nil, "a duration the user chose (as recorded) is not flagged")
        var c = ReportFixtures.makeCase("stream-64k", workload: .stream, size: 65536, mbps: 43103, msgsPerSecond: 82000, durationSeconds: 0.003649, messages: 300)
        c.spec.stop = .messages(300)
        let text = RunTable.render(ReportFixtures.document([c]))
        #expect(text.contains("NOTE stream-64k: its 300 messages took 3.65 ms"), "\(text)")
    }

    /// Under `--target null` each connection runs one message at a time in process, no socket:
    /// a window-8 row labelled x8 overlapped nothing (review), and the text says which of its
    /// knobs set nothing.
    @Test func aNullRunSaysWhichKnobsSetNothing() throws {
        var window = ReportFixtures.makeCase("window-8", mbps: 44, msgsPerSecond: 336)
        window.spec.workload = .rr(RequestResponseWorkload(requestSize: 8192, responseSize: 8192, exchange: Exchange(inflight: 8, strategy: .window(8))))
        window.spec.socket.sendBuffer = 4096
        let plain = ReportFixtures.makeCase("plain", mbps: 44, msgsPerSecond: 336)
        for c in [window, plain] { #expect(RunTable.render(ReportFixtures.document([c])).contains("set nothing here") == false) }
        var null = window
        null.transport = "null"
        var plainNull = plain
        plainNull.transport = "null"
        let text = RunTable.render(ReportFixtures.document([null, plainNull]))
        #expect(text.contains("window-8: --target null runs each connection one message at a time in process, with no socket: inflight 8, strategy window 8, its socket options set nothing here"), "\(text)")
        #expect(!text.contains("plain: --target null"), "a stop-and-wait case loses nothing: \(text)")
        // compare's knobs say it too.
        let knobs = KnobDiff.between(CaseConfig(plainNull.spec), CaseConfig(null.spec), transports: ("null", "null"))
        #expect(knobs.count == 3 && knobs.allSatisfy { $0.note == "not applied under --target null: one message at a time in process, no socket" }, "\(knobs)")
    }

    /// Linux doubles a socket buffer request, raises it to its minimum and caps it; the JSON
    /// had what it set, the text said nothing, so `sndbuf: 1KiB` read as a 1 KiB buffer. A
    /// plain doubling is not said (every request gets it); anything else is, side by side.
    @Test func socketBuffersTheKernelSetOtherwiseAreSaid() {
        var c = ReportFixtures.makeCase("small", mbps: 44, msgsPerSecond: 336)
        c.spec.socket.sendBuffer = 1024
        c.spec.socket.receiveBuffer = 65536
        c.socket = SocketSummary(driver: EffectiveSocketOptions(sndbuf: 4608, rcvbuf: 131072),
                                 target: EffectiveSocketOptions(sndbuf: 4608, rcvbuf: 131072))
        var text = RunTable.render(ReportFixtures.document([c]))
        #expect(text.contains("small: sndbuf 1KiB asked, the kernel set 4.5KiB on both sides (raised to the kernel's minimum)\n"), "\(text)")
        #expect(!text.contains("rcvbuf"), "a doubling is what every request gets: \(text)")
        c.spec.socket.sendBuffer = nil
        c.spec.socket.receiveBuffer = 8 << 20
        c.socket = SocketSummary(driver: EffectiveSocketOptions(rcvbuf: 8 << 20), target: EffectiveSocketOptions(rcvbuf: 425984))
        text = RunTable.render(ReportFixtures.document([c]))
        #expect(text.contains("small: rcvbuf 8MiB asked, the kernel set 8MiB on the driver (it doubles a request up to twice net.core.rmem_max), 416KiB on the target (it doubles a request up to twice net.core.rmem_max)\n"), "\(text)")
        c.socket = SocketSummary(driver: EffectiveSocketOptions(rcvbuf: 16 << 20), target: nil)
        #expect(!RunTable.render(ReportFixtures.document([c])).contains("small: rcvbuf"), "a doubled request on the one side reached")
        c.spec.socket.receiveBuffer = nil
        c.spec.socket.vsockBufferSize = 1 << 20
        c.socket = SocketSummary(driver: EffectiveSocketOptions(vsockBufferSize: 262144), target: nil)
        text = RunTable.render(ReportFixtures.document([c]))
        #expect(text.contains("small: vsock_buffer_size 1MiB asked, the kernel set 256KiB on the driver (clamped"), "\(text)")
        #expect(SocketBufferNote.bytes(2304) == "2304 bytes" && SocketBufferNote.bytes(4608) == "4.5KiB" && SocketBufferNote.bytes(1000) == "1000B")
    }

    /// An open-loop case moves what its rate asks for: it is no side of the headline, whose
    /// ratio would otherwise be the rate chosen, not what the channel gave.
    @Test func theComparisonLineLeavesOpenLoopCasesOut() throws {
        let bulk = ReportFixtures.makeCase("bulk", workload: .stream, size: 65536, mbps: 9500, msgsPerSecond: 18000)
        let chatty = ReportFixtures.makeCase("chatty", mbps: 44, msgsPerSecond: 336)
        var paced = ReportFixtures.makeCase("paced", mbps: 2, msgsPerSecond: 15)
        paced.spec.workload = .rr(RequestResponseWorkload(exchange: Exchange(inflight: 64, rate: ArrivalRate(perSecond: 15))))
        let line = try #require(RunTable.comparisonLine([bulk, chatty, paced]))
        #expect(line.hasPrefix("bulk moved 9500 Mbps driver to target, chatty 22.00 Mbps each way"), "\(line)")
        #expect(!line.contains("paced"), "\(line)")
        #expect(RunTable.comparisonLine([bulk, paced]) == nil, "one closed-loop case compares with nothing")
    }

    /// Mbps compare per direction: the closing line puts two cases side by side only in a
    /// direction both move, never one case's driver to target against another's target to driver.
    @Test func theComparisonLineComparesOneDirectionBothCasesMove() throws {
        func stream(_ name: String, tx: Double, rx: Double) -> CaseResult {
            var c = ReportFixtures.makeCase(name, workload: .stream, size: 65536, mbps: tx + rx, msgsPerSecond: 1000)
            c.figures.mbpsTx = tx
            c.figures.mbpsRx = rx
            return c
        }
        let tx = stream("bulk-tx-64k", tx: 29761, rx: 0)
        let rx = stream("bulk-rx-64k", tx: 0, rx: 25000)
        let both = stream("bulk-both-64k", tx: 12000, rx: 13375)
        let tx8k = stream("bulk-tx-8k", tx: 8000, rx: 0)
        // The review's case: bulk-both's busier direction (target to driver) is not bulk-tx's.
        #expect(RunTable.comparisonLine([tx, both])
            == "bulk-tx-64k moved 29761 Mbps driver to target, bulk-both-64k 12000 Mbps driver to target: 2.48x (application payload per direction)")
        // Target to driver is the only direction rx and both share.
        #expect(RunTable.comparisonLine([rx, both])
            == "bulk-rx-64k moved 25000 Mbps target to driver, bulk-both-64k 13375 Mbps target to driver: 1.87x (application payload per direction)")
        // scenarios/bulk.yaml: three cases move driver to target, two target to driver.
        let all = try #require(RunTable.comparisonLine([tx, rx, both, tx8k]))
        #expect(all.hasPrefix("bulk-tx-64k moved 29761 Mbps driver to target, bulk-tx-8k 8000 Mbps driver to target: 3.72x"), "\(all)")
        #expect(!all.contains("target to driver"), "\(all)")
        // One case each way: nothing alike to compare, no line.
        #expect(RunTable.comparisonLine([tx, rx]) == nil)
        // A case that moves both alike is named each way, compared on the shared direction.
        let chatty = ReportFixtures.makeCase("chatty", mbps: 44, msgsPerSecond: 336)
        #expect(RunTable.comparisonLine([rx, chatty])?.hasPrefix("bulk-rx-64k moved 25000 Mbps target to driver, chatty 22.00 Mbps each way: 1136x") == true,
                "\(RunTable.comparisonLine([rx, chatty]) ?? "nil")")
    }

    /// Slice start times with the decimals the interval needs: 250ms slices start at 0.25 and
    /// 0.75, not 0.3 and 0.8.
    @Test(arguments: [
        (UInt64(250_000_000), [0, 0.25, 0.5, 0.75], ["0.00", "0.25", "0.50", "0.75"]),
        (UInt64(100_000_000), [0, 0.1, 0.2], ["0.0", "0.1", "0.2"]),
        (UInt64(1_000_000_000), [0, 1, 2], ["0", "1", "2"]),
        (UInt64(10_000_000), [0, 0.01, 0.02], ["0.00", "0.01", "0.02"]),
        (UInt64(1_500_000_000), [0, 1.5, 3], ["0.0", "1.5", "3.0"]),
        (UInt64(1_000_000), [0.001, 0.002], ["0.001", "0.002"]),
        (UInt64(333_000_000), [0.333, 0.666], ["0.333", "0.666"]),
    ])
    func sliceStartsShowTheIntervalsDecimals(interval: UInt64, starts: [Double], shown: [String]) {
        #expect(starts.map { RunTable.startText($0, intervalNanos: interval) } == shown)
    }

    @Test func aSliceStartWithNoIntervalKeepsOneDecimal() {
        #expect(RunTable.startText(0.25, intervalNanos: nil) == "0.3")
    }

    @Test("with 3 trials the ± is half the trials' range, 75% coverage, not called a 95% interval; from 6 it is one")
    func intervalCoverage() throws {
        func headline(_ trials: Int) throws -> String {
            var document = ReportFixtures.document([
                CompareFixtures.withTrials(CompareFixtures.rr("none", msgs: 1000, p99: 300), msgs: (0..<trials).map { 1000 + Double($0) }),
            ])
            document.statistics = RunStatistics(TrialPlan(repeatCount: trials))
            return String(try #require(RunTable.render(document).split(separator: "\n").first { $0.hasPrefix("median of") }))
        }
        let three = try headline(3)
        #expect(!three.contains("95% interval") && three.contains("75% coverage"), "\(three)")
        #expect(try headline(6).contains("± covering the 95% interval"))
    }

    /// An interrupted `--repeat 5` run whose case measured one trial: its header claimed "median
    /// of 5 trials per case" with the trials' range as the interval.
    @Test("the header says what the cases measured, not what was asked")
    func headerCountsMeasuredTrials() throws {
        func header(_ rates: [Double]) throws -> String {
            var c = CompareFixtures.withTrials(CompareFixtures.rr("none", msgs: 1000, p99: 300), msgs: rates)
            for index in c.trials.indices where c.trials[index].msgsPerSecond == 0 { c.trials[index].messages = 0 }
            var document = ReportFixtures.document([c])
            document.statistics = RunStatistics(TrialPlan(repeatCount: 5))
            return String(try #require(RunTable.render(document).split(separator: "\n").dropFirst(0).first { $0.contains("trials") }))
        }
        #expect(try header([1000, 0]) == "5 trials asked per case, at most 2 ran, but no case measured more than one (interrupted or failed): single samples")
        // Interrupted in the first round: one trial each, but 5 asked (it read "one trial per
        // case: single samples (--repeat N for medians...)", review).
        var one = ReportFixtures.document([CompareFixtures.rr("none", msgs: 1000, p99: 300)])
        one.statistics = RunStatistics(TrialPlan(repeatCount: 3))
        let text = RunTable.render(one)
        #expect(text.contains("3 trials asked per case, at most 1 ran, but no case measured more than one (interrupted or failed): single samples") && !text.contains("one trial per case"), "\(text)")
        #expect(try header([1000, 1010, 1020]).hasPrefix("median of the trials each case measured (5 asked; as few as 3"))
        #expect(try header([1000, 1010, 1020, 990, 980]).hasPrefix("median of 5 trials per case"))
    }

    @Test("with trials, the figures that are one trial's (spread, here) say which trial: the median by msgs/s")
    func oneTrialsFiguresSayWhichTrial() throws {
        var c = CompareFixtures.withTrials(CompareFixtures.rr("none", msgs: 1000, p99: 300), msgs: [1100, 900, 1000])
        c.figures.spread = ConnectionSpread(connections: 2, minMsgsPerSecond: 480, maxMsgsPerSecond: 520, cv: 0.04)
        #expect(c.representativeTrial == 2)
        var document = ReportFixtures.document([c])
        document.statistics = RunStatistics(TrialPlan(repeatCount: 3))
        let line = try #require(RunTable.render(document).split(separator: "\n").first { $0.contains("2 connections") })
        #expect(line.hasSuffix(", from trial 3 of 3, the median by msgs/s"), "\(line)")
        let single = CompareFixtures.rr("one", msgs: 1000, p99: 300)
        #expect(single.representativeTrialText == nil, "one trial: nothing to say")
    }

    @Test("the ± covers the whole interval where it is not centred on the figure (a lopsided median's)")
    func plusMinusReachesTheFartherEnd() throws {
        // One slow trial: the p99s' median sits near the low end of their interval.
        let c = CompareFixtures.withTrials(
            CompareFixtures.rr("none", msgs: 1000, p99: 300), msgs: [900, 1000, 1010, 1020, 1030, 1040], p99: [280, 281, 282, 283, 284, 320])
        var document = ReportFixtures.document([c])
        document.statistics = RunStatistics(TrialPlan(repeatCount: 6))
        let row = try #require(RunTable.render(document).split(separator: "\n").first { $0.hasPrefix("none ") })
        // msgs/s median 1015 in [900, 1040]: 115 down, 25 up; p99 282.5 in [280, 320]: 37.5 up.
        // Half the widths (70 and 20) would print ranges that miss 900 and 320.
        #expect(row.contains("1015 ±115"), "\(row)")
        #expect(row.contains("282.5 ±37.50"), "\(row)")
        #expect(IntervalText.reach(from: 5, to: [4, 6]) == 1)
    }

    /// A count-bounded case that ended before its first boundary has one short slice: said to
    /// be no series, not shown as a "slices of 1s" series of one 1.5 ms slice (review).
    @Test func aSeriesOfOneShortSliceSaysSo() {
        var c = ReportFixtures.makeCase("ol", mbps: 16, msgsPerSecond: 2000)
        c.spec.intervalNanos = 1_000_000_000
        func slice(_ start: Double, _ seconds: Double) -> IntervalFigures {
            IntervalFigures(startSeconds: start, durationSeconds: seconds, messages: 3, bytesTx: 3072, bytesRx: 12288, mbpsTx: 16.38, mbpsRx: 65.54,
                            msgsPerSecond: 2000, p50Micros: 118, p99Micros: 484, writesPerMessage: 1, readsPerMessage: 1.33, writes: 3, reads: 4,
                            probe: nil, stall: false)
        }
        let short = RunTable.intervalTable(c, [slice(0, 0.0015)])
        #expect(short == "ol: the case ended 1.5ms into its first 1s slice: one slice, no series; give it more messages or a shorter interval\n", "no table: \(short)")
        let whole = RunTable.intervalTable(c, [slice(0, 0.9)])
        #expect(!whole.contains("no series"), "a slice of most of the interval is one: \(whole)")
        let two = RunTable.intervalTable(c, [slice(0, 1), slice(1, 0.3)])
        #expect(!two.contains("no series"))
    }
}
