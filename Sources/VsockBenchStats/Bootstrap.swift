/// Seeded percentile-bootstrap confidence intervals, for any statistic.
///
/// The alternative to `MedianInterval` when the figure is not a median (a ratio, a p99 of
/// trials) or when a report wants the usual resampling interval: the statistic is recomputed
/// on `resamples` samples drawn with replacement, and the interval is the (1 - c)/2 and
/// (1 + c)/2 quantiles (type 7) of those values. It is approximate: with few samples it is
/// too narrow (for a median of 10 it covers about 94% when 95% is asked), and it can never be
/// wider than the samples' range, so with too few samples `reachesConfidence` is false exactly
/// when it is for the order-statistic interval. The seed makes it reproducible.
public enum Bootstrap {
    /// The default number of resamples: enough that the interval's ends move by well under its
    /// width from one seed to another, few enough to run per figure per case.
    public static let defaultResamples = 2000

    /// The percentile-bootstrap interval of `statistic` (the median when nil) over `samples`;
    /// nil for no samples or a NaN among them (or a statistic that gave NaN).
    ///
    /// - Parameters:
    ///   - samples: the values, e.g. one figure of every trial.
    ///   - confidence: the asked coverage, such as 0.95.
    ///   - resamples: how many resamples, from 10 to 1,000,000.
    ///   - seed: the generator's seed; the same seed and samples give the same interval.
    ///   - statistic: the statistic of one resample (never empty, never NaN); it should not
    ///     depend on the order of its argument. Nil, the default, is the median, computed from
    ///     how often each sample was drawn without sorting each resample (the cost per resample
    ///     is then O(n), which matters for 2000 resamples of every figure of every case).
    /// - Throws: `StatisticsError` for a confidence not strictly between 0 and 1 or a
    ///   `resamples` out of range.
    public static func percentileInterval(
        _ samples: [Double], confidence: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64,
        statistic: (([Double]) -> Double)? = nil
    ) throws(StatisticsError) -> Estimate? {
        try StatisticsError.requireProbability(confidence, named: "confidence")
        try StatisticsError.requireCount(resamples, named: "resamples", atLeast: 10, atMost: 1_000_000)
        guard Descriptive.usable(samples) else { return nil }

        var generator = SeededGenerator(seed: seed)
        let point: Double
        var values: [Double]
        if let statistic {
            point = statistic(samples)
            values = resampled(samples, resamples, &generator, statistic)
        } else {
            let sorted = samples.sorted()
            point = Descriptive.quantile(sorted: sorted, 0.5)
            values = resampledMedians(sorted: sorted, resamples, &generator)
        }
        guard !values.contains(where: \.isNaN) else { return nil }
        values.sort()
        let tail = (1 - confidence) / 2
        // The whole range cannot reach the confidence, so neither can anything inside it.
        let rangeCoverage = try OrderStatisticRanks(sampleSize: samples.count, confidence: confidence)
        return Estimate(
            point: point,
            low: Descriptive.quantile(sorted: values, tail),
            high: Descriptive.quantile(sorted: values, 1 - tail),
            n: samples.count, method: .bootstrap, confidence: confidence, coverage: nil,
            reachesConfidence: rangeCoverage?.reachesConfidence ?? false)
    }

    /// `statistic` of `count` resamples drawn with replacement.
    private static func resampled(
        _ samples: [Double], _ count: Int, _ generator: inout SeededGenerator, _ statistic: ([Double]) -> Double
    ) -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count)
        var resample = [Double](repeating: 0, count: samples.count)
        for _ in 0..<count {
            for i in resample.indices { resample[i] = samples[generator.index(below: samples.count)] }
            values.append(statistic(resample))
        }
        return values
    }

    /// The medians of `count` resamples of `sorted`: each resample is kept as how many times
    /// each rank was drawn, and its median is found by walking those counts to the middle.
    private static func resampledMedians(sorted: [Double], _ count: Int, _ generator: inout SeededGenerator) -> [Double] {
        let n = sorted.count
        // The type-7 median sits at 0-based positions (n - 1) / 2 and n / 2 of a sorted resample.
        let lowPosition = (n - 1) / 2
        let highPosition = n / 2
        var values: [Double] = []
        values.reserveCapacity(count)
        var drawn = [Int](repeating: 0, count: n)
        for _ in 0..<count {
            for i in 0..<n { drawn[i] = 0 }
            for _ in 0..<n { drawn[generator.index(below: n)] += 1 }
            var seen = 0  // resample values below `rank`
            var rank = 0
            while seen + drawn[rank] <= lowPosition {
                seen += drawn[rank]
                rank += 1
            }
            let low = sorted[rank]
            // The high position is either in the same rank's run or in the next drawn rank.
            if seen + drawn[rank] <= highPosition {
                rank += 1
                while drawn[rank] == 0 { rank += 1 }
            }
            let high = sorted[rank]
            values.append(low == high ? low : low + 0.5 * (high - low))
        }
        return values
    }
}
