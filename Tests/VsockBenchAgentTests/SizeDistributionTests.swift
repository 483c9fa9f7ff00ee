import Testing

@testable import VsockBenchAgent

@Suite("Size distributions")
struct SizeDistributionTests {
    private func samples(_ distribution: SizeDistribution, count: Int = 20_000, seed: UInt64 = 9) -> [Int] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in distribution.sample(using: &rng) }
    }

    @Test("fixed always gives its size")
    func fixed() {
        #expect(Set(samples(.fixed(8192), count: 100)) == [8192])
    }

    @Test("uniform stays within its bounds and covers them")
    func uniform() {
        let values = samples(.uniform(min: 1000, max: 3000))
        #expect(values.allSatisfy { (1000...3000).contains($0) })
        #expect(values.min()! < 1010 && values.max()! > 2990)
        let mean = Double(values.reduce(0, +)) / Double(values.count)
        #expect(abs(mean - 2000) < 20)
    }

    @Test("lognormal: the sample median is close to the median parameter, the spread follows sigma")
    func lognormal() {
        let values = samples(.lognormal(median: 8192, sigma: 0.6)).sorted()
        let median = Double(values[values.count / 2])
        #expect(abs(median - 8192) / 8192 < 0.03)
        // exp(0.6 * 0.6745): the quartiles of a lognormal sit that far from the median.
        let upperQuartile = Double(values[values.count * 3 / 4])
        #expect(abs(upperQuartile / median - 1.4991) < 0.05)
    }

    @Test("samples are clamped to sane bounds")
    func clamped() {
        #expect(samples(.fixed(1), count: 1) == [SizeDistribution.bounds.lowerBound])
        #expect(samples(.fixed(Int.max), count: 1) == [SizeDistribution.bounds.upperBound])
        let wide = samples(.lognormal(median: 1000, sigma: 8))
        #expect(wide.allSatisfy { SizeDistribution.bounds.contains($0) })
        let extreme = samples(.uniform(min: .min, max: .max), count: 100)
        #expect(extreme.allSatisfy { SizeDistribution.bounds.contains($0) })
        #expect(samples(.lognormal(median: -5, sigma: .nan), count: 10).allSatisfy { SizeDistribution.bounds.contains($0) })
    }

    @Test("sampling is deterministic for a seed")
    func deterministic() {
        #expect(samples(.lognormal(median: 4096, sigma: 1), count: 50) == samples(.lognormal(median: 4096, sigma: 1), count: 50))
        #expect(samples(.uniform(min: 1, max: 9999), count: 50, seed: 1) != samples(.uniform(min: 1, max: 9999), count: 50, seed: 2))
    }

    @Test("bounded draws are unbiased enough: every value of a small range shows up evenly")
    func boundedDraws() {
        var rng = Xoshiro256(seed: 1)
        var histogram = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { histogram[Int(rng.next(below: 7))] += 1 }
        #expect(histogram.allSatisfy { abs($0 - 10_000) < 400 })
    }
}
