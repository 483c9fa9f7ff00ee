#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard normal distribution, as far as the approximations here need it.
enum NormalDistribution {
    /// P(Z > z), from `erfc`, so that small tail probabilities keep their relative precision.
    static func survival(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }
}
