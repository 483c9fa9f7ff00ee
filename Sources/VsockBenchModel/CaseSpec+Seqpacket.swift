/// What cannot run over a message-oriented transport (`vsock+seqpacket://`,
/// `unix+seqpacket://`), where the kernel keeps every send as one message: each frame travels
/// as exactly one packet, and the receiver checks that the packet is exactly its frame.
///
/// - A stream workload is a byte stream: over seqpacket every write would be a message of
///   its own, and the reads would not be what a stream measures.
/// - `coalesce`, `writev` and `writer_thread` merge frames into one write: over seqpacket that
///   write is one packet holding several frames. `none`, `window` and `normalize` write one
///   frame per send and run (replay has no `normalize`: it pads inside vsockbench's header).
/// - `write_chunk` and `split_writes` cut a frame into several writes: over seqpacket each
///   piece would be a packet of its own.
/// - `replay` runs: each corpus message goes as one packet holding only its payload (the
///   corpus file keeps its `framing`, which is how the file separates messages), and each
///   response is one packet read whole. `response_framing` has nothing to describe there
///   (`messageTransportNotes`). An empty message cannot be sent: a zero-length packet reads
///   as the end of the connection on unix, and vsock sends nothing for it.
extension CaseSpec {
    /// Why this case cannot run over a message-oriented transport, one sentence each; empty
    /// when it can. The driver checks before anything runs; the target checks each hello.
    public func messageTransportProblems() -> [String] {
        var problems: [String] = []
        if kind == .stream {
            problems.append("a stream workload is a byte stream, not messages; over seqpacket every write would be a packet of its own: use a vsock:// or unix:// endpoint for stream cases")
        }
        if case let .replay(replay) = workload, replay.corpusStats.smallest == 0 {
            problems.append("the corpus \(replay.corpus) holds an empty message; over seqpacket each message is one packet, and an empty packet reads as the end of the connection (vsock does not send it at all): drop the empty messages or use a vsock:// or unix:// endpoint")
        }
        if let exchange {
            // A replay case sends messages of its own, not vsockbench frames; it has no normalize.
            let (unit, oneAtATime) = kind == .replay ? ("message", "none or window") : ("frame", "none, window or normalize")
            if !exchange.strategy.writesEachFrameAtOnce {
                problems.append("strategy \(exchange.strategy.name) merges \(unit)s into one write, but over seqpacket each \(unit) is its own packet: use \(oneAtATime)")
            }
            if exchange.writeChunk != nil {
                problems.append("write_chunk cuts a \(unit) into several writes, but over seqpacket each write is a packet of its own: drop write_chunk")
            }
            if exchange.splitWrites {
                problems.append("split_writes writes a frame as two writes, but over seqpacket each write is a packet of its own: drop split_writes")
            }
        }
        return problems
    }

    /// What a case sets that a message-oriented transport does not use, one sentence each: it
    /// runs, and the user is told (a scenario may serve stream and seqpacket endpoints alike).
    public func messageTransportNotes() -> [String] {
        guard case let .replay(replay) = workload, let responses = replay.responseFraming, responses != replay.framing else { return [] }
        return ["response_framing \(responses.rawValue) is not used over seqpacket: each response is one packet, read whole as the message (framing \(replay.framing.rawValue) still reads the corpus file)"]
    }
}
