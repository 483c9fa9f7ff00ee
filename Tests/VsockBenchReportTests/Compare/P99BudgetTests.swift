import Testing
@testable import VsockBenchReport

extension CompareTests {
    /// `--p99-budget`: the fastest case whose p99 stays under it.
    @Suite struct P99BudgetTests {
        typealias F = CompareFixtures

        @Test("the most msgs/s among the cases under the budget; a faster case over it is passed over")
        func bestUnderBudget() throws {
            let budget = P99Budget(budgetNanos: 500_000, cases: [
                F.rr("none", msgs: 1000, p99: 200),
                F.rr("window-8", msgs: 3000, p99: 450),
                F.rr("window-64", msgs: 5000, p99: 2000),
                F.stream("bulk", mbps: 9000),
            ])
            #expect(budget.budgetMicros == 500)
            let pick = try #require(budget.picks.first)
            #expect(budget.picks.count == 1, "streams have no p99: one pick, for rr")
            #expect(pick.workload == "rr" && pick.name == "window-8")
            #expect(pick.checked == "single sample" && pick.checkedMicros == 450)
            #expect(pick.text.hasPrefix("rr: window-8, 3000 msgs/s, p99 450.0 us (checked: single sample"))
        }

        @Test("with trials the upper end of the p99 interval is checked: a median under the budget is not enough")
        func upperBoundWithTrials() throws {
            let wobbly = F.withTrials(F.rr("wobbly", msgs: 4000, p99: 450), msgs: [4000, 4100, 3900, 4050, 3950, 4020], p99: [400, 420, 450, 480, 700, 440])
            let steady = F.withTrials(F.rr("steady", msgs: 3000, p99: 300), msgs: [3000, 3100, 2900, 3050, 2950, 3020], p99: [300, 310, 320, 290, 305, 315])
            let budget = P99Budget(budgetNanos: 500_000, cases: [wobbly, steady])
            let pick = try #require(budget.picks.first)
            #expect(pick.name == "steady", "wobbly's median p99 fits, its interval [400, 700] does not")
            #expect(pick.checkedMicros == 320)
            #expect(pick.checked == "upper end of its 95% interval, 6 trials")
        }

        @Test("none fits: no case is named, the closest is, and the text says so")
        func noneFits() throws {
            let budget = P99Budget(budgetNanos: 100_000, cases: [F.rr("none", msgs: 1000, p99: 200), F.rr("window", msgs: 3000, p99: 450)])
            let pick = try #require(budget.picks.first)
            #expect(pick.name == nil && pick.msgsPerSecond == nil)
            #expect(pick.closest == "none" && pick.closestCheckedMicros == 200)
            #expect(pick.text == "rr: no case keeps p99 under 100us (closest: none, 200.0 us, single sample)")
        }

        @Test("a budget the p99 only equals is not kept under")
        func strictlyUnder() throws {
            let budget = P99Budget(budgetNanos: 200_000, cases: [F.rr("none", msgs: 1000, p99: 200)])
            #expect(try #require(budget.picks.first).name == nil)
        }

        @Test("only streams: nothing to hold under a budget, and the line says why")
        func onlyStreams() {
            let budget = P99Budget(budgetNanos: 1_000_000, cases: [F.stream("bulk", mbps: 9000)])
            #expect(budget.picks.isEmpty)
            #expect(budget.lines == ["no rr or masked case: a stream has no per-message latency to hold under a budget"])
        }
    }
}
