#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How big each request is, in encoded bytes: the scenario's `request_size`.
///
/// Sampling is deterministic for a given generator state, and every sample is clamped to
/// `SizeDistribution.bounds`, so a wide lognormal cannot ask for an empty or a gigantic
/// fragment.
public enum SizeDistribution: Sendable, Hashable {
    /// Every request has the same size (`request_size: 8KiB`).
    case fixed(Int)
    /// Sizes uniform in `min...max` (`{dist: uniform, min: .., max: ..}`).
    case uniform(min: Int, max: Int)
    /// Sizes whose logarithm is normal: half the requests are below `median`; `sigma` is the
    /// standard deviation of the natural logarithm (`{dist: lognormal, median: .., sigma: ..}`).
    case lognormal(median: Int, sigma: Double)

    /// The sizes a sample is clamped to: a fragment needs room for its header and one row,
    /// and a single message should stay well below any frame limit.
    public static let bounds: ClosedRange<Int> = 512...(4 << 20)

    /// Draws one size from `generator`.
    public func sample(using generator: inout Xoshiro256) -> Int {
        let raw: Int
        switch self {
        case .fixed(let size):
            raw = size
        case .uniform(let low, let high):
            // Clamped first, so that the span cannot overflow whatever a scenario file says.
            let lower = SizeDistribution.clamp(Swift.min(low, high))
            let upper = SizeDistribution.clamp(Swift.max(low, high))
            raw = lower + Int(truncatingIfNeeded: generator.next(below: UInt64(upper - lower) + 1))
        case .lognormal(let median, let sigma):
            let z = SizeDistribution.standardNormal(using: &generator)
            let value = Double(Swift.max(median, 1)) * exp(Swift.max(sigma, 0) * z)
            raw = value.isFinite && value < Double(Int.max / 2) ? Int(value.rounded()) : Int.max / 2
        }
        return SizeDistribution.clamp(raw)
    }

    private static func clamp(_ size: Int) -> Int {
        Swift.min(Swift.max(size, bounds.lowerBound), bounds.upperBound)
    }

    /// One standard normal draw (Box-Muller, cosine branch; the sine branch is dropped so that
    /// each sample consumes exactly two words and stays independent of earlier calls).
    static func standardNormal(using generator: inout Xoshiro256) -> Double {
        // 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1.0 - generator.nextUnitDouble()
        let u2 = generator.nextUnitDouble()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}
