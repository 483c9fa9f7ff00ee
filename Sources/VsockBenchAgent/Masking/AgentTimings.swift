/// Where one message's processing time went, in nanoseconds of a monotonic clock.
/// The target reports these per message in its stats frame.
public struct AgentTimings: Sendable, Hashable {
    /// Protobuf decoding of the `QueryFragment`.
    public var decodeNanos: UInt64
    /// Applying the masking rules to every cell.
    public var maskNanos: UInt64
    /// Protobuf encoding of the `MaskedResultSet` into the caller's buffer.
    public var encodeNanos: UInt64

    public init(decodeNanos: UInt64, maskNanos: UInt64, encodeNanos: UInt64) {
        self.decodeNanos = decodeNanos
        self.maskNanos = maskNanos
        self.encodeNanos = encodeNanos
    }

    /// The whole pipeline.
    public var totalNanos: UInt64 { decodeNanos &+ maskNanos &+ encodeNanos }
}
