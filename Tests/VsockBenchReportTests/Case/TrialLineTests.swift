import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchReport
@testable import VsockBenchSupport
@testable import VsockWire

/// The progress line of a finished trial says what the table says of it.
@Suite struct TrialLineTests {
    /// 16626 messages in 0.999972333 s is 16626.46 msgs/s: the table rounds the figure to
    /// 0.1 first (16626.5) and shows 16627; the line, dividing on its own, said 16626.
    @Test func theLinesRateIsTheTablesFigure() throws {
        guard case var .measured(m) = TrialSummaryTests.trial(messages: 16626, latency: 10_000) else { Issue.record("not measured"); return }
        m.workers[0].reading.end = Moment(nanos: 1_000_000_000 + 999_972_333, cpu: CPUTime())
        let line = TrialLine.text(TrialProgress(trial: 1, trials: 1, round: 1, rounds: 1, outcome: .measured(m)))
        let figure = CaseSummary.summarize(m, transport: "unix").figures.msgsPerSecond
        #expect(Format.fixed(figure, 0) == "16627", "\(figure)")
        #expect(line == "vsockbench: [1/1] rr: 16627 msgs/s", "\(line)")
    }

    /// A trial beside busy programs says so on its line (a CI log reads it as it comes).
    @Test func aTrialOnABusyMachineSaysSo() throws {
        guard case var .measured(m) = TrialSummaryTests.trial(messages: 1000, latency: 10_000) else { Issue.record("not measured"); return }
        m.driver = HostFacts(tool: "t", kernel: "k", hostname: "h", pid: 1, cpus: 2)
        m.targetPlace = .elsewhere
        let perSecond = 1_000_000_000 / MachineTicks.nanosPerTick
        // 2 CPUs over a second: 1.6 CPU-seconds of user time, the driver's own is 0.
        m.machine = MachineTicks(user: 16 * perSecond / 10, system: 0, idle: 4 * perSecond / 10, steal: 0)
        let line = TrialLine.text(TrialProgress(trial: 2, trials: 3, round: 2, rounds: 3, outcome: .measured(m)))
        #expect(line == "vsockbench: [2/3] rr (round 2/3): 1000 msgs/s (the machine was busy: 1.6 CPUs of other programs)", "\(line)")
        m.machine = MachineTicks(user: 2 * perSecond / 10, system: 0, idle: 18 * perSecond / 10, steal: 0)
        #expect(!TrialLine.text(TrialProgress(trial: 2, trials: 3, round: 2, rounds: 3, outcome: .measured(m))).contains("busy"))
    }
}
