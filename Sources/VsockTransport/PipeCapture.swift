#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
import VsockBenchSupport

/// Captures what a child process writes to its outputs: pipes whose write ends the child
/// inherits and whose read ends this process drains until end of file or a deadline
/// (`doctor` running `nitro-cli`). Every descriptor is closed before `capture` returns.
package enum PipeCapture {
    /// What each pipe carried, and whether the deadline cut the reading short.
    package struct Captured: Sendable {
        package var outputs: [[UInt8]]
        package var timedOut: Bool
    }

    /// Opens `count` pipes and lends their write ends to `start`, which hands them to a child
    /// (for example as `posix_spawn` dup2 actions) and returns; then closes them here and reads
    /// every pipe until end of file or for at most `timeoutNanos` from then.
    package static func capture(
        pipes count: Int, timeoutNanos: UInt64, start: (_ writeEnds: [Int32]) throws(SystemError) -> Void
    ) throws(SystemError) -> Captured {
        var readEnds: [FileDescriptor] = []
        var writeEnds: [FileDescriptor] = []
        defer { for descriptor in readEnds + writeEnds { Posix.close(descriptor) } }
        for _ in 0..<count {
            let pipe = try Posix.pipe()
            readEnds.append(pipe.readEnd)
            writeEnds.append(pipe.writeEnd)
        }
        try start(writeEnds.map(\.rawValue))
        // Ours closed, the child's copies are the only writers left: end of file when it exits.
        for descriptor in writeEnds { Posix.close(descriptor) }
        writeEnds = []
        return drain(readEnds, deadlineNanos: MonotonicClock.nanos() &+ timeoutNanos)
    }

    /// Reads every descriptor until each reaches end of file (or fails), or until the deadline.
    private static func drain(_ descriptors: [FileDescriptor], deadlineNanos: UInt64) -> Captured {
        var captured = Captured(outputs: Array(repeating: [], count: descriptors.count), timedOut: false)
        var open = Array(repeating: true, count: descriptors.count)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { chunk.deallocate() }
        while open.contains(true) {
            let now = MonotonicClock.nanos()
            if now >= deadlineNanos {
                captured.timedOut = true
                break
            }
            var fds = descriptors.indices.map { pollfd(fd: open[$0] ? descriptors[$0].rawValue : -1, events: Int16(POLLIN), revents: 0) }
            let ready = (try? Posix.poll(&fds, timeoutMillis: Int32(min((deadlineNanos - now) / 1_000_000 + 1, 1000)))) ?? 0
            guard ready > 0 else { continue }
            for index in fds.indices where open[index] && fds[index].revents != 0 {
                let count = (try? Posix.read(descriptors[index], chunk.baseAddress.unsafelyUnwrapped, chunk.count)) ?? 0
                if count > 0 { captured.outputs[index] += chunk[0..<count] } else { open[index] = false }
            }
        }
        return captured
    }
}
