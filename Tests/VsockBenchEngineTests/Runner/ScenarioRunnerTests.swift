import Testing
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// `ScenarioRunner` end to end in this process: cases one after another against one target,
/// a case that cannot run does not stop the others, `--target null` skips streams, and an
/// interrupt stops the running case and skips the rest.
@Suite struct ScenarioRunnerTests {
    static func scenario(_ cases: [CaseSpec]) -> Scenario {
        Scenario(name: "engine-test", cases: cases, path: "engine-test.yaml")
    }

    @Test func everyWorkloadRunsInOrderAgainstOneAgent() throws {
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let runner = ScenarioRunner(options: target.options())
        let cases = [Specs.rr(stop: .messages(60)), Specs.masked(exchange: Specs.coalesce, stop: .messages(30)),
                     Specs.stream(direction: .tx, stop: .bytes(512 * 1024))]
        var ended: [String] = []
        let run = runner.run(Self.scenario(cases)) { ended.append($0.outcome.spec.name) }
        #expect(ended == ["rr", "masked", "stream"])
        #expect(run.outcomes.map(\.spec.name) == ["rr", "masked", "stream"])
        #expect(run.transport == "unix")
        #expect(run.target == target.endpoint.description)
        #expect(run.targetHost?.pid == HostFacts.current().pid)
        #expect(!runner.wasInterrupted)
        for outcome in run.outcomes {
            guard case let .measured(m) = outcome else {
                Issue.record("\(outcome.spec.name) did not run: \(outcome)")
                continue
            }
            #expect(m.failures.isEmpty, "\(m.spec.name): \(m.failures)")
        }
        if case let .measured(m) = run.outcomes[0] { BothSides.expectExactAgreement(m, messages: 60) }
        if case let .measured(m) = run.outcomes[1] { BothSides.expectExactAgreement(m, messages: 30) }
        if case let .measured(m) = run.outcomes[2] { BothSides.expectStreamTotalsAgree(m) }
    }

    @Test func aCaseTheTargetRefusesFailsAloneAndTheNextRuns() throws {
        let target = try InProcessServer(mode: .echo)
        defer { target.stop() }
        let run = ScenarioRunner(options: target.options()).run(Self.scenario([Specs.masked(), Specs.rr(stop: .messages(30))]))
        #expect(run.outcomes.count == 2)
        if case let .failed(spec, error) = run.outcomes[0], case let .rejected(message) = error {
            #expect(spec.name == "masked")
            #expect(message.code == "wrong_mode")
        } else {
            Issue.record("expected the masked case to be refused: \(run.outcomes[0])")
        }
        if case let .measured(m) = run.outcomes[1] {
            BothSides.expectExactAgreement(m, messages: 30)
        } else {
            Issue.record("the rr case did not run: \(run.outcomes[1])")
        }
        #expect(run.targetHost != nil, "target facts come from the first case that ran")
    }

    @Test func anInProcessTargetRunsRequestResponseAndSkipsStreams() {
        var options = DriverOptions(target: .unix(path: "/nonexistent/unused.sock"))
        options.inProcess = true
        let run = ScenarioRunner(options: options).run(Self.scenario([
            Specs.rr(stop: .messages(40)), Specs.stream(direction: .tx, stop: .messages(4)), Specs.masked(stop: .messages(10)),
        ]))
        #expect(run.transport == InProcessTarget.endpointName)
        #expect(run.target == "null")
        #expect(run.outcomes.count == 3)
        if case let .measured(m) = run.outcomes[0] { BothSides.expectExactAgreement(m, messages: 40, wire: false) } else { Issue.record("\(run.outcomes[0])") }
        if case let .skipped(spec, reason) = run.outcomes[1] {
            #expect(spec.name == "stream")
            #expect(reason.contains("stream cases need a channel"))
        } else {
            Issue.record("expected the stream case to be skipped: \(run.outcomes[1])")
        }
        if case let .measured(m) = run.outcomes[2] { BothSides.expectExactAgreement(m, messages: 10, wire: false) } else { Issue.record("\(run.outcomes[2])") }
    }

    @Test func anInterruptStopsTheRunningCaseAndSkipsTheRest() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        // The interrupt cuts every watched read of the process after 1 s from then on: lifted
        // after, for the tests that run on in this process.
        defer { Socket.endBlockedReadCut() }
        // The runner is made after its options: its progress callback reaches it through a box.
        let box = LockedValue<ScenarioRunner?>(nil)
        var options = target.options()
        options.onProgress = { progress in
            if progress.phase == .measure { box.value?.interrupt() }
        }
        let runner = ScenarioRunner(options: options)
        box.withLock { $0 = runner }
        // Thirty seconds planned: only the interrupt ends it quickly.
        let run = runner.run(Self.scenario([Specs.rr("long", stop: .duration(nanos: 30_000_000_000)), Specs.rr("next")]))
        #expect(runner.wasInterrupted)
        #expect(run.outcomes.map(\.spec.name) == ["long"], "the case after an interrupt does not run")
        if case let .measured(m) = run.outcomes.first {
            #expect(m.failures == ["interrupted"])
            #expect(m.interrupted, "the runner marks the case it stopped")
            #expect(m.target != nil, "an interrupted case still reports what was measured")
        } else {
            Issue.record("\(String(describing: run.outcomes.first))")
        }
    }

    /// `--repeat`: every case once per round, each round in its own shuffled order, the same
    /// order for the same seed; every trial kept, case by case.
    @Test func repeatedTrialsAreInterleavedInASeededOrder() throws {
        let target = try InProcessServer()
        defer { target.stop() }
        let runner = ScenarioRunner(options: target.options())
        let cases = ["a", "b", "c"].map { Specs.rr($0, stop: .messages(20)) }
        let plan = TrialPlan(repeatCount: 4, seed: 7, settleNanos: 0)
        var order: [String] = []
        var progress: [(Int, Int)] = []
        let run = runner.run(Self.scenario(cases), plan: plan) { trial in
            order.append(trial.outcome.spec.name)
            progress.append((trial.trial, trial.round))
        }
        #expect(run.trials.map(\.count) == [4, 4, 4])
        #expect(run.trials.enumerated().allSatisfy { index, trials in trials.allSatisfy { $0.spec.name == cases[index].name } })
        let rounds = stride(from: 0, to: 12, by: 3).map { Array(order[$0..<$0 + 3]) }
        #expect(rounds.allSatisfy { Set($0) == ["a", "b", "c"] }, "each round runs every case once: \(rounds)")
        #expect(Set(rounds).count > 1, "the rounds are not all in one order: \(rounds)")
        #expect(progress.map(\.0) == Array(1...12) && progress.map(\.1) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4])
        #expect(plan.rounds(cases: 3) == TrialPlan(repeatCount: 4, seed: 7).rounds(cases: 3), "the same seed, the same order")
        #expect(plan.rounds(cases: 3).map { $0.map { cases[$0].name } } == rounds)
        for case let .measured(m) in run.outcomes {
            BothSides.expectExactAgreement(m, messages: 20)
            #expect(!m.interrupted)
        }
    }

    /// Cut short only when the interrupt came first: a case that failed on its own before the
    /// signal (a corrupt reply, a stalled peer: why one presses Ctrl-C) stays failed, and one
    /// that ended whole as it came stays whole (review: both read "cut short").
    @Test func onlyACaseTheInterruptStoppedFirstIsCutShort() {
        let facts = HostFacts.current()
        func measured(_ failures: [String]) -> CaseMeasurement {
            var m = CaseMeasurement(spec: Specs.rr(stop: .messages(10), connections: 1), driver: facts, targetAck: HelloAck.placeholder)
            m.failures = failures
            return m
        }
        #expect(ScenarioRunner.marked(measured(["interrupted", "connection 0: the target did not answer in time"]), interrupted: true).interrupted)
        #expect(!ScenarioRunner.marked(measured(["connection 0: response 3 differs", "interrupted"]), interrupted: true).interrupted)
        #expect(!ScenarioRunner.marked(measured([]), interrupted: true).interrupted)
        #expect(!ScenarioRunner.marked(measured(["interrupted"]), interrupted: false).interrupted)
    }
}
