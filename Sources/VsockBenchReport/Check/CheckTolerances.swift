import VsockBenchSupport

/// How far a figure may move the wrong way before `check` calls it a regression: a minimum
/// effect for timings (which must also be beyond the noise), and a tight bound for counts
/// per message (deterministic for a given build and case).
public struct CheckTolerances: Sendable, Equatable {
    /// Minimum effect for timings (0.05 = 5%).
    public var timing: Double
    /// Counts per message: a change beyond this fraction and beyond this much absolute
    /// (0.02: 2% of the baseline or 0.02 per message, whichever is larger).
    public var count: Double
    /// Per-figure overrides of the timing tolerance.
    public var overrides: [Figure: Double]
    /// The significance level of the Mann-Whitney U test.
    public var alpha: Double

    /// 5% effect, 2% counts, alpha 0.05.
    public static let standard = CheckTolerances(timing: 0.05, count: 0.02, overrides: [:], alpha: 0.05)

    public init(timing: Double, count: Double, overrides: [Figure: Double] = [:], alpha: Double = 0.05) {
        self.timing = timing
        self.count = count
        self.overrides = overrides
        self.alpha = alpha
    }

    /// The timing tolerance that applies to `figure`.
    public func fraction(for figure: Figure) -> Double { overrides[figure] ?? timing }

    /// How far a count per message that depends on timing (gated as a timing) may move:
    /// `variableCountFactor` times the timing tolerance (20% at 5%), or a `--tolerance
    /// FIGURE=PCT` naming it. Such a count moves with how messages bunch, which changes more
    /// between unchanged runs than their throughput does (a stream's target reads/msg +5.5% at
    /// p 0.008 with its Mbps unchanged, review); a code change that adds a read or a write per
    /// message moves it far more.
    public func variableCountFraction(for figure: Figure) -> Double { overrides[figure] ?? timing * Self.variableCountFactor }

    public static let variableCountFactor = 4.0

    /// How much a count per message may change: `count` of the baseline, or `count` per
    /// message absolute, whichever is larger; a `--tolerance FIGURE=PCT` naming the count
    /// takes the place of `count` for it.
    public func countAllowance(for figure: Figure? = nil, baseline: Double) -> Double {
        let fraction = figure.flatMap { overrides[$0] } ?? count
        return max(fraction * abs(baseline), fraction)
    }

    /// From `--tolerance` values: `5%` (every timing figure) and `NAME=PCT` (one figure:
    /// msgs_per_s, p99 ...; `mbps` sets a stream's Mbps in both directions, `mbps_tx` and
    /// `mbps_rx`), in any order. The `%` is required: `0.1` would be ambiguous (10%, or a
    /// tenth of a percent?).
    public static func parse(_ values: [String], count: String? = nil, alpha: Double? = nil) throws(CheckInputError) -> CheckTolerances {
        var result = CheckTolerances.standard
        var sawDefault = false
        for value in values {
            if let equals = value.firstIndex(of: "=") {
                let name = String(value[..<equals]).trimmingSpaces
                guard let figures = Figure.named(name) else {
                    throw .badTolerance("--tolerance \(value): unknown figure '\(name)'; use \(Figure.timingNames)")
                }
                if let twice = figures.first(where: { result.overrides[$0] != nil }) {
                    let both = twice == .mbpsTx || twice == .mbpsRx ? " (mbps and mbps_total name both mbps_tx and mbps_rx)" : ""
                    throw .badTolerance("--tolerance \(value): \(twice.rawValue) is given twice\(both)")
                }
                let fraction = try percentage(String(value[value.index(after: equals)...]), flag: "--tolerance", whole: value)
                for figure in figures { result.overrides[figure] = fraction }
            } else {
                guard !sawDefault else {
                    throw .badTolerance("--tolerance \(value): a tolerance for every figure is given twice; name a figure for an override, as p99=20%")
                }
                sawDefault = true
                result.timing = try percentage(value, flag: "--tolerance", whole: value)
            }
        }
        if let count { result.count = try percentage(count, flag: "--count-tolerance", whole: count) }
        if let alpha {
            guard alpha.isFinite, alpha > 0, alpha < 1 else {
                throw .badTolerance("--alpha \(alpha): the significance level lies between 0 and 1 (exclusive), such as 0.05")
            }
            result.alpha = alpha
        }
        return result
    }

    private static func percentage(_ text: String, flag: String, whole: String) throws(CheckInputError) -> Double {
        let trimmed = text.trimmingSpaces
        let number = trimmed.hasSuffix("%") ? String(trimmed.dropLast()).trimmingSpaces : trimmed
        guard let value = Double(number), value.isFinite else {
            throw .badTolerance("\(flag) \(whole): '\(text)' is not a number; write a percentage such as 10% or 2.5%")
        }
        if value < 0 {
            throw .badTolerance("\(flag) \(whole): '\(text)' is negative; a tolerance is 0% or more, such as 10% or 2.5%")
        }
        guard trimmed.hasSuffix("%") else {
            throw .badTolerance("\(flag) \(whole): write a percentage with its sign, such as 10% or 2.5% ('\(text)' could mean a fraction or a percent)")
        }
        guard value <= 1000 else {
            throw .badTolerance("\(flag) \(whole): '\(text)' is more than 1000%; write a percentage such as 10% or 2.5%")
        }
        return value / 100
    }

    /// The throughputs whose tolerance is 100% or more: no drop of theirs can fail the gate (a
    /// throughput cannot fall by 100% or more). Taken, as a way to gate counts and latency
    /// alone, and said in the report.
    public var ungatedThroughputs: [Figure] {
        [.msgsPerSecond, .mbpsTx, .mbpsRx].filter { fraction(for: $0) >= 1 }
    }

    /// `5%, counts 2%, alpha 0.05; p99 20%` for report headers.
    public var summary: String {
        var text = "\(Self.percentText(timing)) (timings, beyond the noise at alpha \(Format.compact(alpha))), counts \(Self.percentText(count))"
        let named = Figure.allCases.compactMap { f in overrides[f].map { "\(f.rawValue) \(Self.percentText($0))" } }
        if !named.isEmpty { text += "; " + named.joined(separator: ", ") }
        return text
    }

    static func percentText(_ fraction: Double) -> String {
        var text = Format.fixed(fraction * 100, 2)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}

extension Figure {
    /// The figures a `--tolerance NAME=...` names: a key or a common spelling of one.
    ///
    /// `mbps` is a stream's Mbps in each direction, `mbps_tx` and `mbps_rx`: what `check`
    /// gates (payload per direction). `mbps_total`, the figure `check` gated when it summed
    /// both directions, is still taken, the same way as `mbps`: a tolerance written for the
    /// sum keeps applying to the stream's throughput.
    static func named(_ name: String) -> [Figure]? {
        switch name.lowercased() {
        case "mbps", "mbps_total": return [.mbpsTx, .mbpsRx]
        case "msgs_per_s", "msgs/s", "msgs", "msgs_per_sec": return [.msgsPerSecond]
        case "p99", "p99_us", "latency", "latency_p99", "latency_us.p99": return [.latencyP99]
        case "exits", "exits_per_msg", "exits/msg": return [.exits]
        default: return Figure(rawValue: name).map { [$0] }
        }
    }

    static let timingNames = "msgs_per_s, mbps (both directions; or one: mbps_tx, mbps_rx), p99, or any figure key such as writes_per_msg"
}
