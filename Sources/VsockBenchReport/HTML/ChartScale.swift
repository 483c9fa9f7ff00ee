#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport

/// Maps data values to pixels along one axis, linear or logarithmic, with readable ticks.
struct ChartScale: Sendable {
    enum Kind: Sendable { case linear, log }

    let kind: Kind
    let domain: (low: Double, high: Double)
    let range: (low: Double, high: Double)

    /// A linear scale from zero to a "nice" value at or above `maximum`.
    static func linear(upTo maximum: Double, range: (Double, Double)) -> ChartScale {
        let top = maximum > 0 && maximum.isFinite ? niceCeiling(maximum, steps: [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) : 1
        return ChartScale(kind: .linear, domain: (0, top), range: range)
    }

    /// A log scale covering `low...high`, widened to whole powers of `base` around them.
    static func log(from low: Double, to high: Double, range: (Double, Double), base: Double = 10) -> ChartScale {
        let safeLow = low > 0 && low.isFinite ? low : 1
        let safeHigh = high > safeLow && high.isFinite ? high : safeLow * base
        let lowPower = (Glibc.log(safeLow) / Glibc.log(base)).rounded(.down)
        let highPower = (Glibc.log(safeHigh) / Glibc.log(base)).rounded(.up)
        return ChartScale(kind: .log, domain: (pow(base, lowPower), pow(base, max(highPower, lowPower + 1))), range: range)
    }

    /// The pixel for `value` (clamped into the domain).
    func position(_ value: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            let span = domain.high - domain.low
            fraction = span > 0 ? (value - domain.low) / span : 0
        case .log:
            let v = max(value, domain.low)
            fraction = Glibc.log(v / domain.low) / Glibc.log(domain.high / domain.low)
        }
        let clamped = min(max(fraction, 0), 1)
        return range.low + clamped * (range.high - range.low)
    }

    /// Tick values: about five for a linear scale; 1-2-5 per decade for a log scale (1 per
    /// decade when the scale spans many).
    func ticks() -> [Double] {
        switch kind {
        case .linear:
            let step = Self.niceCeiling(domain.high / 5)
            guard step > 0 else { return [domain.low] }
            var values: [Double] = []
            var v = domain.low
            while v <= domain.high * 1.0001 {
                values.append(v)
                v += step
            }
            return values
        case .log:
            let decades = Glibc.log10(domain.high / domain.low)
            let multipliers: [Double] = decades > 3 ? [1] : [1, 2, 5]
            var values: [Double] = []
            var power = domain.low
            while power <= domain.high * 1.0001 {
                for m in multipliers where power * m <= domain.high * 1.0001 { values.append(power * m) }
                power *= 10
            }
            return values
        }
    }

    /// The smallest of `steps` (1, 2, 2.5, 5, 10 by default) x 10^k at or above `value`.
    static func niceCeiling(_ value: Double, steps: [Double] = [1, 2, 2.5, 5, 10]) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, Glibc.log10(value).rounded(.down))
        for m in steps where m * power >= value * 0.9999 { return m * power }
        return 10 * power
    }

    /// Short label for an axis value: 1k, 2.5M, 50, 0.2.
    static func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return trim(value / 1e9) + "G" }
        if magnitude >= 1e6 { return trim(value / 1e6) + "M" }
        if magnitude >= 1e4 { return trim(value / 1e3) + "k" }
        return trim(value)
    }

    private static func trim(_ value: Double) -> String {
        var text = Format.compact(value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
