#if canImport(Glibc)
import Glibc
#endif
import CShims
import Synchronization
import VsockBenchAgent
import VsockBenchModel
import VsockBenchSupport
import VsockWire

/// The target's memory for connections, bounded (`serve --max-memory`): a hello whose case
/// would need more than what is left is refused (`over_budget`) before anything is allocated
/// for it, and what a connection reserved is given back when it ends.
final class MemoryBudget: Sendable {
    let limit: Int
    private let reserved = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget; false (nothing taken) when they do not fit.
    func reserve(_ bytes: Int) -> Bool {
        reserved.withLock { used in
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
    }

    /// Gives `bytes` back. Memory is returned to the system by `trim`, once the connection's
    /// buffers are freed (its frame reader outlives this call).
    func release(_ bytes: Int) {
        reserved.withLock { $0 -= bytes }
    }

    /// Returns freed memory to the system: glibc keeps it in the arena of the thread that freed
    /// it otherwise, one arena per connection thread, and the target's RSS would stay at the sum
    /// of their high-water marks, past --max-memory. Called by a connection's thread when it is
    /// done with every buffer, for connections that reserved at least `trimAbove` (a trim walks
    /// every arena's free chunks: not for each small connection).
    static func trim() { _ = cshims_malloc_trim() }
    static let trimAbove = 1 << 20

    var used: Int { reserved.withLock { $0 } }
    var left: Int { limit - used }
}

extension CaseSpec {
    /// Bytes a target allocates for one data connection of this case, at most: the frame
    /// reader at the case's largest request, the response sink's buffers, the payload pool,
    /// the agent's tables, stream buffers; plus a fixed share for the thread and bookkeeping.
    /// An estimate that errs high, so the budget holds. On a vsock target, the receive buffer
    /// a case asks for (`vsock_buffer_size`, `vsock_buffer_min`: up to 1 GiB each) is the
    /// kernel's memory the peer may fill, and counts too: SO_RCVBUF and SO_SNDBUF are capped
    /// by the kernel's own limits (net.core.rmem_max, wmem_max), these are not.
    func targetMemoryPerConnection(maxFrame: Int, vsock: Bool = false) -> Int {
        let kernel = vsock ? Int(clamping: max(socket.vsockBufferSize ?? 0, socket.vsockBufferMin ?? 0)) : 0
        return kernel + processMemoryPerConnection(maxFrame: maxFrame)
    }

    private func processMemoryPerConnection(maxFrame: Int) -> Int {
        let fixed = 256 << 10
        let pool = PayloadPool.defaultPeriod
        switch workload {
        case let .stream(s):
            // Reads in chunks of at most `streamReadChunk`; a source writes `write_size` at once
            // from the pool.
            let chunk = min(s.writeSize, StreamTargetHandler.readChunk)
            switch s.direction {
            case .tx: return fixed + (pool + chunk) + chunk
            case .rx: return fixed + (pool + s.writeSize)
            case .both: return fixed + (pool + s.writeSize) + chunk
            }
        case let .rr(r):
            let request = FrameHeader.size + largestRequestPayload(maxFrame: maxFrame)
            let response = FrameHeader.size + min(max(r.requestSize, r.responseSize), maxFrame)
            return fixed + request + sinkMemory(r.exchange, frame: response) + pool + max(r.requestSize, r.responseSize)
        case let .masked(m):
            let request = FrameHeader.size + largestRequestPayload(maxFrame: maxFrame)
            // The decoded fragment (swift-protobuf's structures: up to 12 times its bytes, the
            // agent's wire limits see to it), then the masker's table and the encoded response,
            // each bounded by the frame limit.
            let fragment = largestRequestPayload(maxFrame: maxFrame)
            let response = min(11 * fragment + 128, maxFrame)
            let agent = AgentMasker.maxDecodedBytes(fragmentBytes: fragment) + 2 * response + 4 * (64 << 10)
            return fixed + request + sinkMemory(m.exchange, frame: FrameHeader.size + maxFrame / 4) + agent
        case .replay:
            // Never served here: a replay case drives another service.
            return fixed
        }
    }

    /// The largest frame payload a data connection of this case sends the target: its reader
    /// refuses a larger frame from the header alone, so what a peer can make the target
    /// allocate is what its hello announced (and the budget counted), not `--max-frame`.
    /// rr: the request, padded as its strategy pads; masked: a fragment ends on a row, past
    /// its target size, so twice the largest size plus 64 KiB, padded as its strategy pads; a
    /// stream sends no frame after its hello (the control limit).
    func largestRequestPayload(maxFrame: Int) -> Int {
        switch workload {
        case let .rr(r):
            return min(maxFrame, r.exchange.strategy.wireSize(ofFrame: FrameHeader.size + r.requestSize) - FrameHeader.size)
        case let .masked(m):
            let fragment = 2 * m.requestSizes.upperBound + (64 << 10)
            return min(maxFrame, m.exchange.strategy.wireSize(ofFrame: FrameHeader.size + fragment) - FrameHeader.size)
        case .stream, .replay:
            return min(maxFrame, ControlCodec.maxPayload)
        }
    }

    /// What a response sink holds: the frame being built, and what the strategy batches.
    private func sinkMemory(_ e: Exchange, frame: Int) -> Int {
        switch e.strategy {
        case .none, .window: return frame
        case let .normalize(unit): return NormalizingSink.paddedSize(ofFrame: frame, unit: unit)
        case let .coalesce(_, bytes, _): return max(bytes, 64 << 10) + frame
        case let .writev(messages): return messages * frame
        case let .writerThread(depth, bytes): return (depth + 1) * frame + max(bytes, 64 << 10)
        }
    }
}
