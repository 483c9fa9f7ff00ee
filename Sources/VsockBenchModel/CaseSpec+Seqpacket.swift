
/// What cannot run over a message-oriented transport (`vsock+seqpacket://`,
/// `unix+seqpacket://`), where the kernel keeps every send as one message: each frame travels
/// as exactly one packet, and the receiver checks that the packet is exactly its frame.
///
/// - A stream workload is a byte stream: over seqpacket every write would be a message of
///   its own, and the reads would not be what a stream measures.
/// - `coalesce`, `writev` and `writer_thread` merge frames into one write: over seqpacket that
///   write is one packet holding several frames. `none`, `window` and `normalize` write one
///   frame per send and run.
/// - `write_chunk` and `split_writes` cut a frame into several writes: over seqpacket each
///   piece would be a packet of its own.
/// - `replay` speaks a service's own framing (u32be, u32le, u16be, varint, line) over a byte
///   stream, and its reader finds message boundaries in that stream: over seqpacket the
///   boundaries are the kernel's, and a service listening there frames nothing.
extension CaseSpec {
    /// Why this case cannot run over a message-oriented transport, one sentence each; empty
    /// when it can. The driver checks before anything runs; the target checks each hello.
    public func messageTransportProblems() -> [String] {
        var problems: [String] = []
        if kind == .stream {
            problems.append("a stream workload is a byte stream, not messages; over seqpacket every write would be a packet of its own: use a vsock:// or unix:// endpoint for stream cases")
        }
        if kind == .replay {
            problems.append("replay sends a service's own framing over a byte stream and finds message boundaries in it; over seqpacket the kernel keeps them instead: use a vsock:// or unix:// endpoint for replay cases")
        }
        if let exchange {
            if !exchange.strategy.writesEachFrameAtOnce {
                problems.append("strategy \(exchange.strategy.name) merges frames into one write, but over seqpacket each frame is its own packet: use none, window or normalize")
            }
            if exchange.writeChunk != nil {
                problems.append("write_chunk cuts a frame into several writes, but over seqpacket each write is a packet of its own: drop write_chunk")
            }
            if exchange.splitWrites {
                problems.append("split_writes writes a frame as two writes, but over seqpacket each write is a packet of its own: drop split_writes")
            }
        }
        return problems
    }
}
