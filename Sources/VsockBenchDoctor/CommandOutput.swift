#if canImport(Glibc)
import Glibc
#endif
import CShims
import VsockBenchSupport
import VsockTransport

/// What a short external command printed and how it ended (`nitro-cli describe-enclaves`).
public struct CommandOutput: Sendable, Equatable {
    /// The exit status, or 128+N when killed by signal N.
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// It ran past the timeout and was killed.
    public var timedOut: Bool

    /// Runs `executable` (a path) with `arguments`, stdin from /dev/null, both outputs captured,
    /// killed after `timeoutSeconds`. Throws only when it cannot be started.
    public static func run(_ executable: String, _ arguments: [String], timeoutSeconds: Double) throws(SystemError) -> CommandOutput {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        _ = try Posix.check("pipe2", Int(cshims_pipe_cloexec(&out)))
        defer { for fd in out + err where fd >= 0 { Posix.close(fd) } }
        _ = try Posix.check("pipe2", Int(cshims_pipe_cloexec(&err)))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO)
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
        guard spawned == 0 else { throw SystemError("posix_spawn", errno: spawned, context: executable) }
        Posix.close(out[1])
        Posix.close(err[1])
        out[1] = -1
        err[1] = -1

        let deadline = MonotonicClock.nanos() + UInt64(max(0, timeoutSeconds) * 1e9)
        var captured: [[UInt8]] = [[], []]
        var reading = [out[0], err[0]]
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
        defer { chunk.deallocate() }
        var timedOut = false
        while reading.contains(where: { $0 >= 0 }) {
            let now = MonotonicClock.nanos()
            if now >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
                break
            }
            var fds = reading.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = (try? Posix.poll(&fds, timeoutMillis: Int32(min((deadline - now) / 1_000_000 + 1, 1000)))) ?? 0
            guard ready > 0 else { continue }
            for index in fds.indices where reading[index] >= 0 && fds[index].revents != 0 {
                let count = (try? Posix.read(reading[index], chunk.baseAddress.unsafelyUnwrapped, chunk.count)) ?? 0
                if count > 0 { captured[index] += chunk[0..<count] } else { reading[index] = -1 }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        return CommandOutput(
            status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
            stdout: String(decoding: captured[0], as: UTF8.self), stderr: String(decoding: captured[1], as: UTF8.self),
            timedOut: timedOut)
    }
}
