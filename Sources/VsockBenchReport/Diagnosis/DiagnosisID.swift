/// What limits a case, by name: a verdict's `id` in JSON, text and HTML.
public enum DiagnosisID: String, Codable, Sendable, CaseIterable {
    /// Stop-and-wait: throughput is message size over round-trip time.
    case roundTripBound = "round_trip_bound"
    /// The target's processing fills most of its connection threads' time.
    case processingBound = "processing_bound"
    /// Many more write syscalls per message than frames.
    case fragmentedWrites = "fragmented_writes"
    /// Buffers (or vsock credit) smaller than a frame or the bandwidth-delay product.
    case flowControlBound = "flow_control_bound"
    /// VM exits or virtio notifications per message dominate.
    case notificationBound = "notification_bound"
    /// Nagle holding a small write until the peer's delayed ACK.
    case nagleDelayedAck = "nagle_delayed_ack"
    /// Healthy bulk transfer near the channel's ceiling.
    case bandwidthBound = "bandwidth_bound"

    /// Verdicts that name a specific cost inside a round trip: when one fires, it is what fills
    /// the round trip, and `round_trip_bound` stays only if the round trip itself is most of
    /// the time per message.
    var isSpecificCost: Bool {
        switch self {
        case .processingBound, .fragmentedWrites, .flowControlBound, .notificationBound, .nagleDelayedAck: return true
        case .roundTripBound, .bandwidthBound: return false
        }
    }
}
