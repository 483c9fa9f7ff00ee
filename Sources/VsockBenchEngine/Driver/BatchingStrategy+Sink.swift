import VsockBenchModel
import VsockTransport
import VsockWire

/// The batching strategies of the model, as the wire's sinks: the one place that maps a
/// scenario's `strategy` to the code that cuts frames into write syscalls.
extension BatchingStrategy {
    /// The sink for this strategy on `socket`, writing in the given shape. On a
    /// message-oriented socket only the strategies that write one frame per send, unshaped,
    /// are possible (`CaseSpec.messageTransportProblems`, checked by the driver and by the
    /// target before a case runs): each frame is then one packet.
    func makeSink(socket: Socket, shape: WriteShape = WriteShape()) -> any FrameSink {
        precondition(
            !socket.isMessageOriented || (writesEachFrameAtOnce && shape == WriteShape()),
            "strategy \(name) (or a write shape) on a seqpacket socket: refused before the case runs")
        switch self {
        case .none, .window: return ImmediateSink(socket: socket, shape: shape)
        case let .normalize(size): return NormalizingSink(socket: socket, unit: size, shape: shape)
        case let .coalesce(messages, bytes, linger): return CoalescingSink(socket: socket, maxMessages: messages, maxBytes: bytes, lingerNanos: linger, shape: shape)
        case let .writev(messages): return WritevSink(socket: socket, maxMessages: messages)
        case let .writerThread(depth, bytes): return WriterThreadSink(socket: socket, queueDepth: depth, maxBytes: bytes, shape: shape)
        }
    }

    /// Bytes a frame of `size` bytes (header included) takes on the wire: padded to a
    /// multiple of the unit under `normalize`, as it is otherwise.
    func wireSize(ofFrame size: Int) -> Int {
        guard case let .normalize(unit) = self else { return size }
        return NormalizingSink.paddedSize(ofFrame: size, unit: unit)
    }
}

extension Exchange {
    /// How frames are cut into write syscalls on both sides.
    var writeShape: WriteShape { WriteShape(chunk: writeChunk, splitHeader: splitWrites) }
}
