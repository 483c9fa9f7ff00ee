/// The fuzzer's bytes, read front to back: a few leading bytes choose the harness's settings,
/// the rest is the data. Reading past the end gives zeros, so every input is usable.
public struct FuzzInput {
    public private(set) var remaining: UnsafeRawBufferPointer

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        remaining = UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size)
    }

    public mutating func byte() -> UInt8 {
        guard let first = remaining.first else { return 0 }
        remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst())
        return first
    }

    /// Big-endian, as the fuzzer's comparison hints find them in the bytes.
    public mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    /// The next `count` bytes (fewer at the end of the input), which are consumed.
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let taken = UnsafeRawBufferPointer(rebasing: remaining.prefix(max(count, 0)))
        remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(taken.count))
        return taken
    }

    /// The rest of the input, which is consumed.
    public mutating func rest() -> UnsafeRawBufferPointer {
        defer { remaining = UnsafeRawBufferPointer(start: remaining.baseAddress, count: 0) }
        return remaining
    }
}
