import VsockBenchSupport
import VsockTransport

/// A frame read from the connection. `payload` points into the reader's buffer and stays valid
/// only until the next call to `next()`.
public struct Frame {
    public var header: FrameHeader
    /// The message bytes (padding excluded).
    public var payload: UnsafeRawBufferPointer
    /// Header and payload together, contiguous in the reader's buffer (echo writes it back as is).
    public var wholeFrame: UnsafeMutableRawBufferPointer

    public init(header: FrameHeader, payload: UnsafeRawBufferPointer, wholeFrame: UnsafeMutableRawBufferPointer) {
        self.header = header
        self.payload = payload
        self.wholeFrame = wholeFrame
    }
}

/// Reads frames through one reusable buffer: each read syscall takes as many bytes as the
/// kernel has (so frames coalesced by the sender arrive in one read), and a frame is handed
/// out in place, never copied.
///
/// Memory: the buffer starts at `min(initialCapacity, header + maxPayload)` and grows only
/// when a frame needs it, never beyond one header plus `maxPayload` (`limit(toPayload:)`
/// changes the limit for the frames after it; a buffer already larger keeps its size): a
/// peer cannot make the reader allocate more than the limit, whatever length it announces.
///
/// Packet mode, on a message-oriented socket (`vsock+seqpacket://`, `unix+seqpacket://`):
/// every frame is exactly one packet, so each `next()` is one receive syscall of one whole
/// packet, and the packet's size must be its frame's (header plus `length`): anything else
/// is a malformed frame (`packetSizeMismatch`, `shortPacket`), and a packet larger than a
/// frame can be (`packetTooLarge`, the kernel says so with MSG_TRUNC) is never handed out in
/// part. A receive cannot grow its buffer afterwards, so the buffer is one header plus
/// `maxPayload` from the start (pages the kernel never writes stay untouched, and only the
/// part written is cleared at the end). With a `foreign` peer (replay) the packet is the
/// message itself, with no header and no framing: it comes out whole as a response frame,
/// and one of more than `maxPayload` bytes is an error naming its index, never its bytes.
///
/// `@unchecked Sendable`: one thread reads a connection at a time; the reader is handed to that
/// thread when it starts.
///
/// Its stored state is `@exclusivity(unchecked)`: for the same reason (one thread, and no method
/// passes a property of the reader inout to another), no two accesses can overlap, and the
/// runtime's dynamic checks cost 5 calls per frame on the rr path (about 300 of a target's 1400
/// instructions per round trip, callgrind).
public final class FrameReader: @unchecked Sendable {
    public let socket: Socket
    /// The largest frame payload accepted now; `limit(toPayload:)` changes it between frames.
    @exclusivity(unchecked) public private(set) var maxPayload: Int
    /// One frame per packet (the socket keeps message boundaries); see above.
    public let packetMode: Bool
    @exclusivity(unchecked) private var buffer: UnsafeMutableRawPointer
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var end = 0
    /// Packet mode: how far into the buffer packets have been written (cleared at the end).
    @exclusivity(unchecked) private var touched = 0
    /// The whole next frame must have arrived by then (monotonic nanoseconds): every read
    /// first waits for data no longer than what is left. For a hello, whose peer is not yet
    /// known: a peer sending a byte now and then cannot hold the connection; and for the
    /// target's control connection, whose idle time depends on its case's data connections
    /// (the data path leaves it nil: no wait syscall per read).
    @exclusivity(unchecked) public var deadline: UInt64?
    /// A frame must be complete within this long of the first read that left it incomplete: a
    /// peer trickling a frame byte by byte is dropped (a peer sending nothing at all meets the
    /// socket's idle timeout instead). Checked after each read that leaves a frame incomplete
    /// (one clock read, only then: a frame that arrives whole costs no clock read).
    @exclusivity(unchecked) public var frameTimeoutNanos: UInt64?
    /// When the frame being read was first found incomplete after a read; 0: not yet.
    @exclusivity(unchecked) private var incompleteSince: UInt64 = 0
    /// Packet mode: a reset reported while packets the peer sent were still queued. A Unix
    /// seqpacket peer that closes with our packets unread leaves ECONNRESET on our socket,
    /// and the kernel reports that error before the packets queued ahead of it (a receive
    /// takes the socket's error first); the next receives return them, then the end. Kept
    /// until the end, so the close is said where it happened, not after 0 responses when 3
    /// had come (review).
    @exclusivity(unchecked) private var pendingReset: SystemError?

    /// Messages of a service that is not vsockbench (`replay`), in this framing: each comes
    /// out as a response frame whose sequence counts the messages read. nil: vsockbench frames.
    /// In packet mode the kernel keeps the boundaries: each packet is one message, whatever
    /// the framing says (there is none on the wire).
    @exclusivity(unchecked) public var foreign: MessageFraming?
    /// The next foreign message's sequence, 0-based, as the driver counts its requests; the
    /// errors name the request it answers counted from 1 (`request 1` is the first), as the
    /// driver's replay errors and corpus messages are.
    @exclusivity(unchecked) private var foreignSequence: UInt64 = 0
    /// Bytes handed out as messages so far (the offset errors name).
    @exclusivity(unchecked) private var consumed: UInt64 = 0
    /// Where the last message handed out began (an answer found to have no request).
    @exclusivity(unchecked) private var lastMessageStart: UInt64 = 0
    /// The last error was a length beyond any message's, which asks whether the framing is
    /// right: no limit is worth raising then (the caller's advice to raise one would contradict it).
    @exclusivity(unchecked) public private(set) var framingQuestioned = false

    /// A foreign stream's place, for an error at a message boundary: the bytes handed out as
    /// messages and the responses read so far.
    public var foreignPosition: (offset: UInt64, responses: UInt64) { (consumed, foreignSequence) }
    /// The byte offset at which the last message handed out began, in the foreign stream (or
    /// among the packets' payloads).
    public var foreignLastMessageOffset: UInt64 { lastMessageStart }

    /// Packet mode when `socket` is message-oriented (`initialCapacity` does not apply then:
    /// the buffer holds the largest frame from the start).
    public init(socket: Socket, maxPayload: Int, initialCapacity: Int = 256 * 1024) {
        self.socket = socket
        self.maxPayload = maxPayload
        self.packetMode = socket.isMessageOriented
        self.capacity = packetMode ? FrameHeader.size + maxPayload : max(FrameHeader.size, min(initialCapacity, FrameHeader.size + maxPayload))
        self.buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        // Payload bytes may be sensitive: clear them before the memory goes back to the allocator.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: packetMode ? touched : capacity)
        buffer.deallocate()
    }

    /// From the next frame on, frames of more than `payload` bytes are refused (`tooLarge`,
    /// from the header alone: nothing is read or allocated for them). A target reads a hello
    /// under the control limit and only then allows what the case announced. In packet mode
    /// the buffer is replaced by one of the new size (nothing is buffered between packets);
    /// otherwise it keeps its size and grows up to the new limit when a frame needs it.
    public func limit(toPayload payload: Int) {
        maxPayload = payload
        guard packetMode, FrameHeader.size + payload != capacity else { return }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: touched)
        buffer.deallocate()
        capacity = FrameHeader.size + payload
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        touched = 0
    }

    /// Bytes received but not yet handed out as frames.
    public var bufferedCount: Int { end - start }

    /// True when `next()` can return without a read syscall: a whole frame (or a header that
    /// will fail validation) is already buffered.
    public var hasCompleteFrame: Bool {
        // Packets are received one at a time: nothing is ever buffered between them.
        if packetMode { return false }
        if let foreign {
            if case .needMore = foreign.scan(UnsafeRawBufferPointer(start: buffer + start, count: end - start), limit: maxPayload) { return false }
            return true
        }
        guard end - start >= FrameHeader.size else { return false }
        let length = UInt32(bigEndian: (buffer + start).loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        return Int(length) > maxPayload || end - start >= FrameHeader.size + Int(length)
    }

    /// The next frame, or nil when the peer closed the connection between frames.
    @inline(__always)
    public func next() throws(FrameReadError) -> Frame? {
        if let foreign {
            // On seqpacket the kernel keeps the boundaries: a packet is a message, unframed.
            return packetMode ? try nextForeignPacket() : try nextForeign(foreign)
        }
        if packetMode { return try nextPacket() }
        if end - start < FrameHeader.size {
            guard try fill(atLeast: FrameHeader.size) else {
                if end == start { return nil }
                throw .frame(.truncatedHeader(received: end - start))
            }
        }
        let header: FrameHeader
        do {
            header = try FrameHeader.decode(from: buffer + start, maxPayload: maxPayload)
        } catch {
            throw .frame(error)
        }
        let total = FrameHeader.size + Int(header.length)
        if end - start < total {
            guard try fill(atLeast: total) else {
                throw .frame(.truncatedPayload(expected: Int(header.length), received: end - start - FrameHeader.size))
            }
        }
        let frameStart = buffer + start
        start += total
        incompleteSince = 0
        if start == end {
            start = 0
            end = 0
        }
        return Frame(
            header: header,
            // Padding (normalize strategy) is on the wire but not part of the message.
            payload: UnsafeRawBufferPointer(start: frameStart + FrameHeader.size, count: Int(header.content)),
            wholeFrame: UnsafeMutableRawBufferPointer(start: frameStart, count: total))
    }

    /// The next message in `framing`, as a response frame; nil when the peer closed between messages.
    private func nextForeign(_ framing: MessageFraming) throws(FrameReadError) -> Frame? {
        while true {
            switch framing.scan(UnsafeRawBufferPointer(start: buffer + start, count: end - start), limit: maxPayload) {
            case let .message(payload, total):
                let frameStart = buffer + start
                start += total
                lastMessageStart = consumed
                consumed += UInt64(total)
                incompleteSince = 0
                if start == end {
                    start = 0
                    end = 0
                }
                let header = FrameHeader(type: .response, length: payload.count, sequence: foreignSequence)
                foreignSequence += 1
                return Frame(header: header, payload: UnsafeRawBufferPointer(start: frameStart + payload.lowerBound, count: payload.count),
                             wholeFrame: UnsafeMutableRawBufferPointer(start: frameStart, count: total))
            case let .needMore(count):
                let filled: Bool
                do {
                    filled = try fill(atLeast: min(count, FrameHeader.size + maxPayload))
                } catch {
                    // A service that announced more than it sent: say that part of it came.
                    if case let .system(system) = error, system.isTimeout, end > start {
                        throw .frame(.foreign("\(end - start) bytes of a \(framing.rawValue) message came at byte offset \(consumed) of the response stream, then no more: \(system)"))
                    }
                    throw error
                }
                guard filled else {
                    if end == start { return nil }
                    throw .frame(.foreign("the stream ended inside a \(framing.rawValue) message at byte offset \(consumed) of the response stream (\(end - start) bytes of it came)\(vsockbenchHint)"))
                }
                if count > FrameHeader.size + maxPayload, end - start >= FrameHeader.size + maxPayload {
                    throw .frame(.foreignTooLarge("a message longer than \(maxPayload) bytes at byte offset \(consumed) of the response stream"))
                }
            case let .malformed(why):
                throw .frame(.foreign("\(why), at byte offset \(consumed) of the response stream\(vsockbenchHint)"))
            case let .tooLong(why, likelyWrongFraming):
                framingQuestioned = likelyWrongFraming
                let question = likelyWrongFraming ? " (is the framing \(framing.rawValue)?)" : ""
                throw .frame(.foreignTooLarge("\(why)\(question), at byte offset \(consumed) of the response stream\(vsockbenchHint)"))
            }
        }
    }

    /// A response stream that starts with vsockbench's own frame magic comes from its target,
    /// which answers a replay's first request with an error frame.
    private var vsockbenchHint: String {
        guard consumed == 0, end - start >= 4,
              UInt32(bigEndian: (buffer + start).loadUnaligned(as: UInt32.self)) == FrameHeader.magic else { return "" }
        return " (it begins with \"VSKB\", a vsockbench frame: this is vsockbench's own target, which a replay does not drive; run an rr case against it)"
    }

    /// Packet mode, a foreign peer (replay): one receive, one packet, one message, its
    /// payload the whole packet; nil when the peer closed. An empty packet is an empty
    /// response (Unix seqpacket carries them; `Socket.receivedEmptyMessage` tells it from the
    /// close, which recvmsg reports the same way).
    private func nextForeignPacket() throws(FrameReadError) -> Frame? {
        let size: Int
        switch try receivePacket() {
        case .endOfStream:
            guard socket.receivedEmptyMessage() else { return nil }
            size = 0
        case let .truncated(real, _):
            let what = real.map { "a packet of \($0) bytes" } ?? "a packet larger than \(capacity) bytes"
            throw .frame(.foreignTooLarge("the response to request \(foreignSequence + 1) is \(what), over the limit of \(maxPayload) (at byte offset \(consumed) of the responses)"))
        case let .message(count):
            size = count
        }
        guard size <= maxPayload else {
            throw .frame(.foreignTooLarge("the response to request \(foreignSequence + 1) is a packet of \(size) bytes, over the limit of \(maxPayload) (at byte offset \(consumed) of the responses)"))
        }
        lastMessageStart = consumed
        consumed += UInt64(size)
        let header = FrameHeader(type: .response, length: size, sequence: foreignSequence)
        foreignSequence += 1
        return Frame(header: header, payload: UnsafeRawBufferPointer(start: buffer, count: size),
                     wholeFrame: UnsafeMutableRawBufferPointer(start: buffer, count: size))
    }

    /// Packet mode: one receive, one packet, one frame; nil when the peer closed. An empty
    /// packet is a short one: a frame is never empty, and recvmsg's 0 for it is not the end
    /// (`Socket.receivedEmptyMessage`; empty packets just before the close read as the end).
    private func nextPacket() throws(FrameReadError) -> Frame? {
        let size: Int
        switch try receivePacket() {
        case .endOfStream:
            if socket.receivedEmptyMessage() { throw .frame(.shortPacket(size: 0)) }
            return nil
        case let .truncated(real, _):
            throw .frame(.packetTooLarge(size: real, maxPayload: maxPayload))
        case let .message(count):
            size = count
        }
        guard size >= FrameHeader.size else { throw .frame(.shortPacket(size: size)) }
        let header: FrameHeader
        do {
            header = try FrameHeader.decode(from: buffer, maxPayload: maxPayload)
        } catch {
            throw .frame(error)
        }
        guard FrameHeader.size + Int(header.length) == size else {
            throw .frame(.packetSizeMismatch(length: Int(header.length), packet: size))
        }
        return Frame(
            header: header,
            payload: UnsafeRawBufferPointer(start: buffer + FrameHeader.size, count: Int(header.content)),
            wholeFrame: UnsafeMutableRawBufferPointer(start: buffer, count: size))
    }

    /// Packet mode: one receive syscall of one whole packet into the buffer (after waiting
    /// for the deadline, if any); records how much of the buffer packets have written.
    @inline(__always)
    private func receivePacket() throws(FrameReadError) -> ReceivedMessage {
        if let deadline { try waitUntil(deadline) }
        let received: ReceivedMessage
        do {
            received = try socket.receiveMessage(into: buffer, capacity: capacity)
        } catch {
            // The reset first, the packets after it: read on, and say the reset at the end.
            guard error.errno == .connectionReset, pendingReset == nil else { throw .system(pendingReset ?? error) }
            pendingReset = error
            return try receivePacket()
        }
        switch received {
        case .endOfStream:
            if let pendingReset, !socket.receivedEmptyMessage() { throw .system(pendingReset) }
        case .truncated: touched = capacity
        case let .message(count): touched = max(touched, count)
        }
        return received
    }

    /// Reads until `count` bytes are buffered from `start`; false at end of stream.
    private func fill(atLeast count: Int) throws(FrameReadError) -> Bool {
        if count > capacity - start {
            if count > capacity { grow(to: count) }
            if start > 0 {
                (buffer).copyMemory(from: buffer + start, byteCount: end - start)
                end -= start
                start = 0
            }
        }
        while end - start < count {
            if let deadline { try waitUntil(deadline) }
            let n: Int
            do {
                n = try socket.read(into: buffer + end, count: capacity - end)
            } catch {
                throw .system(error)
            }
            if n == 0 { return false }
            end += n
            if let frameTimeoutNanos, end - start < count {
                let now = MonotonicClock.nanos()
                if incompleteSince == 0 {
                    incompleteSince = now
                } else if now &- incompleteSince > frameTimeoutNanos {
                    throw .system(SystemError("read", errno: .timedOut, context: "no complete frame within \(frameTimeoutNanos / 1_000_000) ms"))
                }
            }
        }
        return true
    }

    /// Waits until the socket has data or `deadline` passes (then a timeout error).
    private func waitUntil(_ deadline: UInt64) throws(FrameReadError) {
        let now = MonotonicClock.nanos()
        guard now < deadline, socket.waitReadable(timeoutNanos: deadline - now) else {
            throw .system(SystemError("read", errno: .timedOut, context: "deadline"))
        }
    }

    private func grow(to needed: Int) {
        let limit = FrameHeader.size + maxPayload
        let newCapacity = min(limit, max(needed, capacity * 2))
        let newBuffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBuffer.copyMemory(from: buffer + start, byteCount: end - start)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        buffer.deallocate()
        buffer = newBuffer
        end -= start
        start = 0
        capacity = newCapacity
    }

    /// Hands buffered bytes that follow the last frame to `body` (a stream that starts after a
    /// framed hello) and forgets them.
    public func drainBuffered(_ body: (UnsafeRawBufferPointer) -> Void) {
        body(UnsafeRawBufferPointer(start: buffer + start, count: end - start))
        start = 0
        end = 0
    }
}

/// Reading a frame failed: the bytes were wrong, or the socket was.
public enum FrameReadError: Error, CustomStringConvertible, Sendable {
    case frame(FrameError)
    case system(SystemError)

    public var description: String {
        switch self {
        case let .frame(error): return error.description
        case let .system(error): return error.description
        }
    }
}
