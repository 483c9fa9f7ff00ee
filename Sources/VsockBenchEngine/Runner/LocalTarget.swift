import Synchronization

#if canImport(Glibc)
import Glibc
#endif
import VsockBenchSupport
import VsockTransport
import VsockProbe

/// The target `run` starts for itself when no `--target` is given: `vsockbench serve` as a
/// child process on a private Unix socket, like an enclave on the other side of a channel.
/// It dies with the driver (PR_SET_PDEATHSIG) and is stopped on every exit path.
public final class LocalTarget: Sendable {
    public let endpoint: Endpoint
    public let pid: pid_t
    private let directory: String
    /// Set once by whichever thread stops it first (the run's end, or a second Ctrl-C).
    private let stopped = Atomic<Bool>(false)
    /// Set once the target is reaped: its pid is then free for another process. A lock, not a
    /// flag: every reap and every kill happens under it, so a kill can never reach a pid
    /// that was reaped a moment before (and then given to another process).
    private let reaped = Mutex<Bool>(false)

    /// Starts `executable serve --listen unix://DIR/target.sock` with `extraArguments` and
    /// waits until it accepts connections.
    public init(executable: String, extraArguments: [String] = [], readyTimeoutSeconds: Double = 15) throws(DriverError) {
        var template = Array("/tmp/vsockbench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .localTarget("cannot create a private directory in /tmp: \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        let path = directory + "/target.sock"
        endpoint = .unix(path: path)
        let arguments = [executable, "serve", "--listen", endpoint.description, "--parent-pid", String(getpid())] + extraArguments
        var child = pid_t()
        let status = Self.spawn(executable, arguments, &child)
        guard status == 0 else {
            rmdir(directory)
            throw .localTarget("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        let deadline = MonotonicClock.nanos() + UInt64(readyTimeoutSeconds * 1e9)
        while true {
            var exitStatus: Int32 = 0
            if waitpid(pid, &exitStatus, WNOHANG) == pid {
                stopped.store(true, ordering: .relaxed)
                reaped.withLock { $0 = true }
                rmdir(directory)
                throw .localTarget("`vsockbench serve` exited during start-up (\(WaitStatus.text(exitStatus))); its messages are above")
            }
            if let probe = try? Socket.connect(to: endpoint) {
                probe.close()
                break
            }
            if MonotonicClock.nanos() > deadline {
                stop()
                throw .localTarget("`vsockbench serve` did not listen on \(endpoint) within \(readyTimeoutSeconds)s")
            }
            MonotonicClock.sleep(nanos: 5_000_000)
        }
    }

    private static func spawn(_ executable: String, _ arguments: [String], _ pid: inout pid_t) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // Its "listening on" line is for scripts; the driver learns readiness by connecting.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        // A process group of its own: Ctrl-C, `timeout` and CI runners signal the driver's whole
        // group, and the target must outlive that signal until the driver has fetched the
        // interrupted case's stats and stops it (`stop()`); it still dies with the driver.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        return posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
    }

    /// SIGTERM, then SIGKILL if it has not gone within two seconds; removes the socket directory.
    /// `now`: SIGKILL at once (the quit path: the user asked to stop without waiting, and a
    /// target that does not answer took the 2 s, review).
    public func stop(now: Bool = false) {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else {
            // Quitting (a second Ctrl-C) while an orderly stop waits out its SIGTERM: the
            // process exits next, so the target is killed here and its files removed (review:
            // it was left running). Not once reaped: its pid could be another process's.
            if now, signalUnlessReaped(SIGKILL) {
                unlink(directory + "/target.sock")
                rmdir(directory)
            }
            return
        }
        _ = signalUnlessReaped(now ? SIGKILL : SIGTERM)
        let deadline = MonotonicClock.nanos() + 2_000_000_000
        while !reapIfExited(blocking: false) {
            if MonotonicClock.nanos() > deadline {
                if signalUnlessReaped(SIGKILL) { _ = reapIfExited(blocking: true) }
                break
            }
            MonotonicClock.sleep(nanos: 2_000_000)
        }
        unlink(directory + "/target.sock")
        rmdir(directory)
    }

    /// Sends `signal` if the target is not reaped yet (it is reaped first if it has exited,
    /// so an exited target's pid is never signalled); whether it was sent.
    private func signalUnlessReaped(_ signal: Int32) -> Bool {
        reaped.withLock { reaped in
            guard !reaped, !Self.reap(pid, blocking: false, into: &reaped) else { return false }
            kill(pid, signal)
            return true
        }
    }

    /// Reaps the target if it has exited (or waits for it, `blocking`); whether it is reaped.
    private func reapIfExited(blocking: Bool) -> Bool {
        reaped.withLock { reaped in reaped || Self.reap(pid, blocking: blocking, into: &reaped) }
    }

    /// `waitpid` under the lock; ECHILD: reaped already (by another waiter of this process's
    /// children: its pid may be another process's now).
    private static func reap(_ pid: pid_t, blocking: Bool, into reaped: inout Bool) -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        reaped = result == pid || (result < 0 && errno == ECHILD)
        return reaped
    }

    deinit { stop() }

    /// The path of the running executable (to start the target from the same build).
    public static func currentExecutable() -> String {
        FileSystem.currentExecutable() ?? CommandLine.arguments[0]
    }
}
