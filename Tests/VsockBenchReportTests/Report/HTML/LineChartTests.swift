import Testing
@testable import VsockBenchReport

/// Dots (each with a tooltip) only where they can be told apart: a 60 s case in 10 ms slices
/// drew 6000 of them per series, about 370 bytes each (review).
@Suite struct LineChartTests {
    private func svg(points: Int) -> String {
        let xs = (0..<points).map(Double.init)
        let chart = LineChart(title: "t", xValues: xs, xTitle: "t s", yTitle: "msgs/s",
                              series: [LineChart.Series(name: "msgs/s", values: xs.map { 100 + $0.truncatingRemainder(dividingBy: 7) })],
                              flagged: [(x: 3, y: 103, tooltip: "stall")])
        var out = ""
        chart.render()?.render(into: &out)
        return out
    }

    private func count(_ text: String, _ needle: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func fewPointsEachGetADot() {
        let out = svg(points: LineChart.dotLimit)
        #expect(count(out, "class=\"dot s0\"") == LineChart.dotLimit)
        #expect(count(out, "class=\"flag\"") == 1)
    }

    @Test func manyPointsAreOneLineWithTheStallsStillRinged() {
        let out = svg(points: 6000)
        #expect(count(out, "class=\"dot s0\"") == 0)
        #expect(count(out, "class=\"flag\"") == 1)
        #expect(out.contains("<polyline"))
        #expect(out.utf8.count < 6000 * 40, "\(out.utf8.count) bytes")
    }
}
