import Testing
@testable import VsockBenchReport

extension CompareTests {
    /// Beyond the noise or not, and which rule decided: intervals, the U test, too few trials, a
    /// single sample.
    @Suite struct NoiseVerdictTests {
        static let base = CompareFixtures.rr("none", msgs: 1000, p99: 300)
        static let other = CompareFixtures.rr("window-8", msgs: 1000, p99: 300, inflight: 8, strategy: .window(8))

        static func verdict(_ a: [Double], _ b: [Double]) -> NoiseVerdict {
            NoiseVerdict.decide(.msgsPerSecond, baseline: CompareFixtures.withTrials(base, msgs: a), CompareFixtures.withTrials(other, msgs: b))
        }

        @Test("overlapping intervals: within the noise, decided by the U test")
        func overlappingIsWithinNoise() throws {
            let v = Self.verdict([1000, 1020, 980, 1010, 990, 1030], [1005, 995, 1025, 985, 1015, 975])
            #expect(v.verdict == .within)
            #expect(v.beyondNoise == false)
            #expect(v.rule == .mannWhitneyU)
            #expect(try #require(v.pValue) > 0.5)
            #expect(v.text.hasPrefix("within noise: Mann-Whitney U p = "))
            #expect(v.cell == "within (U)")
        }

        @Test("clearly separated trials, six a side: the 95% intervals do not overlap")
        func separatedIntervalsAreBeyondNoise() {
            let v = Self.verdict([1000, 1020, 980, 1010, 990, 1030], [1500, 1520, 1480, 1510, 1490, 1530])
            #expect(v.verdict == .beyond)
            #expect(v.beyondNoise == true)
            #expect(v.rule == .intervals)
            #expect(v.better == true)
            #expect(v.baselineInterval == [980, 1030] && v.interval == [1480, 1530])
            #expect(v.cell == "better (CI)")
            #expect(v.text == "beyond noise (better): the 95% intervals do not overlap ([980, 1030] against [1480, 1530])")
        }

        @Test("four a side: the ranges are not 95% intervals, but the U test can decide (p = 0.029)")
        func fourASideIsDecidedByTheTest() throws {
            let v = Self.verdict([1000, 1020, 980, 1010], [700, 720, 680, 710])
            #expect(v.verdict == .beyond)
            #expect(v.rule == .mannWhitneyU)
            #expect(v.better == false)
            #expect(abs(try #require(v.pValue) - 0.0286) < 0.001)
            #expect(v.testMethod == "exact")
            #expect(v.cell == "worse (U)")
            #expect(v.text == "beyond noise (worse): Mann-Whitney U p = 0.029 (4 against 4 trials, exact) <= 0.05")
        }

        @Test("three a side cannot reach 0.05 however far apart: cannot tell, and it says so")
        func threeASideIsTooFew() {
            let v = Self.verdict([1000, 1020, 980], [2000, 2020, 1980])
            #expect(v.verdict == .cannotTell)
            #expect(v.beyondNoise == nil)
            #expect(v.rule == .tooFewTrials)
            #expect(v.text.contains("3 against 3 trials cannot reach p <= 0.05 (at best p = 0.100; --repeat 4 can)"))
            #expect(v.text.hasSuffix("their ranges do not overlap"))
            #expect(v.cell == "too few trials")
        }

        @Test("single samples: cannot tell from noise, whatever the difference")
        func singleSample() {
            let v = NoiseVerdict.decide(.msgsPerSecond, baseline: Self.base, CompareFixtures.rr("x", msgs: 5000, p99: 100))
            #expect(v.verdict == .cannotTell)
            #expect(v.rule == .singleSample)
            #expect(v.text == "single sample: cannot tell from noise")
            #expect(v.cell == "single sample")
            #expect(v.trials == [1, 1])
        }

        @Test("p99 is judged the same way, lower being better")
        func latency() {
            let a = CompareFixtures.withTrials(Self.base, msgs: [1000, 1001, 1002, 1003, 1004, 1005], p99: [300, 310, 290, 305, 295, 315])
            let b = CompareFixtures.withTrials(Self.other, msgs: [1000, 1001, 1002, 1003, 1004, 1005], p99: [900, 910, 890, 905, 895, 915])
            let v = NoiseVerdict.decide(.latencyP99, baseline: a, b)
            #expect(v.verdict == .beyond && v.rule == .intervals && v.better == false)
            #expect(v.figure == "latency_us.p99")
        }
    }
}
