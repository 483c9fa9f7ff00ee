/// A small, fast, seedable pseudo-random generator (xoshiro256**), seeded through splitmix64.
///
/// The workload must be reproducible from a seed on every platform and Swift version, so it
/// does not use `SystemRandomNumberGenerator` nor the standard library's `random(in:using:)`
/// (whose algorithm is not promised to stay the same); bounded draws use Lemire's method here.
public struct Xoshiro256: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the four state words from splitmix64, as the xoshiro authors recommend:
    /// any seed, zero included, gives a well-mixed, non-zero state.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for one (seed, stream) pair: the same pair always gives the same sequence,
    /// whatever was drawn for other streams. Used to make request `n` depend on (seed, n) only.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(state: seed)
        let mixedSeed = mixer.next()
        self.init(seed: mixedSeed ^ SplitMix64.mix(stream &+ 0x6A09_E667_F3BC_C909))
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased). `bound` > 0.
    @inline(__always)
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "Xoshiro256.next(below:) needs a positive bound")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform index in `0..<count`, for picking from a table. `count` > 0.
    @inline(__always)
    public mutating func index(_ count: Int) -> Int {
        Int(truncatingIfNeeded: next(below: UInt64(count)))
    }

    /// True with probability `percent`/100.
    @inline(__always)
    public mutating func chance(_ percent: UInt64) -> Bool {
        next(below: 100) < percent
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    @inline(__always)
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

/// splitmix64: turns one 64-bit seed into a stream of well-mixed words (used to seed xoshiro).
struct SplitMix64: Sendable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The splitmix64 finaliser: a bijective 64-bit mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
