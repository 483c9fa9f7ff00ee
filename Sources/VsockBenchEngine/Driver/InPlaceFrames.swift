import VsockWire

/// rr requests sent from where their payload lies. A request is its header and a window of the
/// payload pool; rather than copying the window into the sink behind the header (8 KiB for an
/// 8 KiB request), the header is written over the `FrameHeader.size` bytes just before the
/// window, in a private copy of the pool, and the sink writes the frame from there; those bytes
/// are put back once it is sent. The copy cost about 1.5% of an 8 KiB loopback round trip here
/// (an interleaved C ping-pong, both processes on one CPU: 1.015-1.044 times as long with an
/// 8 KiB memcpy per request).
///
/// Memory: one copy of the pool's request windows per connection (the pool's period plus the
/// request size, about 72 KiB for 8 KiB requests).
///
/// `@unchecked Sendable`: used only by the thread that sends a connection's requests.
final class InPlaceFrames: @unchecked Sendable {
    private let pool: PayloadPool
    /// `FrameHeader.size` bytes of room, then pool bytes `[0, period + payload)`.
    private let base: UnsafeMutableRawPointer
    private let count: Int
    /// The frame now lent out and the four words its header covered.
    private var lent: UnsafeMutableRawPointer?
    private var covered: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// Frames for requests of `payload` bytes cut from `pool` (at most its `maxMessage`).
    init(pool: PayloadPool, payload: Int) {
        precondition(payload <= pool.maxMessage, "payload larger than the pool was built for")
        precondition(FrameHeader.size == 32, "the header must fit the four words kept aside")
        self.pool = pool
        count = FrameHeader.size + pool.period + payload
        base = .allocate(byteCount: count, alignment: 16)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: FrameHeader.size)
        (base + FrameHeader.size).copyMemory(from: pool.base, byteCount: pool.period + payload)
    }

    deinit { base.deallocate() }

    /// The whole frame of request `sequence` with `header`, valid until `putBack()`.
    @inline(__always)
    func frame(_ header: FrameHeader, sequence: UInt64) -> UnsafeRawPointer {
        // The window starts at base + size + offset; its header goes right before it.
        let start = base + pool.offset(sequence: sequence)
        covered = (start.loadUnaligned(fromByteOffset: 0, as: UInt64.self), start.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                   start.loadUnaligned(fromByteOffset: 16, as: UInt64.self), start.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        header.encode(into: start)
        lent = start
        return UnsafeRawPointer(start)
    }

    /// The lent frame is written: its header's bytes become pool bytes again.
    @inline(__always)
    func putBack() {
        guard let start = lent else { return }
        start.storeBytes(of: covered.0, toByteOffset: 0, as: UInt64.self)
        start.storeBytes(of: covered.1, toByteOffset: 8, as: UInt64.self)
        start.storeBytes(of: covered.2, toByteOffset: 16, as: UInt64.self)
        start.storeBytes(of: covered.3, toByteOffset: 24, as: UInt64.self)
        lent = nil
    }
}
