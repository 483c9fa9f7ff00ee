/// What one side counts on one connection, whole connection or over an interval: messages,
/// payload bytes each way, and the time spent processing them (the agent's phases apart).
public struct Tally: Sendable, Equatable {
    /// Messages handled (rr, masked: responses verified or requests answered; stream: writes or reads).
    public var messages: UInt64 = 0
    /// Bytes in and out as the workload counts them (frames of measured messages, stream bytes).
    public var bytesIn: UInt64 = 0
    public var bytesOut: UInt64 = 0
    /// Time handling messages outside read/write syscalls.
    public var processingNanos: UInt64 = 0
    /// masked: the agent pipeline's phases.
    public var decodeNanos: UInt64 = 0
    public var maskNanos: UInt64 = 0
    public var encodeNanos: UInt64 = 0

    public init() {}

    public static func - (a: Tally, b: Tally) -> Tally {
        var d = Tally()
        d.messages = a.messages &- b.messages
        d.bytesIn = a.bytesIn &- b.bytesIn
        d.bytesOut = a.bytesOut &- b.bytesOut
        d.processingNanos = a.processingNanos &- b.processingNanos
        d.decodeNanos = a.decodeNanos &- b.decodeNanos
        d.maskNanos = a.maskNanos &- b.maskNanos
        d.encodeNanos = a.encodeNanos &- b.encodeNanos
        return d
    }

    public static func + (a: Tally, b: Tally) -> Tally {
        var d = Tally()
        d.messages = a.messages &+ b.messages
        d.bytesIn = a.bytesIn &+ b.bytesIn
        d.bytesOut = a.bytesOut &+ b.bytesOut
        d.processingNanos = a.processingNanos &+ b.processingNanos
        d.decodeNanos = a.decodeNanos &+ b.decodeNanos
        d.maskNanos = a.maskNanos &+ b.maskNanos
        d.encodeNanos = a.encodeNanos &+ b.encodeNanos
        return d
    }
}
