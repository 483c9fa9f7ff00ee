/// A seedable pseudo-random generator (xoshiro256**, seeded through splitmix64) for the
/// statistics: the trial order, bootstrap resamples and permutation tests.
///
/// A result that depends on random draws must be reproducible from its seed, on every platform
/// and Swift version, so that a verdict can be re-derived from a stored JSON document. The
/// standard library's `shuffle(using:)` and `random(in:using:)` do not promise to keep their
/// algorithm, so this type brings its own bounded draw (Lemire's method) and Fisher-Yates
/// shuffle; use those, not the standard library's, where the sequence matters.
///
/// The sequence is the same as `VsockBenchAgent.Xoshiro256(seed:)` gives for the same seed
/// (this module has no dependencies, so it carries its own copy).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Seeds the four state words from splitmix64, as the xoshiro authors recommend:
    /// any seed, zero included, gives a well-mixed, non-zero state.
    public init(seed: UInt64) {
        var state = seed
        s0 = SeededGenerator.splitMix64(&state)
        s1 = SeededGenerator.splitMix64(&state)
        s2 = SeededGenerator.splitMix64(&state)
        s3 = SeededGenerator.splitMix64(&state)
    }

    /// A generator in a given state, for checking the sequence against the reference vectors
    /// (which start from a state, not a seed). An all-zero state would only ever give zeros.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// The next 64 random bits.
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

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased);
    /// 0 when `bound` is 0, so that a caller's empty range cannot trap.
    public mutating func next(below bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform index in `0..<count` (0 when `count` is not positive), for resampling.
    public mutating func index(below count: Int) -> Int {
        Int(truncatingIfNeeded: next(below: UInt64(Swift.max(count, 0))))
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Shuffles `elements` in place (Fisher-Yates, from the last element down, with
    /// `next(below:)`), the same way for a given state on every Swift version.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            if j != i { elements.swapAt(i, j) }
        }
    }

    /// A shuffled copy of `elements` (see `shuffle(_:)`).
    public mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var copy = elements
        shuffle(&copy)
        return copy
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// One splitmix64 step: advances `state` and returns its mixed value.
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
