#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
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
        var pid = pid_t()
        let timeoutNanos = UInt64((timeoutSeconds.isFinite ? min(max(0, timeoutSeconds), 86_400) : 86_400) * 1e9)
        let captured = try PipeCapture.capture(pipes: 2, timeoutNanos: timeoutNanos) { (writeEnds) throws(SystemError) in
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, writeEnds[0], STDOUT_FILENO)
            posix_spawn_file_actions_adddup2(&actions, writeEnds[1], STDERR_FILENO)
            var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            // In a process group of its own, so that a timeout kills what it started too (a
            // nitro-cli's child was left running, review).
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
            let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
            guard spawned == 0 else { throw SystemError("posix_spawn", errno: Errno(rawValue: spawned), context: executable) }
        }
        if captured.timedOut { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return CommandOutput(
            status: WaitStatus.shellStatus(status),
            stdout: String(decoding: captured.outputs[0], as: UTF8.self), stderr: String(decoding: captured.outputs[1], as: UTF8.self),
            timedOut: captured.timedOut)
    }
}
