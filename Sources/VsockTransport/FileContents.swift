#if canImport(Glibc)
import Glibc
#endif

/// Whole small files read with plain read(2): results files read back, never the data path.
package enum FileContents {
    /// The file's bytes, or its first `limit` bytes when it is longer (so a caller that passes
    /// its maximum plus one can tell "too large" without reading `/dev/zero` forever).
    ///
    /// A named pipe no one writes to reads as empty instead of blocking forever: it is opened
    /// without blocking (open(2) of a FIFO waits for a writer), then read as usual, so a pipe
    /// with a writer (bash's `<(...)`) is read whole.
    package static func read(path: String, limit: Int) throws(SystemError) -> [UInt8] {
        try Posix.withOpened(path, O_RDONLY | O_NONBLOCK) { (descriptor) throws(SystemError) -> [UInt8] in
            let flags = fcntl(descriptor.rawValue, F_GETFL)
            if flags >= 0 { _ = fcntl(descriptor.rawValue, F_SETFL, flags & ~O_NONBLOCK) }
            var bytes: [UInt8] = []
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
            defer { chunk.deallocate() }
            while bytes.count < limit {
                let n = try Posix.read(descriptor, chunk.baseAddress.unsafelyUnwrapped, min(chunk.count, limit - bytes.count))
                if n == 0 { break }
                bytes += chunk[0..<n]
            }
            return bytes
        }
    }
}
