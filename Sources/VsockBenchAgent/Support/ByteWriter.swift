/// Writes bytes through a pointer into memory sized in advance: the masker's inner loops
/// append a few bytes at a time, and `Array.append` costs about 90 instructions a call
/// (capacity and uniqueness checks) against a handful here.
///
/// Bounds are checked: writing past `capacity` traps instead of corrupting memory, so the
/// callers' size bounds are assertions, not trust.
struct ByteWriter {
    private let base: UnsafeMutableRawPointer?
    let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
        capacity = buffer.count
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        let size = bytes.count
        guard size > 0, let source = bytes.baseAddress, let base else { return }
        precondition(size <= capacity - count, "ByteWriter: write past the end of the buffer")
        (base + count).copyMemory(from: source, byteCount: size)
        count += size
    }

    @inline(__always)
    mutating func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        precondition(count < capacity, "ByteWriter: write past the end of the buffer")
        base?.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            write(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        write(UInt8(truncatingIfNeeded: rest))
    }

    /// The bytes written from offset `start` on, to rewrite them in place.
    func written(from start: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base.map { $0 + start }, count: count - start)
    }

    /// A new array holding what `body` writes, for up to `capacity` bytes (tests, cold paths).
    static func bytes(capacity: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(buffer))
            body(&writer)
            initialized = writer.count
        }
    }
}
