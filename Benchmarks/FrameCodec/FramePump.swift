import VsockWire
import VsockTransport

/// Feeds a `FrameReader` from a Unix socketpair on one thread: when the reader has taken every
/// frame written so far, one write puts the next batch in the socket (at most about 64 KiB, so
/// the write never blocks on a reader that is this same thread). The reader is set up as the
/// target sets up its own (`--max-frame` 4 MiB, 64 KiB to start with), so one read takes a
/// whole batch of small frames, as it does when a sender coalesces them.
///
/// Every frame carries its own sequence number, checked on the way out, so a benchmark that
/// lost or mangled frames fails instead of reporting a fast wrong figure.
final class FramePump: @unchecked Sendable {
    let payload: Int
    let framesPerBatch: Int
    private let writer: Socket
    private let reader: FrameReader
    private let batch: UnsafeMutableRawBufferPointer
    private var pending = 0
    private var sequence: UInt64 = 0

    init(payload: Int) throws {
        self.payload = payload
        let frameSize = FrameHeader.size + payload
        framesPerBatch = max(1, (64 * 1024 + FrameHeader.size) / frameSize)
        let (a, b) = try Socket.makePair()
        writer = a
        reader = FrameReader(socket: b, maxPayload: 4 * 1024 * 1024, initialCapacity: 64 * 1024)
        batch = .allocate(byteCount: framesPerBatch * frameSize, alignment: 16)
        batch.initializeMemory(as: UInt8.self, repeating: 0xA5)
    }

    /// The next frame's sequence number, after writing a new batch when the socket is empty.
    @inline(__always)
    func nextFrame() throws -> UInt64 {
        if pending == 0 { try refill() }
        guard let frame = try reader.next() else { throw PumpError.endOfStream }
        pending -= 1
        let expected = sequence - UInt64(pending) - 1
        guard frame.header.sequence == expected, frame.payload.count == payload else {
            throw PumpError.wrongFrame(expected: expected, got: frame.header.sequence)
        }
        return frame.header.sequence
    }

    private func refill() throws {
        let frameSize = FrameHeader.size + payload
        for i in 0..<framesPerBatch {
            FrameHeader(type: .request, length: payload, sequence: sequence).encode(into: batch.baseAddress! + i * frameSize)
            sequence += 1
        }
        try writer.writeAll(batch.baseAddress!, count: batch.count)
        pending = framesPerBatch
    }

    func close() {
        writer.close()
        reader.socket.close()
    }

    enum PumpError: Error {
        case endOfStream
        case wrongFrame(expected: UInt64, got: UInt64)
    }
}

/// One encoded header in memory of its own (optionally damaged), for the decode benchmarks.
final class HeaderBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(_ header: FrameHeader, corrupt: (UnsafeMutableRawPointer) -> Void = { _ in }) {
        pointer = .allocate(byteCount: FrameHeader.size, alignment: 16)
        header.encode(into: pointer)
        corrupt(pointer)
    }

    deinit { pointer.deallocate() }
}
