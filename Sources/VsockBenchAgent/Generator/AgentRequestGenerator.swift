/// Generates the masked workload's requests, deterministically: request `n` depends only on
/// (seed, n), so a client can regenerate any request, and two runs with one seed send the
/// same bytes.
public struct AgentRequestGenerator: Sendable {
    public let seed: UInt64
    public let sizes: SizeDistribution
    private var fragments = FragmentGenerator()

    public init(seed: UInt64, sizes: SizeDistribution) {
        self.seed = seed
        self.sizes = sizes
    }

    /// The request for `sequence`: a size drawn from `sizes`, then rows until that size.
    public mutating func makeRequest(sequence: UInt64) -> AgentRequest {
        var rng = Xoshiro256(seed: seed, stream: sequence)
        let targetSize = sizes.sample(using: &rng)
        let parts = fragments.makeFragment(id: sequence, targetSize: targetSize, using: &rng)
        return AgentRequest(sequence: sequence, targetSize: targetSize, parts: parts)
    }
}
