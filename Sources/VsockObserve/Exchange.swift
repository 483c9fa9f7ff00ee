/// One request/response exchange on a connection: a turn of data packets from the parent, then
/// a turn back, with what crossed in both directions until the parent's next turn.
public struct Exchange: Sendable, Equatable {
    /// The parent's first and last data packets of the request turn.
    public var requestStartNanos: UInt64
    public var requestEndNanos: UInt64
    /// The peer's first and last data packets of the answer.
    public var responseStartNanos: UInt64
    public var responseEndNanos: UInt64
    /// Payload bytes and data packets of each turn.
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    public var requestDataPackets: Int
    public var responseDataPackets: Int
    /// Every packet each way, all ops, from the request's first packet to the next request.
    public var packetsFromParent: Int
    public var packetsToParent: Int
    /// CREDIT_UPDATE packets, both ways.
    public var creditUpdates: Int
    /// CREDIT_REQUEST packets, both ways: a sender that ran out of credit.
    public var creditRequests: Int
    /// From the last packet of the previous answer to this request's first packet: the
    /// parent's own work. Nil for a connection's first exchange.
    public var thinkNanos: UInt64?
    /// Requests in flight when the peer answered (see ``InFlightEstimator``): 1 is stop-and-wait.
    public var inFlight: Int

    /// Nothing yet: every time at 0, every count at 0, in flight 1.
    static let empty = Exchange(
        requestStartNanos: 0, requestEndNanos: 0, responseStartNanos: 0, responseEndNanos: 0, requestBytes: 0,
        responseBytes: 0, requestDataPackets: 0, responseDataPackets: 0, packetsFromParent: 0, packetsToParent: 0,
        creditUpdates: 0, creditRequests: 0, thinkNanos: nil, inFlight: 1)

    /// From the last data packet of the request to the first one back: the peer's work plus the
    /// channel's round trip. 0 when an answer stamped before the request was taken after it
    /// (an event later than the builder's horizon), not a wrapped-around 584 years.
    public var turnaroundNanos: UInt64 { responseStartNanos >= requestEndNanos ? responseStartNanos - requestEndNanos : 0 }
}
