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
}
