import Testing
@testable import VsockBenchModel
@testable import VsockBenchReport

/// `compare`'s unit tests, under one name (`swift test --filter Compare`).
@Suite struct CompareTests {}

/// Cases for the comparison tests: hand-made figures, knobs and trials.
enum CompareFixtures {
    /// An rr case of 8 KiB each way with the given exchange knobs.
    static func rr(_ name: String, msgs: Double, p99: Double, inflight: Int = 1, strategy: BatchingStrategy = .none) -> CaseResult {
        var c = ReportFixtures.makeCase(name, mbps: msgs * 8192 * 8 * 2 / 1e6, msgsPerSecond: msgs, p99: p99)
        c.spec.workload = .rr(RequestResponseWorkload(requestSize: 8192, responseSize: 8192, exchange: Exchange(inflight: inflight, strategy: strategy)))
        c.trials = [c.figures]
        return c
    }

    /// A 64 KiB tx stream.
    static func stream(_ name: String, mbps: Double) -> CaseResult {
        ReportFixtures.makeCase(name, workload: .stream, size: 65536, mbps: mbps, msgsPerSecond: mbps * 1e6 / 8 / 65536)
    }

    /// `c` measured in several trials: msgs/s (and Mbps with it) and p99 per trial, the
    /// figures their medians, `ci` as `run --repeat` writes it (order statistics: up to 8
    /// trials the interval is the trials' range, with coverage 1 - 2^(1-n)).
    static func withTrials(_ c: CaseResult, msgs: [Double], p99: [Double]? = nil) -> CaseResult {
        precondition(msgs.count <= 8 && (p99 == nil || p99?.count == msgs.count), "the fixture's intervals are for up to 8 trials")
        var c = c
        let bytesPerMessage = c.msgsPerSecond > 0 ? c.mbpsTotal / c.msgsPerSecond : 0
        let share = c.mbpsTotal > 0 ? c.mbpsTx / c.mbpsTotal : 1
        c.trials = msgs.enumerated().map { i, rate in
            var f = c.figures
            f.msgsPerSecond = rate
            f.mbpsTotal = rate * bytesPerMessage
            f.mbpsTx = f.mbpsTotal * share
            f.mbpsRx = f.mbpsTotal - f.mbpsTx
            if let p99, let l = f.latencyMicros {
                f.latencyMicros = ReportFixtures.latency(p50: l.p50, p90: l.p90, p99: p99[i], p999: l.p999, max: l.max)
            }
            return f
        }
        func median(_ values: [Double]) -> Double {
            let s = values.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        c.figures.msgsPerSecond = median(msgs)
        c.figures.mbpsTotal = c.msgsPerSecond * bytesPerMessage
        c.figures.mbpsTx = c.mbpsTotal * share
        c.figures.mbpsRx = c.mbpsTotal - c.mbpsTx
        var ci: [String: [Double]] = [:]
        for figure in [Figure.msgsPerSecond, .mbpsTx, .mbpsRx, .mbpsTotal, .latencyP99] {
            let values = c.trials.compactMap { figure.value(in: $0) }
            if values.count >= 2, let low = values.min(), let high = values.max() { ci[figure.rawValue] = [low, high] }
        }
        if let p99, let l = c.latencyMicros {
            c.figures.latencyMicros = ReportFixtures.latency(p50: l.p50, p90: l.p90, p99: median(p99), p999: l.p999, max: l.max)
        }
        c.ci = msgs.count >= 2 ? ci : nil
        c.ciCoverage = msgs.count >= 2 ? 1 - pow2(1 - msgs.count) : nil
        return c
    }

    private static func pow2(_ exponent: Int) -> Double {
        var value = 1.0
        for _ in 0..<abs(exponent) { value *= 2 }
        return exponent < 0 ? 1 / value : value
    }
}
