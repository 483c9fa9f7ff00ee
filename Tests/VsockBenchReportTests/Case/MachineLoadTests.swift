import Foundation
import Testing

@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// The machine beside a case: its busy time over the interval, the part that was not this
/// run's, what the hypervisor took, and what the run and `check` say when it was busy.
@Suite struct MachineLoadTests {
    /// Ticks a CPU counts in a second (USER_HZ).
    static let perSecond = 1_000_000_000 / MachineTicks.nanosPerTick

    /// A measurement on a 2-CPU driver over `seconds` of ticks: `user`, `system` and `steal` in
    /// CPU seconds; the driver 0.2 s user and 0.1 s system, the target (vsockbench) 0.15 s and 0.05 s.
    static func measurement(user: Double, system: Double = 0.15, guest: Double = 0, steal: Double = 0, place: TargetPlace, seconds: Double = 1, foreign: Bool = false) -> CaseMeasurement {
        let spec = foreign
            ? CaseSpec(name: "r", workload: .replay(ReplayWorkload()))
            : CaseSpec(name: "r", workload: .rr(RequestResponseWorkload(requestSize: 1000, responseSize: 1000)))
        var m = CaseMeasurement(spec: spec, driver: ReportFixtures.driverHost, targetAck: HelloAck.placeholder)
        let total = UInt64(2 * seconds * Double(perSecond))
        let userTicks = UInt64((user * Double(perSecond)).rounded()), systemTicks = UInt64((system * Double(perSecond)).rounded())
        let stealTicks = UInt64((steal * Double(perSecond)).rounded()), guestTicks = UInt64((guest * Double(perSecond)).rounded())
        m.machine = MachineTicks(user: userTicks, system: systemTicks, guest: guestTicks, idle: total - userTicks - systemTicks - guestTicks - stealTicks, steal: stealTicks)
        m.driverCPU = CPUTime(userNanos: 200_000_000, systemNanos: 100_000_000)
        var target = TargetStats()
        target.cpuUserSeconds = 0.15
        target.cpuSystemSeconds = 0.05
        m.target = target
        m.targetPlace = place
        return m
    }

    static func figures(_ m: CaseMeasurement) -> CPUSummary {
        var cpu = CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0)
        CaseSummary.machineFigures(m, into: &cpu)
        return cpu
    }

    @Test func otherProgramsAreTheMachinesUserTimeLessThisRunsOwnOnIt() {
        let here = Self.figures(Self.measurement(user: 1.35, place: .thisMachine))
        #expect(here.machineBusyCPUs == 1.5, "user and kernel time")
        #expect(here.otherUserCPUs == 1.0, "1.35 CPUs of user time less the driver's 0.2 and the target's 0.15")
        #expect(here.machineStealShare == 0)
        #expect(Self.figures(Self.measurement(user: 1.35, system: 0.6, place: .thisMachine)).otherUserCPUs == 1.0, "the kernel's time, whoever it worked for, is not other programs'")
        #expect(Self.figures(Self.measurement(user: 1.35, place: .elsewhere)).otherUserCPUs == 1.15, "a target in an enclave spends none of this machine's CPU")
        let vm = Self.figures(Self.measurement(user: 0.35, guest: 0.6, place: .elsewhere))
        #expect(vm.otherUserCPUs == 0.15 && vm.machineBusyCPUs == 1.1, "a target VM on this host spends its CPU in guest time: busy, but no other program (review: it read as 0.6 CPUs of other work)")
        #expect(Self.figures(Self.measurement(user: 1.35, place: .driverProcess)).otherUserCPUs == 1.15, "in process: its CPU is the driver's")
        #expect(Self.figures(Self.measurement(user: 1.35, place: .unknown)).otherUserCPUs == nil, "TCP to an address not loopback: the target may be here")
        #expect(Self.figures(Self.measurement(user: 1.35, place: .thisMachine, foreign: true)).otherUserCPUs == nil, "a service beside the driver sends no CPU figure")
        #expect(Self.figures(Self.measurement(user: 0.2, place: .thisMachine)).otherUserCPUs == 0, "never below 0 (ticks are coarser than the CPU clocks)")
    }

    @Test func stealIsAShareOfTheMachinesTime() {
        let robbed = Self.figures(Self.measurement(user: 0.5, system: 0.1, steal: 0.5, place: .elsewhere))
        #expect(robbed.machineStealShare == 0.25, "0.5 of 2 CPU seconds")
        #expect(robbed.machineWasBusy)
        #expect(!Self.figures(Self.measurement(user: 0.5, system: 0.1, steal: 0.1, place: .elsewhere)).machineWasBusy)
    }

    @Test func anIntervalTooShortForTicksHasNoFigures() {
        let short = Self.figures(Self.measurement(user: 0.03, system: 0.01, place: .thisMachine, seconds: 0.04))
        #expect(short.machineBusyCPUs == nil && short.otherUserCPUs == nil && short.machineStealShare == nil)
        var unread = Self.measurement(user: 1, place: .thisMachine)
        unread.machine = nil
        #expect(Self.figures(unread) == CPUSummary(driverUserSeconds: 0, driverSystemSeconds: 0))
    }

    /// A case of three trials, `other` CPUs of other programs and `steal` in each.
    static func busyCase(other: [Double?], steal: [Double?] = [0, 0, 0]) -> CaseResult {
        var c = ReportFixtures.withTrials(ReportFixtures.makeCase("chatty", mbps: 22, msgsPerSecond: 336), rates: [330, 336, 342])
        for i in c.trials.indices {
            c.trials[i].cpu.otherUserCPUs = other[i]
            c.trials[i].cpu.machineStealShare = steal[i]
        }
        return c
    }

    @Test func theRunSaysWhichTrialsRanOnABusyMachine() throws {
        #expect(Self.busyCase(other: [0.1, 0.4, nil]).machineNote == nil, "under half a CPU of other work is a quiet machine")
        let one = try #require(Self.busyCase(other: [0.1, 1.24, 0.2]).machineNote)
        #expect(one == "the machine was busy beside this run in 1 of 3 trials (1.2 CPUs of other programs): the timings of that trial may be the machine's, not the channel's", "\(one)")
        let two = try #require(Self.busyCase(other: [0.7, 0.1, 0.2], steal: [0, 0.31, 0]).machineNote)
        #expect(two.contains("in 2 of 3 trials (up to 0.7 CPUs of other programs; the hypervisor took up to 31% of its CPU time (steal))"), "\(two)")
        let table = RunTable.render(ReportFixtures.document([Self.busyCase(other: [1, 1, 1])]))
        #expect(table.contains("NOTE chatty: the machine was busy beside this run in 3 of 3 trials (up to 1.0 CPUs of other programs): its timings may be the machine's"), "\(table)")
        #expect(!RunTable.render(ReportFixtures.document([Self.busyCase(other: [0, 0, 0])])).contains("machine was busy"))
    }

    /// The HTML report read alone says it too, beside the tail notes the text table gives
    /// (the page had neither: a report mailed to a colleague hid why a figure moved).
    @Test func theReportPageSaysWhichCasesRanOnABusyMachine() {
        var busy = Self.busyCase(other: [0.1, 1.24, 0.2])
        busy.name = "window"
        let page = HTMLReport.render(ReportFixtures.document([Self.busyCase(other: [0, 0, 0]), busy]))
        #expect(page.contains("<section id=\"notes\""), "\(page.prefix(400))")
        #expect(page.contains("<b>window</b>: the machine was busy beside this run in 1 of 3 trials (1.2 CPUs of other programs)"))
        #expect(!page.contains("<b>chatty</b>: the machine was busy"))
        var quiet = Self.busyCase(other: [0, 0, 0])
        #expect(quiet.tailNote != nil, "the fixture's p99.9 rests on few messages")
        #expect(HTMLReport.render(ReportFixtures.document([quiet])).contains("<b>chatty</b>: p99"), "the tail's note, as the text table has it")
        for i in quiet.trials.indices { quiet.trials[i].messages = 5000 }
        quiet.figures.messages = 5000
        #expect(!HTMLReport.render(ReportFixtures.document([quiet])).contains("id=\"notes\""), "no notes, no section")
    }

    /// A sweep's driver that fell behind: the machine's figures say whether other programs or
    /// the run itself took the CPUs ("a busy machine?" on a 2-CPU machine that driver and
    /// target saturated: review).
    @Test func aSweepSaysWhatTheMachineWasDoing() {
        #expect(RateSweepReport.machineWords(Self.busyCase(other: [0.1, 1.24, 0.2]), cpus: 2) == "the machine was busy: 1.2 CPUs of other programs")
        var quiet = Self.busyCase(other: [0.1, 0.0, 0.2], steal: [0, 0.01, 0])
        #expect(RateSweepReport.machineWords(quiet, cpus: 2) == "other programs under 0.5 CPU and under 10% stolen", "measured quiet, the CPUs not full: no claim who the load was")
        for i in quiet.trials.indices { quiet.trials[i].cpu.machineBusyCPUs = 1.7 }
        #expect(RateSweepReport.machineWords(quiet, cpus: 2) == "other programs under 0.5 CPU and under 10% stolen: the run filled the machine's 2 CPUs")
        #expect(RateSweepReport.machineWords(quiet, cpus: 4) == "other programs under 0.5 CPU and under 10% stolen", "1.7 of 4 CPUs is not full")
        quiet.trials[1].cpu.machineStealShare = nil
        #expect(RateSweepReport.machineWords(quiet, cpus: 2) == "a busy machine?", "a trial not measured: still a question")
    }

    /// `compare` puts cases side by side: one measured beside busy programs is said below
    /// its tables (the JSON's keys stay as they were: each case's cpu figures say it).
    @Test func compareSaysWhichCasesRanOnABusyMachine() throws {
        var busy = Self.busyCase(other: [0.1, 1.24, 0.2])
        busy.name = "window"
        let quiet = Self.busyCase(other: [0, 0, 0])
        let comparison = Comparison(ReportFixtures.document([quiet, busy]))
        let text = comparison.text()
        #expect(text.contains("the machine beside the run (a busy one is no fair side of a comparison):"), "\(text)")
        #expect(text.contains("window: the machine was busy beside this run in 1 of 3 trials (1.2 CPUs of other programs)"), "\(text)")
        #expect(!text.contains("chatty: the machine was busy"), "\(text)")
        #expect(!Comparison(ReportFixtures.document([quiet])).text().contains("the machine beside the run"))
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(comparison)) as? [String: Any])
        #expect(Set(json.keys) == ["baseline", "alpha", "rules", "rows", "p99_budget"])
    }

    @Test func aFailedTimingOnABusyMachineIsSaidByCheck() throws {
        let baseline = ReportFixtures.document([Self.busyCase(other: [0.1, 0.1, 0.1])])
        var slow = ReportFixtures.withTrials(ReportFixtures.makeCase("chatty", mbps: 11, msgsPerSecond: 168), rates: [165, 168, 171])
        for i in slow.trials.indices {
            slow.trials[i].cpu.otherUserCPUs = i == 0 ? 0.2 : 1.6
            slow.trials[i].cpu.machineStealShare = 0
        }
        let report = try RegressionCheck.compare(results: [ReportFixtures.document([slow])], baseline: ReportFixtures.asBaseline([baseline]))
        #expect(!report.passed, "said, not excused: the gate cannot tell")
        #expect(report.warnings.contains("chatty: the machine was busy beside the results' run in 2 of 3 trials (up to 1.6 CPUs of other programs), the baseline's in 0 of 3: the slowdown may be the machine's, not the code's; measure again on a quiet machine before believing it"), "\(report.warnings)")
        // The same slowdown on a quiet machine: nothing about the machine.
        for i in slow.trials.indices { slow.trials[i].cpu.otherUserCPUs = 0.1 }
        let quiet = try RegressionCheck.compare(results: [ReportFixtures.document([slow])], baseline: ReportFixtures.asBaseline([baseline]))
        #expect(!quiet.passed)
        #expect(!quiet.warnings.contains { $0.contains("machine was busy") }, "\(quiet.warnings)")
        // A baseline without the machine's figures (an older file) is not a quiet one.
        var unmeasured = baseline
        for i in unmeasured.cases[0].trials.indices { unmeasured.cases[0].trials[i].cpu = CPUSummary(driverUserSeconds: 0.1, driverSystemSeconds: 0.4) }
        for i in slow.trials.indices { slow.trials[i].cpu.otherUserCPUs = 1.6 }
        let older = try RegressionCheck.compare(results: [ReportFixtures.document([slow])], baseline: ReportFixtures.asBaseline([unmeasured]))
        #expect(older.warnings.contains { $0.contains("in 3 of 3 trials (up to 1.6 CPUs of other programs), the baseline's machine was not measured:") }, "\(older.warnings)")
        // A busy machine whose timings held: no warning either (nothing failed to explain).
        let held = try RegressionCheck.compare(results: [ReportFixtures.document([Self.busyCase(other: [1.6, 1.6, 1.6])])], baseline: ReportFixtures.asBaseline([baseline]))
        #expect(held.passed && !held.warnings.contains { $0.contains("machine was busy") }, "\(held.warnings)")
    }
}

extension MachineLoadTests {
    @Test func filesWrittenBeforeTheMachineFiguresReadAsNull() throws {
        let json = #"{"driver_user_s": 0.1, "driver_sys_s": 0.2, "target_user_s": null, "target_sys_s": null, "driver_us_per_msg": 3, "target_us_per_msg": null}"#
        let cpu = try JSONDecoder().decode(CPUSummary.self, from: Data(json.utf8))
        #expect(cpu.driverMicrosPerMessage == 3)
        #expect(cpu.machineBusyCPUs == nil && cpu.otherUserCPUs == nil && cpu.machineStealShare == nil)
        #expect(!cpu.machineWasBusy)
    }
}
