/// Reusable byte buffers for the data path, cleared when handed back.
///
/// `release` zeroes a buffer's whole allocation before keeping it, so bytes of one message
/// (masked or not) never linger into the next user of the buffer, nor in memory after the
/// connection. A value type: each thread owns its pool; a pool shared between threads needs
/// a lock around it.
public struct BufferPool: Sendable {
    /// The capacity new buffers are created with.
    public let bufferCapacity: Int
    /// How many released buffers are kept; beyond that, released buffers are zeroed and freed.
    public let maximumRetained: Int
    private var free: [[UInt8]] = []

    public init(bufferCapacity: Int, maximumRetained: Int = 16) {
        self.bufferCapacity = max(bufferCapacity, 0)
        self.maximumRetained = max(maximumRetained, 0)
        free.reserveCapacity(self.maximumRetained)
    }

    /// An empty buffer with at least `bufferCapacity` bytes of capacity, every byte of its
    /// allocation zero (a new one is zeroed once: the allocator's memory may hold anything).
    public mutating func acquire() -> [UInt8] {
        if let buffer = free.popLast() {
            return buffer
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bufferCapacity)
        BufferPool.zeroAllocation(of: &buffer)
        return buffer
    }

    /// Takes `buffer` back: zeroes every byte of its allocation (its whole capacity, not only
    /// its current count), empties it and keeps it for the next `acquire`; `buffer` is left
    /// as a new empty array.
    ///
    /// `inout`, not consuming, so that the zeroing happens in the caller's own allocation: a
    /// copy held elsewhere would make the array copy itself on write and zero the copy only.
    /// Keep no other copy of a buffer you release.
    public mutating func release(_ buffer: inout [UInt8]) {
        BufferPool.zeroAllocation(of: &buffer)
        keep(&buffer)
    }

    /// Takes `buffer` back as `release` does, zeroing only its first `max(count, written)`
    /// bytes: for a caller that wrote nothing past `written` since `acquire` and whose buffer
    /// kept the allocation it was handed (`acquiredCapacity` is its capacity then; the rest of
    /// that allocation was zero). A buffer that grew is a new allocation whose tail the
    /// allocator filled: it is zeroed whole, once. Zeroing the whole capacity at every release
    /// made an 8 KiB response pay for the largest the connection had sent (64 KiB: about
    /// 2.5 µs a message; 1 MiB: 32 µs; review).
    public mutating func release(_ buffer: inout [UInt8], written: Int, acquiredCapacity: Int) {
        BufferPool.zero(&buffer, upTo: buffer.capacity != acquiredCapacity ? buffer.capacity : written)
        keep(&buffer)
    }

    private mutating func keep(_ buffer: inout [UInt8]) {
        if free.count < maximumRetained {
            free.append(buffer)
        }
        buffer = []
    }

    /// How many buffers wait in the pool.
    public var retainedCount: Int { free.count }

    /// Zeroes `buffer`'s whole allocation and leaves it empty with the same capacity.
    static func zeroAllocation(of buffer: inout [UInt8]) {
        zero(&buffer, upTo: buffer.capacity)
    }

    /// Zeroes the first `max(count, limit)` bytes of `buffer`'s allocation (at most its
    /// capacity) and leaves it empty with the same capacity.
    static func zero(_ buffer: inout [UInt8], upTo limit: Int) {
        // Growing to the limit with zeros writes past the count; the front is zeroed in place.
        let used = buffer.count
        buffer.withUnsafeMutableBytes { bytes in
            if let base = bytes.baseAddress, used > 0 {
                base.initializeMemory(as: UInt8.self, repeating: 0, count: used)
            }
        }
        let end = min(limit, buffer.capacity)
        if end > used {
            buffer.append(contentsOf: repeatElement(0, count: end - used))
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
