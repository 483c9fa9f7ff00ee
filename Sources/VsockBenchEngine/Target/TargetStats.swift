/// The target's own view of one data connection over the measured interval, plus
/// whole-connection totals for loss checks. rr and masked: from the first request the driver
/// flagged as measured to its bye (FrameHeader.measuredFlag); stream: from the driver's mark
/// to the end of the connection.
public struct ConnectionStats: Codable, Sendable, Equatable {
    public var index: Int
    /// Requests answered (rr) or `write_size` units moved (stream), in the measured interval.
    public var messages: UInt64 = 0
    /// Bytes read and written on the socket (frame headers and padding included).
    public var bytesRx: UInt64 = 0
    public var bytesTx: UInt64 = 0
    /// Application payload bytes of the messages counted (requests in, responses out; stream
    /// bytes); absent in results from before they were counted.
    public var payloadBytesRx: UInt64?
    public var payloadBytesTx: UInt64?
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    /// Writes the kernel took only part of (full socket buffer).
    public var shortWrites: UInt64 = 0
    /// Time handling messages outside read/write syscalls.
    public var processingSeconds: Double = 0
    /// Time inside read/write syscalls (blocked waiting, or copying).
    public var ioWaitSeconds: Double = 0
    /// masked: time in each phase of the agent pipeline.
    public var decodeSeconds: Double = 0
    public var maskSeconds: Double = 0
    public var encodeSeconds: Double = 0
    /// Whole connection, warmup included: every request seen / every stream byte moved.
    public var totalMessages: UInt64 = 0
    public var totalStreamBytesRx: UInt64 = 0
    public var totalStreamBytesTx: UInt64 = 0
    /// What went wrong on this connection, if anything (never payload bytes).
    public var error: String?

    public init(index: Int) { self.index = index }

    enum CodingKeys: String, CodingKey {
        case index, messages, bytesRx = "bytes_rx", bytesTx = "bytes_tx", reads, writes, shortWrites = "short_writes"
        case payloadBytesRx = "payload_bytes_rx", payloadBytesTx = "payload_bytes_tx"
        case processingSeconds = "processing_s", ioWaitSeconds = "io_wait_s", totalMessages = "total_messages"
        case decodeSeconds = "decode_s", maskSeconds = "mask_s", encodeSeconds = "encode_s"
        case totalStreamBytesRx = "total_stream_bytes_rx", totalStreamBytesTx = "total_stream_bytes_tx", error
    }
}

/// The stats frame: what the target measured for one case, so one report shows both sides.
public struct TargetStats: Codable, Sendable, Equatable {
    public var messages: UInt64 = 0
    public var bytesRx: UInt64 = 0
    public var bytesTx: UInt64 = 0
    /// Application payload bytes over the interval (see `ConnectionStats`).
    public var payloadBytesRx: UInt64?
    public var payloadBytesTx: UInt64?
    public var reads: UInt64 = 0
    public var writes: UInt64 = 0
    public var shortWrites: UInt64 = 0
    /// CPU of the whole target process over the interval.
    public var cpuUserSeconds: Double = 0
    public var cpuSystemSeconds: Double = 0
    /// Summed over the connection threads.
    public var processingSeconds: Double = 0
    public var ioWaitSeconds: Double = 0
    /// masked: the agent pipeline's phases, summed over the connections.
    public var decodeSeconds: Double = 0
    public var maskSeconds: Double = 0
    public var encodeSeconds: Double = 0
    /// The span of the connections' intervals (earliest start to latest end), on the
    /// target's clock; CPU time is the process's over the same span.
    public var wallSeconds: Double = 0
    public var connections: [ConnectionStats] = []
    public var errors: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case messages, bytesRx = "bytes_rx", bytesTx = "bytes_tx", reads, writes, shortWrites = "short_writes"
        case payloadBytesRx = "payload_bytes_rx", payloadBytesTx = "payload_bytes_tx"
        case cpuUserSeconds = "cpu_user_s", cpuSystemSeconds = "cpu_sys_s"
        case processingSeconds = "processing_s", ioWaitSeconds = "io_wait_s", wallSeconds = "wall_s"
        case decodeSeconds = "decode_s", maskSeconds = "mask_s", encodeSeconds = "encode_s"
        case connections, errors
    }

    /// Adds one connection's figures to the totals.
    mutating func add(_ c: ConnectionStats) {
        messages += c.messages
        bytesRx += c.bytesRx
        bytesTx += c.bytesTx
        payloadBytesRx = (payloadBytesRx ?? 0) + (c.payloadBytesRx ?? 0)
        payloadBytesTx = (payloadBytesTx ?? 0) + (c.payloadBytesTx ?? 0)
        reads += c.reads
        writes += c.writes
        shortWrites += c.shortWrites
        processingSeconds += c.processingSeconds
        ioWaitSeconds += c.ioWaitSeconds
        decodeSeconds += c.decodeSeconds
        maskSeconds += c.maskSeconds
        encodeSeconds += c.encodeSeconds
        connections.append(c)
    }

    /// Microseconds per message in each agent phase (nil without messages or outside masked).
    public var agentMicrosPerMessage: (decode: Double, mask: Double, encode: Double)? {
        guard messages > 0, decodeSeconds + maskSeconds + encodeSeconds > 0 else { return nil }
        let n = Double(messages)
        return (decodeSeconds * 1e6 / n, maskSeconds * 1e6 / n, encodeSeconds * 1e6 / n)
    }

    /// Fraction of the connection threads' time spent processing rather than in I/O syscalls.
    public var processingShare: Double? {
        let total = processingSeconds + ioWaitSeconds
        return total > 0 ? processingSeconds / total : nil
    }
}
