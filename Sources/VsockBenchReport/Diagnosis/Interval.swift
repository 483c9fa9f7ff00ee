/// A quantity with the range it plausibly lies in: `value` as measured or modelled, `low` and
/// `high` its pessimistic and optimistic ends. Predictions carry their inputs' ranges through
/// by evaluating the model at the ends (every model here is monotone in each input).
struct Interval: Sendable, Equatable {
    var low: Double
    var value: Double
    var high: Double

    init(low: Double, value: Double, high: Double) {
        self.low = low
        self.value = value
        self.high = high
    }

    /// `value` give or take `relative` (0.25: ±25%), its low end never below `lowestShare` of
    /// a positive value: a noisy input's interval may be wider than its value (a 3-trial
    /// [15412, 36126] around 17004 is ±112%), and a negative low end turned a model's high end
    /// negative, so its prediction vanished (review). The models divide by these ends.
    static func around(_ value: Double, relative: Double) -> Interval {
        Interval(low: value * max(1 - relative, value > 0 ? lowestShare : -.infinity), value: value, high: value * (1 + relative))
    }

    /// The lowest share of a positive value ``around(_:relative:)`` puts its low end at.
    static let lowestShare = 0.1

    static func exact(_ value: Double) -> Interval { Interval(low: value, value: value, high: value) }

    /// `k / x` for positive x: the ends swap.
    func reciprocal(times k: Double = 1) -> Interval {
        Interval(low: high > 0 ? k / high : .infinity, value: value > 0 ? k / value : .infinity, high: low > 0 ? k / low : .infinity)
    }

    func scaled(_ k: Double) -> Interval { Interval(low: low * k, value: value * k, high: high * k) }

    static func + (a: Interval, b: Interval) -> Interval {
        Interval(low: a.low + b.low, value: a.value + b.value, high: a.high + b.high)
    }

    /// The smaller of two quantities, end by end.
    static func minimum(_ a: Interval, _ b: Interval) -> Interval {
        Interval(low: min(a.low, b.low), value: min(a.value, b.value), high: min(a.high, b.high))
    }

    func contains(_ x: Double) -> Bool { low <= x && x <= high }
    func overlaps(_ other: Interval) -> Bool { low <= other.high && other.low <= high }
}
