import Testing

@testable import VsockBenchAgent

@Suite("Buffer pool")
struct BufferPoolTests {
    @Test("release zeroes the buffer's whole allocation, and acquire hands it back empty")
    func clearsReleasedBuffers() {
        var pool = BufferPool(bufferCapacity: 64, maximumRetained: 2)
        var buffer = pool.acquire()
        #expect(buffer.capacity >= 64)
        buffer.append(contentsOf: Array("secret card 4111111111111111".utf8))
        buffer.removeLast(10)  // bytes beyond count still sit in the allocation
        let address = buffer.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        let capacity = buffer.capacity
        pool.release(&buffer)
        #expect(buffer.isEmpty)
        #expect(pool.retainedCount == 1)

        let again = pool.acquire()
        #expect(again.isEmpty)
        #expect(again.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) } == address)
        // Look at the whole allocation, past the (empty) count.
        again.withUnsafeBufferPointer { buffer in
            let raw = UnsafeRawBufferPointer(start: buffer.baseAddress, count: capacity)
            #expect(raw.allSatisfy { $0 == 0 })
        }
    }

    @Test("the pool keeps at most maximumRetained buffers")
    func bounded() {
        var pool = BufferPool(bufferCapacity: 16, maximumRetained: 1)
        var first: [UInt8] = [1, 2, 3]
        var second: [UInt8] = [4, 5, 6]
        pool.release(&first)
        pool.release(&second)
        #expect(pool.retainedCount == 1)
    }

    /// A release that knows what was written zeroes that and no more: an 8 KiB response paid
    /// for zeroing the whole allocation, which grows to the largest response the connection
    /// sent (review: 32 µs a message after one of 1 MiB). A byte past what was written is
    /// left as it is (set here behind the pool's back, to see it), and a buffer that grew is
    /// zeroed whole.
    @Test func aReleaseOfWhatWasWrittenZeroesThatAndNoMore() {
        var pool = BufferPool(bufferCapacity: 4096, maximumRetained: 2)
        var buffer = pool.acquire()
        let capacity = buffer.capacity
        #expect(buffer.withUnsafeBufferPointer { UnsafeRawBufferPointer(start: $0.baseAddress, count: capacity).allSatisfy { $0 == 0 } },
                "a new buffer is handed out zeroed")
        buffer.append(contentsOf: repeatElement(0xAB, count: 100))
        buffer.removeLast(20)  // written up to 100, count 80
        buffer.withUnsafeMutableBufferPointer { UnsafeMutableRawBufferPointer(start: $0.baseAddress, count: capacity)[capacity - 1] = 0xCD }
        pool.release(&buffer, written: 100, acquiredCapacity: capacity)
        let again = pool.acquire()
        again.withUnsafeBufferPointer { pointer in
            let raw = UnsafeRawBufferPointer(start: pointer.baseAddress, count: capacity)
            #expect(raw[0..<100].allSatisfy { $0 == 0 }, "what was written is zeroed, past the count too")
            #expect(raw[capacity - 1] == 0xCD, "nothing past what was written is touched")
        }
        // Grown: a new allocation, zeroed whole.
        var grown = again
        grown.append(contentsOf: repeatElement(0xEE, count: capacity + 1))
        let grownCapacity = grown.capacity
        #expect(grownCapacity > capacity)
        grown.removeAll(keepingCapacity: true)
        pool.release(&grown, written: 0, acquiredCapacity: capacity)
        let last = pool.acquire()
        #expect(last.capacity == grownCapacity)
        last.withUnsafeBufferPointer { pointer in
            #expect(UnsafeRawBufferPointer(start: pointer.baseAddress, count: grownCapacity).allSatisfy { $0 == 0 })
        }
    }

    @Test("zeroing reaches bytes beyond the count")
    func zeroAllocation() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(32)
        buffer.append(contentsOf: repeatElement(0xAB, count: 32))
        buffer.removeLast(20)
        BufferPool.zeroAllocation(of: &buffer)
        #expect(buffer.isEmpty && buffer.capacity >= 32)
        buffer.withUnsafeBufferPointer { pointer in
            #expect(UnsafeRawBufferPointer(start: pointer.baseAddress, count: 32).allSatisfy { $0 == 0 })
        }
    }
}
