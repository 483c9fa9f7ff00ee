import Foundation
import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport

/// The open-loop sweep's plan and its knee.
@Suite struct RateSweepTests {
    typealias Point = RateSweepReport.Point

    static func point(_ rate: Double, p99: Double?, keptUp: Bool = true, verified: Bool = true, behind: String? = nil) -> Point {
        Point(offeredPerSecond: rate, caseName: "rr@\(Int(rate))", achievedPerSecond: keptUp ? rate : rate / 2,
              p50Micros: p99.map { $0 / 2 }, p99Micros: p99, p999Micros: p99.map { $0 * 2 }, lateSends: 0, keptUp: keptUp, verified: verified,
              behind: keptUp ? nil : (behind ?? "the target fell behind: answered \(Int(rate / 2))/s"))
    }

    @Test func theKneeIsTheLastRateBeforeP99Doubles() {
        let (knee, note) = RateSweepReport.knee([Self.point(1000, p99: 100), Self.point(2000, p99: 150), Self.point(5000, p99: 210), Self.point(10000, p99: 900)])
        #expect(knee == 2000)
        #expect(note.contains("at 5000/s p99 reached 210.0 us, 2.10x the 100.0 us of 1000/s"), "\(note)")
    }

    @Test func theKneeIsTheLastRateBeforeTheTargetFellBehind() {
        let (knee, note) = RateSweepReport.knee([Self.point(1000, p99: 100), Self.point(2000, p99: 120), Self.point(5000, p99: 130, keptUp: false)])
        #expect(knee == 2000)
        #expect(note.contains("at 5000/s the target fell behind"), "\(note)")
    }

    @Test func noKneeWhenTheLightestLoadIsAlreadyTooMuchOrTheHeaviestIsStillFine() {
        let (low, lowNote) = RateSweepReport.knee([Self.point(1000, p99: 100, keptUp: false), Self.point(2000, p99: 120)])
        #expect(low == nil)
        #expect(lowNote.hasPrefix("below the lightest load offered: 1000/s was not kept up"), "\(lowNote)")
        let (high, highNote) = RateSweepReport.knee([Self.point(1000, p99: 100), Self.point(2000, p99: 120)])
        #expect(high == nil)
        #expect(highNote.hasPrefix("not reached: 2000/s, the heaviest load offered"), "\(highNote)")
        let (failed, failedNote) = RateSweepReport.knee([Self.point(1000, p99: 100), Self.point(2000, p99: nil, verified: false)])
        #expect(failed == 1000)
        #expect(failedNote.contains("at 2000/s the case failed"))
    }

    @Test func planMakesOneOpenLoopCasePerRateAscending() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 8192, rates: [5000, 1000, 2000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        #expect(plan.rates == [1000, 2000, 5000])
        #expect(plan.scenario.cases.map(\.name) == ["rr-8KiB@1000", "rr-8KiB@2000", "rr-8KiB@5000"])
        #expect(plan.scenario.cases.map { $0.exchange?.rate?.perSecond } == [1000, 2000, 5000])
        #expect(plan.scenario.cases.allSatisfy { $0.exchange?.inflight == Exchange.openLoopDefaultInflight && $0.connections == 1 })
    }

    /// An interrupted sweep: the rate it stopped is "cut short", the rates after it "not run",
    /// neither FAILED, and the knee is of the rates measured whole (the 3000/s never run read
    /// FAILED with no reason, and the knee "at 2000/s the case failed" of a rate the interrupt
    /// stopped, review).
    @Test func anInterruptedSweepSaysWhatItDidNotMeasure() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 1024, rates: [1000, 2000, 3000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        var stopped = DiagnosisFixtures.rr("rr-1KiB@2000", msgs: 2000)
        stopped.figures.verified = false
        stopped.figures.errors = ["interrupted"]
        // What the error says is not what decides: a case whose error only reads like the
        // interrupt's is FAILED; the runner's flag makes it cut short.
        let lookalike = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000), stopped]))
        #expect(lookalike.points[1].skipped == nil && RateSweepTable.render(lookalike).contains("FAILED"))
        stopped.figures.interrupted = true
        let sweep = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000), stopped]))
        #expect(sweep.points.map(\.skipped) == [nil, RateSweepReport.cutShort, SweepReport.notRun])
        let table = RateSweepTable.render(sweep)
        #expect(!table.contains("FAILED") && table.contains("cut short") && table.contains("not run"), "\(table)")
        // Nor is the cut-short rate's partial latency drawn (it was, like any other point).
        #expect(sweep.points[1].p99Micros != nil)
        let page = HTMLReport.render(DiagnosisFixtures.document([]), rateSweep: sweep)
        #expect(page.contains("p99 at 1000/s") && !page.contains("p99 at 2000/s"), "the cut-short rate's p99 is drawn")
        var cut = Self.point(2000, p99: 900, verified: false)
        cut.skipped = RateSweepReport.cutShort
        var notRun = Self.point(3000, p99: nil, verified: false)
        notRun.skipped = SweepReport.notRun
        let (knee, note) = RateSweepReport.knee([Self.point(500, p99: 100), Self.point(1000, p99: 120), cut, notRun])
        #expect(knee == nil)
        #expect(note == "not reached: 1000/s, the heaviest load measured whole, was kept with p99 within 2.00x of the 100.0 us of 500/s; offer more; left out: 2000/s cut short by the interrupt; 3000/s not run (the sweep was interrupted first)", "\(note)")
        let (before, beforeNote) = RateSweepReport.knee([Self.point(500, p99: 100), Self.point(1000, p99: 300), notRun])
        #expect(before == 500 && beforeNote.hasSuffix("; left out: 3000/s not run (the sweep was interrupted first)"), "\(beforeNote)")
        #expect(RateSweepReport.knee([cut, notRun]).1 == "not found: 2000/s cut short by the interrupt; 3000/s not run (the sweep was interrupted first), so no rate was measured whole")
    }

    /// With --repeat the rounds run the rates shuffled and a trial's error carries its number:
    /// "trial 2: interrupted" read FAILED, and a lighter rate never reached hid a heavier one
    /// measured whole ("no rate was measured whole", review).
    @Test func anInterruptUnderRepeatIsSeenAndTheRatesMeasuredWholeKeepTheirKnee() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 1024, rates: [200, 400, 600], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        var stopped = DiagnosisFixtures.rr("rr-1KiB@400", msgs: 400)
        stopped.figures.verified = false
        stopped.figures.errors = ["trial 2: interrupted"]
        stopped.figures.interrupted = true
        let sweep = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([stopped, DiagnosisFixtures.rr("rr-1KiB@600", msgs: 600)]))
        #expect(sweep.points.map(\.skipped) == [SweepReport.notRun, RateSweepReport.cutShort, nil])
        var notRun = Self.point(200, p99: nil, verified: false)
        notRun.skipped = SweepReport.notRun
        var cut = Self.point(400, p99: 900, verified: false)
        cut.skipped = RateSweepReport.cutShort
        let (knee, note) = RateSweepReport.knee([notRun, cut, Self.point(600, p99: 100)])
        #expect(knee == nil)
        #expect(note.hasPrefix("not reached: 600/s, the heaviest load measured whole"), "\(note)")
        #expect(note.hasSuffix("left out: 400/s cut short by the interrupt; 200/s not run (the sweep was interrupted first)"), "\(note)")
    }

    /// Under --repeat a rate keeps up only when every trial did: the case's own verdict is the
    /// median trial's by msgs/s, about the offered rate in each, so as to lateness a trial
    /// picked at random (review). The table says how many kept up; the JSON adds
    /// kept_up_trials and trials.
    @Test func keptUpIsJudgedOverEveryTrial() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 8192, rates: [3000, 20000], stop: .duration(nanos: 500_000_000), warmupNanos: 0)
        let low = OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-8KiB@3000", msgs: 3000), trials: [true, true])
        // The representative trial (the second) kept up, the first did not.
        let high = OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-8KiB@20000", msgs: 20000), trials: [false, true], representative: 1)
        let sweep = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([low, high]))
        #expect(sweep.points.map(\.keptUp) == [true, false])
        #expect(sweep.points.map(\.keptUpTrials) == [2, 1] && sweep.points.map(\.trials) == [2, 2])
        #expect(sweep.points[1].behind?.hasSuffix("(kept up in 1 of 2 trials)") == true, "\(sweep.points[1].behind ?? "nil")")
        let rendered = RateSweepTable.render(sweep)
        #expect(rendered.contains("NO (1 of 2 kept up)"), "\(rendered)")
        #expect(sweep.kneePerSecond == 3000)
        // Two trials are medians, but no firmer interval than one: the caveat stays.
        #expect(sweep.kneeNote.contains("each point is the median of 2 trials, whose [min, max] covers 50%"), "\(sweep.kneeNote)")
        #expect(sweep.kneeNote.hasSuffix("--repeat 6 gives 95% intervals"), "\(sweep.kneeNote)")
        let uneven = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([OpenLoopFixtures.openLoop(low, trials: [true, true, true]), high]))
        #expect(uneven.kneeNote.contains("each point is the median of as few as 2 trials"), "\(uneven.kneeNote)")
        // A rate cut short by the interrupt in its first trial is no point of the knee: the
        // caveat is the measured points' (it said "a single sample" of 2-trial points: review).
        var cut = OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-8KiB@20000", msgs: 20000), trials: [true])
        cut.figures.interrupted = true
        cut.figures.verified = false
        cut.figures.errors = ["interrupted"]
        cut.trials = cut.trials.map { var t = $0; t.interrupted = true; t.verified = false; t.errors = ["interrupted"]; return t }
        #expect(cut.cutShort)
        let interrupted = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([low, cut]))
        #expect(interrupted.kneeNote.contains("each point is the median of 2 trials, whose [min, max] covers 50%"), "\(interrupted.kneeNote)")
        #expect(!interrupted.kneeNote.contains("single sample"), "\(interrupted.kneeNote)")
        let json = String(decoding: try JSONEncoder().encode(sweep.points[1]), as: UTF8.self)
        #expect(json.contains("\"kept_up_trials\":1") && json.contains("\"trials\":2") && json.contains("\"kept_up\":false"), "\(json)")
        // run's open-loop line is the median trial's verdict: it says how many trials kept up.
        let table = RunTable.render(DiagnosisFixtures.document([low, high]))
        let line = try #require(table.split(separator: "\n").first { $0.hasPrefix("rr-8KiB@20000: open loop") }, "\(table)")
        #expect(line.hasSuffix("; kept up in 1 of 2 trials"), "\(line)")
        #expect(table.split(separator: "\n").first { $0.hasPrefix("rr-8KiB@3000: open loop") }?.contains("kept up in") == false)
    }

    /// A failed rate that answered nothing reads `-` for answered/s, not 0.000 (review).
    @Test func aFailedRateAnsweredNothingReadsADash() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 1024, rates: [1000, 2000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        var failed = DiagnosisFixtures.rr("rr-1KiB@2000", msgs: 0)
        failed.figures.msgsPerSecond = 0
        failed.figures.messages = 0
        failed.figures.latencyMicros = nil
        failed.figures.verified = false
        failed.figures.errors = ["connection reset"]
        let sweep = RateSweepReport(plan: plan, document: DiagnosisFixtures.document([DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000), failed]))
        let row = try #require(RateSweepTable.render(sweep).split(separator: "\n").first { $0.contains("FAILED") })
        let cells = row.split(separator: " ", omittingEmptySubsequences: true)
        #expect(cells.count > 1 && cells[1] == "-", "\(row)")
        #expect(!row.contains("0.000"), "\(row)")
        // The page's answered line draws no 0 for it either (it plotted 0 where the table read `-`).
        #expect(sweep.points[1].answeredText == nil && sweep.points[0].answeredText != nil)
    }

    /// `--case` runs only its rates; the others are reported as skipped, as a size sweep's are
    /// (they were dropped without a word, where `--help` says skipped), and are no points of
    /// the knee: an unselected rate once read FAILED, and the knee blamed a rate never run (review).
    @Test func caseSelectsTheRatesMeasuredAndSkipsTheOthers() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 8192, rates: [1000, 2000, 5000, 20000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let two = try plan.selecting(["rr-8KiB@2000", "rr-8KiB@20000"])
        #expect(two.selectedScenario.cases.map(\.name) == ["rr-8KiB@2000", "rr-8KiB@20000"])
        #expect(two.rates == plan.rates && two.unselected == ["rr-8KiB@1000", "rr-8KiB@5000"])
        #expect(try plan.selecting([]) == plan)
        #expect { try plan.selecting(["rr-8KiB@5000"]) } throws: { "\($0)".contains("--case leaves 1 rate to measure (rr-8KiB@5000)") }

        let sweep = RateSweepReport(plan: two, document: DiagnosisFixtures.document([
            OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-8KiB@2000", msgs: 2000), trials: [true]),
            OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-8KiB@20000", msgs: 20000), trials: [true]),
        ]))
        #expect(sweep.points.map(\.offeredPerSecond) == [1000, 2000, 5000, 20000])
        #expect(sweep.points.map(\.skipped) == [SweepReport.notSelected, nil, SweepReport.notSelected, nil])
        #expect(sweep.kneeNote.contains("left out: 1000/s, 5000/s skipped (not selected by --case)"), "\(sweep.kneeNote)")
        #expect(!sweep.kneeNote.contains("failed"), "\(sweep.kneeNote)")
        let table = RateSweepTable.render(sweep)
        let row = try #require(table.split(separator: "\n").first { line in line.drop { $0 == " " }.hasPrefix("5000 ") }, "\(table)")
        let cells = row.split(separator: " ", omittingEmptySubsequences: true)
        #expect(cells.last == "skipped" && cells[1] == "-" && cells[cells.count - 2] == "-", "\(row)")
        #expect(!table.contains("FAILED"), "\(table)")
        // The JSON: a rate never measured has null where nothing was measured (it read
        // achieved_per_s 0, late_sends 0, kept_up false: review); a measured one has figures.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(RateSweepDocument(run: DiagnosisFixtures.document([]), rateSweep: sweep).encoded())) as? [String: Any])
        let points = try #require((object["rate_sweep"] as? [String: Any])?["points"] as? [[String: Any]])
        for key in ["achieved_per_s", "late_sends", "kept_up", "messages"] {
            #expect(points[0][key] is NSNull, "\(key): \(points[0])")
            #expect(!(points[1][key] is NSNull) && points[1][key] != nil, "\(key): \(points[1])")
        }
        #expect(points[1]["messages"] as? Int == 4000 && points[1]["kept_up"] as? Bool == true, "\(points[1])")
    }

    /// The lightest load's p99 was the knee's only base; on a VM whose lightest load is also its
    /// slowest that pushed the knee right (review). The base is the lowest p99 of the kept-up
    /// rates before the point, the note says which and how many messages each p99 rests on.
    @Test func theKneesBaseIsTheLowestP99BeforeIt() {
        var points = [Self.point(1000, p99: 300), Self.point(2000, p99: 100), Self.point(5000, p99: 250), Self.point(10000, p99: 260)]
        for i in points.indices { points[i].messages = UInt64(points[i].offeredPerSecond / 2) }
        let (knee, note) = RateSweepReport.knee(points)
        // Against 300 (the lightest's) 250 and 260 are within 2x: no knee at all.
        #expect(knee == 2000, "\(note)")
        #expect(note.contains("at 5000/s p99 reached 250.0 us (p99 from 2500 messages), 2.50x the 100.0 us of 2000/s, the lowest p99 before it (the lightest load, 1000/s, read 300.0 us) (p99 from 1000 messages)"), "\(note)")
        // A lightest load that is the lowest is the base, as before, and says so without the aside.
        let (plain, plainNote) = RateSweepReport.knee([Self.point(1000, p99: 100), Self.point(2000, p99: 150), Self.point(5000, p99: 210)])
        #expect(plain == 2000 && plainNote.contains("2.10x the 100.0 us of 1000/s") && !plainNote.contains("lowest p99 before it"), "\(plainNote)")
        // The table carries each rate's messages.
        let plan = try? RateSweepPlan(workload: .rr, size: 1024, rates: [1000, 2000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        let sweep = plan.map { RateSweepReport(plan: $0, document: DiagnosisFixtures.document([DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000), DiagnosisFixtures.rr("rr-1KiB@2000", msgs: 2000)])) }
        let table = sweep.map(RateSweepTable.render) ?? ""
        #expect(table.contains("messages") && sweep?.points.map(\.messages) == [2000, 4000], "\(table)")
    }

    @Test func badPlansSayWhatToChange() {
        #expect { try RateSweepPlan(workload: .stream, size: 8192, rates: [1, 2], stop: .messages(10), warmupNanos: 0) } throws: { "\($0)".contains("a stream has no requests to pace") }
        #expect { try RateSweepPlan(workload: .rr, size: 8192, rates: [1000], stop: .messages(10), warmupNanos: 0) } throws: { "\($0)".contains("at least two rates") }
        #expect { try RateSweepPlan(workload: .rr, size: 8192, rates: [1000, 1000], stop: .messages(10), warmupNanos: 0) } throws: { "\($0)".contains("given twice") }
        // Two rates that would name the same case.
        #expect { try RateSweepPlan(workload: .rr, size: 8192, rates: [1000.01, 1000.04], stop: .messages(10), warmupNanos: 0) } throws: { "\($0)".contains("given twice") }
        #expect { try RateSweepPlan.parseRates("1000,fast") } throws: { "\($0)".contains("'fast' is not a rate") }
        #expect((try? RateSweepPlan.parseRates("1000,2k,5000/s")) == [1000, 2000, 5000])
    }

    /// A rate the driver fell behind at says what the machine beside it was doing, from the
    /// case's trials (the sweep passes them through).
    @Test func aPointSaysWhatTheMachineWasDoing() throws {
        let plan = try RateSweepPlan(workload: .rr, size: 1024, rates: [1000, 2000], stop: .duration(nanos: 1_000_000_000), warmupNanos: 0)
        var c = OpenLoopFixtures.openLoop(DiagnosisFixtures.rr("rr-1KiB@1000", msgs: 1000), trials: [false])
        c.trials[0].cpu.otherUserCPUs = 1.3
        c.trials[0].cpu.machineStealShare = 0
        let behind = try #require(RateSweepReport(plan: plan, document: DiagnosisFixtures.document([c])).points[0].behind)
        #expect(behind.contains("(the machine was busy: 1.3 CPUs of other programs)"), "\(behind)")
    }
}
