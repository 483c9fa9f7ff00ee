#if canImport(Glibc)
import Glibc
#endif
import CShims

/// The one place that calls socket and descriptor syscalls.
///
/// Every wrapper retries on EINTR and throws `SystemError` naming the call. Errnos that can only
/// mean a bug in this program (EBADF, EFAULT) stop the process: continuing would measure garbage.
package enum Posix {
    @inline(__always)
    package static func check(_ call: StaticString, _ result: Int, context: @autoclosure () -> String? = nil) throws(SystemError) -> Int {
        if result >= 0 { return result }
        let code = Glibc.errno
        precondition(code != EBADF && code != EFAULT, "\(call) failed with \(code == EBADF ? "EBADF" : "EFAULT"): a descriptor or buffer bug")
        throw SystemError("\(call)", errno: code, context: context())
    }

    static func socket(domain: Int32, type: Int32) throws(SystemError) -> Int32 {
        let fd = Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 {
            let code = Glibc.errno
            throw SystemError("socket", errno: code, context: domain == cshims_af_vsock() ? "(AF_VSOCK)" : nil)
        }
        return fd
    }

    /// SIGPIPE off, once per process: a peer that vanished is an EPIPE to report, never a
    /// signal that kills the process (writes stay plain write(2), the syscall under study).
    static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// A stream socket for `endpoint`; a kernel without AF_VSOCK is named as such.
    static func streamSocket(family: Int32, for endpoint: Endpoint, failure: (SystemError) -> TransportError) throws(TransportError) -> Int32 {
        _ = sigpipeIgnored
        do {
            return try socket(domain: family, type: Int32(SOCK_STREAM.rawValue))
        } catch {
            if family == cshims_af_vsock(), error.errno == EAFNOSUPPORT || error.errno == EINVAL {
                throw TransportError.vsockUnsupported(endpoint)
            }
            throw failure(error)
        }
    }

    package static func close(_ fd: Int32) {
        // EINTR on close on Linux: the descriptor is already released; never retry.
        _ = Glibc.close(fd)
    }

    @inline(__always)
    package static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) throws(SystemError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if Glibc.errno == EINTR { continue }
            return try check("read", n)
        }
    }

    @inline(__always)
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) throws(SystemError) -> Int {
        while true {
            let n = Glibc.write(fd, buffer, count)
            if n >= 0 { return n }
            if Glibc.errno == EINTR { continue }
            return try check("write", n)
        }
    }

    @inline(__always)
    static func writev(_ fd: Int32, _ iov: UnsafePointer<iovec>, _ count: Int32) throws(SystemError) -> Int {
        while true {
            let n = Glibc.writev(fd, iov, count)
            if n >= 0 { return n }
            if Glibc.errno == EINTR { continue }
            return try check("writev", n)
        }
    }

    static func shutdown(_ fd: Int32, _ how: Int32) {
        _ = Glibc.shutdown(fd, how)
    }

    static func setOption<T>(_ fd: Int32, level: Int32, name: Int32, value: T, label: String) throws(SystemError) {
        var value = value
        let r = withUnsafePointer(to: &value) { pointer in
            Glibc.setsockopt(fd, level, name, pointer, socklen_t(MemoryLayout<T>.size))
        }
        _ = try check("setsockopt", Int(r), context: label)
    }

    static func getOption<T>(_ fd: Int32, level: Int32, name: Int32, initial: T, label: String) throws(SystemError) -> T {
        var value = initial
        var length = socklen_t(MemoryLayout<T>.size)
        let r = withUnsafeMutablePointer(to: &value) { pointer in
            Glibc.getsockopt(fd, level, name, pointer, &length)
        }
        _ = try check("getsockopt", Int(r), context: label)
        return value
    }

    package static func poll(_ fds: inout [pollfd], timeoutMillis: Int32) throws(SystemError) -> Int {
        while true {
            let n = fds.withUnsafeMutableBufferPointer { Glibc.poll($0.baseAddress, nfds_t($0.count), timeoutMillis) }
            if n >= 0 { return Int(n) }
            if Glibc.errno == EINTR { continue }
            return try check("poll", Int(n))
        }
    }
}
