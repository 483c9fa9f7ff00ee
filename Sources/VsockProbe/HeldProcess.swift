import CVsockProbe
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A command forked and held before exec, so the probe can be attached to its pid before the
/// command makes its first system call; ``release()`` lets it exec.
///
/// The held child waits in read(2) on a pipe; once released, its only system call before the
/// command's own is execve. It gets SIGKILL if the thread that started it ends first
/// (PR_SET_PDEATHSIG), so it never outlives a vsockbench killed outright; every other way out
/// ends it with ``end(signal:graceSeconds:)`` (the deinit too).
///
/// The pid is signalled only under the lock that reaping takes, so a signal never reaches a
/// process that took the number after this one was reaped.
public final class HeldProcess: Sendable {
    /// The child's pid, which stays the command's pid after exec.
    public let pid: Int32
    private let descriptors: Mutex<(release: Int32, execError: Int32)?>
    /// The exit status once reaped. Held while reaping and while signalling, never while blocked.
    private let reaped = Mutex<Int32?>(nil)
    private let usage = Mutex<rusage?>(nil)
    /// The signal that ended the command, once reaped; nil while it runs or when it exited.
    private let endingSignal = Mutex<Int32?>(nil)
    /// A pidfd of the child (polls readable once it has exited), or -1 where the kernel has none.
    private let exitDescriptor: Int32

    /// Forks the child; `executable` is looked up in PATH when it has no slash. With
    /// `stdoutToStderr` the command's standard output goes to standard error (`--json -`: the
    /// JSON alone on standard output).
    public init(executable: String, arguments: [String], environment: [String: String]? = nil, stdoutToStderr: Bool = false) throws {
        let path = try Self.resolve(executable)
        let environmentLines = (environment ?? Self.currentEnvironment()).map { "\($0.key)=\($0.value)" }
        var child = cvp_held_child()
        let result = try Self.withCStrings([path] + arguments) { argv in
            try Self.withCStrings(environmentLines) { envp in
                path.withCString { cvp_spawn_held($0, argv, envp, stdoutToStderr ? 1 : 0, &child) }
            }
        }
        guard result == 0 else {
            throw ProbeError(operation: "fork for \(executable)", errno: result, detail: "")
        }
        pid = child.pid
        descriptors = Mutex((child.release_fd, child.exec_error_fd))
        let pidfd = cvp_pidfd_open(child.pid)
        exitDescriptor = pidfd >= 0 ? pidfd : -1
    }

    deinit {
        // A child never released is told to exit (its pipe closes) and reaped; a released one
        // still running is ended: nothing started here is left behind.
        end(signal: SIGTERM, graceSeconds: 2)
        if exitDescriptor >= 0 { Glibc.close(exitDescriptor) }
    }

    /// Waits (up to `timeout` seconds) until the child is blocked in its read, so that no
    /// system call of the held child itself happens after a probe is attached. Returns false
    /// if that could not be seen (no /proc/PID/syscall); the child is still held.
    @discardableResult
    public func waitUntilHeld(timeout: Double = 2) -> Bool {
        #if arch(x86_64)
        let readNumber = "0"
        #else
        let readNumber = "63"
        #endif
        let deadline = Monotonic.now + timeout
        while Monotonic.now < deadline {
            if let line = try? FileSystem.readText("/proc/\(pid)/syscall"),
                line.split(separator: " ").first.map(String.init) == readNumber
            {
                return true
            }
            usleep(1000)
        }
        return false
    }

    /// Lets the child exec the command; throws when execve failed (with the shell's status for
    /// it, ``ProbeError/commandStatus``), or the child could not set up its standard output
    /// before it (the child then exits 127).
    public func release() throws {
        guard let fds = descriptors.withLock({ fds in defer { fds = nil }; return fds }) else { return }
        var go: UInt8 = 1
        _ = write(fds.release, &go, 1)
        Glibc.close(fds.release)
        var failure: Int32 = 0
        let count = read(fds.execError, &failure, MemoryLayout<Int32>.size)
        Glibc.close(fds.execError)
        if count == MemoryLayout<Int32>.size {
            _ = waitForExit()
            // A negative errno: the child failed before exec, sending the command's standard
            // output to standard error (`--json -`), which is then closed or not a descriptor.
            if failure < 0 {
                throw ProbeError(operation: "dup2", errno: -failure,
                                 detail: "the command's standard output could not go to standard error (for --json -); is standard error open?")
            }
            throw ProbeError.commandNotStarted(operation: "execve", errno: failure, detail: "the command could not be started")
        }
    }

    /// Blocks until the command exits; its exit status, or 128 + the signal that ended it.
    /// The wait itself holds no lock (another thread may signal the command meanwhile).
    public func waitForExit() -> Int32 {
        while true {
            if let status = exitStatusIfExited() { return status }
            // Until it has exited, without reaping it: the pid stays this child's.
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno != EINTR {
                // ECHILD: reaped meanwhile by another thread (the status is then set), or not
                // this process's child at all.
                return exitStatusIfExited() ?? 127
            }
        }
    }

    /// Waits up to `seconds` for the command to exit: its status, or nil if it still runs.
    /// Wakes as it exits (on its pidfd; where the kernel has none, every 10 ms).
    public func waitForExit(timeout seconds: Double) -> Int32? {
        let deadline = Monotonic.now + seconds
        while true {
            if let status = exitStatusIfExited() { return status }
            let left = deadline - Monotonic.now
            if left <= 0 { return nil }
            if exitDescriptor >= 0 {
                var descriptor = pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, Int32(min(left, 1) * 1000) + 1)
            } else {
                usleep(UInt32(min(left, 0.01) * 1e6) + 1)
            }
        }
    }

    /// The exit status if the command has exited, without blocking.
    public func exitStatusIfExited() -> Int32? {
        reaped.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            var resources = rusage()
            guard wait4(pid, &raw, WNOHANG, &resources) == pid else { return nil }
            usage.withLock { $0 = resources }
            endingSignal.withLock { $0 = Self.signal(raw) }
            status = Self.exitStatus(raw)
            return status
        }
    }

    /// The signal that ended the command (its status is then 128 + it), once it has been
    /// reaped; nil while it runs, and when it exited of itself (an `exit 143` included).
    public var exitSignal: Int32? {
        endingSignal.withLock { $0 }
    }

    /// Voluntary context switches of the command and the children it waited for (its rusage
    /// from wait4), once it has exited; nil before.
    public var voluntaryContextSwitches: Int? {
        usage.withLock { $0.map { Int($0.ru_nvcsw) } }
    }

    /// Sends `signal` to the command, unless it has been reaped. To the command's process group
    /// when the command leads one of its own (it called setsid or setpgid: its children are in
    /// it, as a shell's job), else to its pid alone: a held child is forked into vsockbench's
    /// group, which must not be signalled. Returns whether a signal was sent.
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            let group = getpgid(pid)
            let target = group == pid && group != getpgrp() ? -pid : pid
            return kill(target, signal) == 0
        }
    }

    /// SIGKILL to the command and every process descended from it, unless it has been reaped.
    /// The escalation after a signal it ignored: a shell that ignores SIGTERM had its children
    /// left running, reparented to init (review). The tree is read from /proc, stopped
    /// (SIGSTOP: no more forks), read again for what was forked meanwhile, then killed.
    /// Returns whether the command itself was signalled.
    @discardableResult
    public func killTree() -> Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var tree = [pid] + Self.descendants(of: pid)
            for member in tree { kill(member, SIGSTOP) }
            for member in Self.descendants(of: pid) where !tree.contains(member) {
                kill(member, SIGSTOP)
                tree.append(member)
            }
            for member in tree.reversed() { kill(member, SIGKILL) }
            return true
        }
    }

    /// The processes descended from `root` (children, their children, ...), from the parent
    /// pid in each `/proc/PID/stat`; empty where /proc cannot be read.
    static func descendants(of root: pid_t) -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var parents: [pid_t: pid_t] = [:]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let id = pid_t(name), let stat = try? FileSystem.readText("/proc/\(name)/stat") else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so after the last ')'.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count >= 2, let parent = pid_t(fields[1]) { parents[id] = parent }
        }
        var found: [pid_t] = []
        var frontier = [root]
        while let next = frontier.popLast() {
            for (child, parent) in parents where parent == next && !found.contains(child) {
                found.append(child)
                frontier.append(child)
            }
        }
        return found
    }

    /// Ends the command on any way out: a child never released is abandoned; a running one
    /// gets `signal`, `graceSeconds` to exit, then SIGKILL; either way it is reaped. Its status
    /// (as ``waitForExit()``); at once when it has already exited.
    @discardableResult
    public func end(signal first: Int32 = SIGTERM, graceSeconds: Double = 5) -> Int32 {
        if descriptors.withLock({ $0 != nil }) {
            abandon()
            return waitForExit()
        }
        if let status = exitStatusIfExited() { return status }
        signal(first)
        if let status = waitForExit(timeout: graceSeconds) { return status }
        killTree()
        return waitForExit()
    }

    /// Ends a child that was never released: closing its pipe makes it exit; then reaps it.
    public func abandon() {
        if let fds = descriptors.withLock({ fds in defer { fds = nil }; return fds }) {
            Glibc.close(fds.release)
            Glibc.close(fds.execError)
        }
        _ = waitForExit()
    }

    /// waitpid's status as a shell reports it: the exit code, or 128 + signal.
    static func exitStatus(_ raw: Int32) -> Int32 {
        signal(raw).map { 128 + $0 } ?? (raw >> 8) & 0xff
    }

    /// The signal in waitpid's status, when one ended the process.
    static func signal(_ raw: Int32) -> Int32? {
        let signal = raw & 0x7f
        return signal == 0 ? nil : signal
    }

    /// `searchPath`: the directories to search (default $PATH).
    static func resolve(_ executable: String, searchPath: String? = nil) throws -> String {
        if executable.contains("/") { return executable }
        let path = searchPath ?? getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        // A file of that name that is not executable, if no executable one comes later: then
        // "found but not executable" (126), as a shell says, not "not found" (127).
        var notExecutable: String?
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(executable)"
            guard !FileSystem.isDirectory(candidate) else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            if notExecutable == nil, access(candidate, F_OK) == 0 { notExecutable = candidate }
        }
        if let notExecutable {
            throw ProbeError.commandNotStarted(operation: "starting \(notExecutable)", errno: EACCES, detail: "it is in PATH but not executable")
        }
        throw ProbeError.commandNotStarted(operation: "finding \(executable)", errno: ENOENT, detail: "it is not in PATH")
    }

    private static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let line = String(cString: pointer)
            if let equals = line.firstIndex(of: "=") {
                result[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }

    /// A NULL-terminated `char *[]` valid inside `body`.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> Result
    ) throws -> Result {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return try copies.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                throw ProbeError(operation: "building argv", detail: "")
            }
            return try body(base)
        }
    }
}

/// CLOCK_MONOTONIC seconds.
enum Monotonic {
    static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
