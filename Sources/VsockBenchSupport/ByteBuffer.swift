/// A reusable raw buffer that grows on demand and is zeroed when it grows and when it goes
/// away (frames may hold sensitive payloads).
/// `@unchecked Sendable`: one thread uses a buffer at a time; it changes hands under a lock (a
/// writer thread's queue) or with a thread's start.
package final class ByteBuffer: @unchecked Sendable {
    package private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int

    package init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        clear()
        base.deallocate()
    }

    /// Makes room for `needed` bytes, keeping the first `keeping` bytes.
    package func ensure(_ needed: Int, keeping: Int = 0) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        if keeping > 0 { bigger.copyMemory(from: base, byteCount: keeping) }
        clear()
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    func clear() {
        base.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
    }
}
