#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import VsockBenchStats

/// Synthetic data for the tests, all drawn from seeded generators so that every run sees the
/// same numbers.
enum Fixtures {
    /// `count` draws from Normal(`mean`, `sigma`) (Box-Muller, cosine branch).
    static func normal(_ count: Int, mean: Double = 0, sigma: Double = 1, using generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in
            let u1 = 1 - generator.nextUnitDouble()  // in (0, 1]: log is finite
            let u2 = generator.nextUnitDouble()
            return mean + sigma * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    /// `count` draws from Exponential(1), a skewed distribution whose median is log 2.
    static func exponential(_ count: Int, using generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { _ in -log(1 - generator.nextUnitDouble()) }
    }

    /// |a - b| <= tolerance, or both the same infinity.
    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return a == b || abs(a - b) <= tolerance
    }

    /// |a - b| <= relative × |b|: for p-values that span many orders of magnitude.
    static func relativelyClose(_ a: Double?, _ b: Double, _ relative: Double = 1e-9) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= relative * abs(b)
    }
}
