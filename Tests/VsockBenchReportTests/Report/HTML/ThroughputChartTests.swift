import Testing

@testable import VsockBenchReport

/// The throughput chart puts cases side by side in one direction, as the run's closing line
/// does: never one case's driver to target against another's target to driver.
@Suite struct ThroughputChartTests {
    static func stream(_ name: String, tx: Double, rx: Double) -> CaseResult {
        var c = ReportFixtures.makeCase(name, workload: .stream, size: 65536, mbps: tx + rx, msgsPerSecond: 1000)
        c.figures.mbpsTx = tx
        c.figures.mbpsRx = rx
        return c
    }

    @Test func theBarsCompareOneDirectionEveryCaseMoves() {
        // bulk-both's busier direction (target to driver) is not bulk-tx's: both bars are
        // driver to target, and the axis says so.
        let cases = [Self.stream("bulk-tx-64k", tx: 29761, rx: 0), Self.stream("bulk-both-64k", tx: 12000, rx: 13375)]
        let svg = ThroughputChart.render(cases).rendered
        #expect(svg.contains("12000 Mbps driver to target  (40.32% of ceiling)"), "\(svg)")
        #expect(!svg.contains("13375"), "\(svg)")
        #expect(svg.contains("Mbps driver to target (application payload)"), "\(svg)")
        let caption = ThroughputChart.caption(cases)
        #expect(caption.hasPrefix("Bars: application payload Mbps driver to target, one direction for every case."), "\(caption)")
        // Its busier direction is target to driver: no ratio to a driver-to-target ceiling.
        #expect(caption.contains("Slowest: bulk-both-64k at 13375 Mbps target to driver, the direction it moves most (its bar is driver to target)."), "\(caption)")
    }

    @Test func aCaseMovingOnlyTheOtherDirectionHasNoBarAndTheChartSaysSo() {
        // scenarios/bulk.yaml: three cases move driver to target, bulk-rx-64k only target to driver.
        let rx = Self.stream("bulk-rx-64k", tx: 0, rx: 25000)
        let cases = [Self.stream("bulk-tx-64k", tx: 29761, rx: 0), rx, Self.stream("bulk-both-64k", tx: 12000, rx: 13375),
                     Self.stream("bulk-tx-8k", tx: 8000, rx: 0)]
        let svg = ThroughputChart.render(cases).rendered
        #expect(svg.contains("no payload driver to target: it moves only target to driver"), "\(svg)")
        #expect(!svg.contains("25000") && !svg.contains("13375"), "\(svg)")
        let caption = ThroughputChart.caption(cases)
        #expect(caption.contains("no one direction is moved by every case, and bulk-rx-64k moves only target to driver, so it has no bar."), "\(caption)")
        #expect(caption.contains("Slowest: bulk-tx-8k at 8000 Mbps, 3.72x below it."), "\(caption)")
        // Alone, the rx stream is charted target to driver, its own ceiling.
        #expect(ThroughputChart.render([rx]).rendered.contains("ceiling: bulk-rx-64k 25000 Mbps"))
    }

    /// The slowest case is judged by the direction it moves most, as compare's `mbps`: an rr
    /// case of 64B requests and 64KiB responses is not slowest at its requests' Mbps (the
    /// caption named it 2200x below the ceiling: review).
    @Test func theSlowestIsJudgedByTheDirectionEachCaseMovesMost() {
        func rr(_ name: String, tx: Double, rx: Double) -> CaseResult {
            var c = ReportFixtures.makeCase(name, mbps: tx + rx, msgsPerSecond: 1000)
            c.figures.mbpsTx = tx
            c.figures.mbpsRx = rx
            return c
        }
        let cases = [Self.stream("bulk-tx", tx: 70000, rx: 0), rr("up", tx: 2000, rx: 2), rr("down", tx: 31.61, rx: 2100),
                     Self.stream("bulk-tx-8k", tx: 30000, rx: 0)]
        let caption = ThroughputChart.caption(cases)
        #expect(!caption.contains("Slowest: down"), "\(caption)")
        #expect(caption.contains("Slowest: up at 2000 Mbps, 35.00x below it."), "\(caption)")
        let slower = [Self.stream("bulk-tx", tx: 70000, rx: 0), rr("up", tx: 4000, rx: 4), rr("down", tx: 31.61, rx: 2100)]
        #expect(ThroughputChart.caption(slower).contains("Slowest: down at 2100 Mbps target to driver, the direction it moves most (its bar is driver to target)."),
                "\(ThroughputChart.caption(slower))")
    }

    /// A bar is a median of trials with its interval drawn across its end, or a single sample,
    /// and the caption says which (it said neither; the interval was only in the folded table).
    @Test func aBarSaysWhetherItIsAMedianOrASingleSample() {
        let single = Self.stream("bulk-tx", tx: 20000, rx: 0)
        #expect(ThroughputChart.caption([single]).contains("Each bar is a single sample (one trial per case): run with --repeat N for medians with their intervals."))
        #expect(!ThroughputChart.render([single]).rendered.contains("whisker"))
        var repeated = ReportFixtures.withTrials(Self.stream("bulk-tx-8k", tx: 8000, rx: 0), rates: [900, 1000, 1100, 1000, 950, 1050])
        repeated.ci = ["mbps_tx": [7200, 8800]]
        let svg = ThroughputChart.render([single, repeated]).rendered
        #expect(svg.components(separatedBy: "class=\"whisker\"").count - 1 == 3, "one interval, capped at both ends: \(svg)")
        let caption = ThroughputChart.caption([single, repeated])
        #expect(caption.contains("Each bar is the median of its case's trials, the line across its end the 95% interval; a bar without one is a single sample."), "\(caption)")
    }
}
