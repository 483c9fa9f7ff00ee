#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds and compares byte strings (the verifier's leak scan and format checks), with libc's
/// vectorised `memchr` and `memcmp`.
enum ByteSearch {
    /// Where `needle` first occurs in `haystack`, or nil. An empty needle occurs nowhere
    /// (an empty value cannot leak).
    static func firstOffset(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        let n = needle.count
        guard n > 0, n <= haystack.count, let needleBase = needle.baseAddress, let base = haystack.baseAddress else {
            return nil
        }
        let first = Int32(needle[0])
        let lastStart = haystack.count - n
        var start = 0
        while start <= lastStart {
            guard let hit = memchr(base + start, first, lastStart - start + 1) else { return nil }
            let offset = UnsafeRawPointer(hit) - base
            // Most first-byte hits differ at the second byte: check it before calling memcmp.
            if n == 1 || haystack[offset + 1] == needle[1], memcmp(base + offset, needleBase, n) == 0 {
                return offset
            }
            start = offset + 1
        }
        return nil
    }

    /// Whether `a` and `b` hold the same bytes.
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let left = a.baseAddress, let right = b.baseAddress else { return true }
        return memcmp(left, right, a.count) == 0
    }
}
