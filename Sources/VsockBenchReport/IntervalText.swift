/// A figure with its interval as the text tables show it: `3015 ±75`.
///
/// The ± is the distance from the figure to the farther end of its interval (benchstat prints
/// its ± the same way), so `value ± d` always covers the whole interval. Half the interval's
/// width would not: a median's order-statistic interval is rarely centred on it. Every figure
/// with an interval, latency percentiles included, is the median of the very trial values the
/// interval is taken over, so it lies inside it (never beyond its ends).
enum IntervalText {
    /// How the tables' headlines name the ±.
    static let meaning = "± covering the"

    /// `format(value)`, then ` ±d` when `bounds` is an interval `[low, high]`.
    static func cell(_ value: Double?, bounds: [Double]?, _ format: (Double?) -> String) -> String {
        let text = format(value)
        guard text != "-", let value, let bounds, bounds.count == 2 else { return text }
        return text + " ±" + format(reach(from: value, to: bounds))
    }

    /// The distance from `value` to the farther of the two bounds.
    static func reach(from value: Double, to bounds: [Double]) -> Double {
        max(abs(value - bounds[0]), abs(bounds[1] - value))
    }
}
