import VsockBenchSupport

/// How far each metric may move the wrong way before `check` calls it a regression.
public struct CheckTolerances: Sendable, Equatable {
    /// Fraction (0.10 = 10%) for metrics without an override.
    public var defaultFraction: Double
    public var overrides: [CheckMetric: Double]

    /// 10%: wide enough for run-to-run noise on a quiet machine, narrow enough to catch a real drop.
    public static let standard = CheckTolerances(defaultFraction: 0.10)

    public init(defaultFraction: Double, overrides: [CheckMetric: Double] = [:]) {
        self.defaultFraction = defaultFraction
        self.overrides = overrides
    }

    /// The fraction that applies to `metric`.
    public func fraction(for metric: CheckMetric) -> Double { overrides[metric] ?? defaultFraction }

    /// From `--tolerance` values: `10%` (every metric) and `NAME=PCT` (one metric: mbps,
    /// msgs_per_s, p99, exits), in any order; a percentage may omit the `%`.
    public static func parse(_ values: [String]) throws(CheckInputError) -> CheckTolerances {
        var result = CheckTolerances.standard
        var sawDefault = false
        for value in values {
            if let equals = value.firstIndex(of: "=") {
                let name = String(value[..<equals]).trimmingSpaces
                guard let metric = CheckMetric.named(name) else {
                    throw .badTolerance("--tolerance \(value): unknown metric '\(name)'; use \(CheckMetric.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard result.overrides[metric] == nil else {
                    throw .badTolerance("--tolerance \(value): \(metric.rawValue) is given twice")
                }
                result.overrides[metric] = try percentage(String(value[value.index(after: equals)...]), whole: value)
            } else {
                guard !sawDefault else {
                    throw .badTolerance("--tolerance \(value): a tolerance for every metric is given twice; name a metric for an override, as p99=20%")
                }
                sawDefault = true
                result.defaultFraction = try percentage(value, whole: value)
            }
        }
        return result
    }

    private static func percentage(_ text: String, whole: String) throws(CheckInputError) -> Double {
        var number = text.trimmingSpaces
        if number.hasSuffix("%") { number.removeLast() }
        guard let percent = Double(number.trimmingSpaces), percent.isFinite, percent >= 0 else {
            throw .badTolerance("--tolerance \(whole): '\(text)' is not a percentage such as 10% or 2.5%")
        }
        return percent / 100
    }

    /// `10%; p99 20%, exits 5%` for report headers.
    public var summary: String {
        var text = Self.percentText(defaultFraction)
        let named = CheckMetric.allCases.compactMap { m in overrides[m].map { "\(m.rawValue) \(Self.percentText($0))" } }
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
