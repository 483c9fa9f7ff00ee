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
