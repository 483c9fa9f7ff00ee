import Testing

@testable import VsockBenchStats

@Suite("EnergySplit: the best split of one segment by energy distance")
struct EnergySplitTests {
    /// Q of X = z[0..<tau], Y = z[tau..<kappa] straight from the definition in Matteson and
    /// James (2014), eq. (5) with alpha = 1, in O(n²) per pair: the reference for the running sums.
    private func directStatistic(_ z: [Double], tau: Int, kappa: Int) -> Double {
        let x = Array(z[0..<tau])
        let y = Array(z[tau..<kappa])
        let m = Double(x.count)
        let n = Double(y.count)
        var between = 0.0
        for a in x { for b in y { between += abs(a - b) } }
        var withinX = 0.0
        for i in x.indices { for j in x.indices where i < j { withinX += abs(x[i] - x[j]) } }
        var withinY = 0.0
        for i in y.indices { for j in y.indices where i < j { withinY += abs(y[i] - y[j]) } }
        let energy = 2 / (m * n) * between - withinX / (m * (m - 1) / 2) - withinY / (n * (n - 1) / 2)
        return m * n / (m + n) * energy
    }

    @Test("the running sums find the same maximum as the definition, over every (tau, kappa)")
    func againstDefinition() throws {
        var generator = SeededGenerator(seed: 12)
        for (length, minimum) in [(12, 2), (17, 3), (25, 4)] {
            let z = Fixtures.normal(length / 2, using: &generator) + Fixtures.normal(length - length / 2, mean: 1.5, using: &generator)
            var best = (location: -1, statistic: -Double.infinity)
            for tau in minimum...(length - minimum) {
                for kappa in (tau + minimum)...length {
                    let q = directStatistic(z, tau: tau, kappa: kappa)
                    if q > best.statistic { best = (tau, q) }
                }
            }
            let split = try #require(EnergySplit(z[...], offset: 0, minimumSize: minimum))
            #expect(split.location == best.location, "length \(length)")
            #expect(Fixtures.close(split.statistic, best.statistic, 1e-9))
        }
    }

    @Test("a step is split where it happens; the offset maps back to the series")
    func step() throws {
        let series = [9.0, 9, 9] + [1, 2, 1, 2, 1, 2] + [6, 7, 6, 7, 6, 7] + [9.0]
        let split = try #require(EnergySplit(series[3..<15], offset: 3, minimumSize: 2))
        #expect(split.location == 9)
        #expect(split.statistic > 0)
    }

    @Test("a segment shorter than two minimum parts cannot be split")
    func tooShort() {
        #expect(EnergySplit([1, 2, 3, 4, 5][...], offset: 0, minimumSize: 3) == nil)
        #expect(EnergySplit([1, 2, 3, 4, 5, 6][...], offset: 0, minimumSize: 3) != nil)
    }
}
