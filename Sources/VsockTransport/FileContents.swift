#if canImport(Glibc)
import Glibc
#endif

/// Whole small files read with plain read(2): results files read back, never the data path.
package enum FileContents {
    /// The file's bytes, or its first `limit` bytes when it is longer (so a caller that passes
    /// its maximum plus one can tell "too large" without reading `/dev/zero` forever).
    ///
    /// A named pipe is waited on for a writer at most `writerWait` seconds, then read as
    /// usual (a pipe with a writer already, bash's `<(...)`, at once; one whose writer comes
    /// later, `cat s.yaml > fifo`, once it does); one no one opens in that time reads as
    /// empty instead of blocking forever, as open(2) of a FIFO would.
    package static func read(path: String, limit: Int, writerWait: Double = 10) throws(SystemError) -> [UInt8] {
        try Posix.withOpened(path, O_RDONLY | O_NONBLOCK) { (descriptor) throws(SystemError) -> [UInt8] in
            var info = stat()
            if fstat(descriptor.rawValue, &info) == 0, info.st_mode & S_IFMT == S_IFIFO {
                // No event until a writer opens it (then POLLIN, or POLLHUP if it closes unwritten).
                var fds = [pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)]
                if try Posix.poll(&fds, timeoutMillis: Int32(max(0, min(writerWait, 3600)) * 1000)) == 0 { return [] }
            }
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
