import Foundation
import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire
@testable import VsockBenchModel
@testable import VsockBenchEngine

/// A pids cgroup that caps how many tasks (threads) a process may have: the cgroup v1 pids
/// controller, or cgroup v2 where its root delegates `pids`. Needs root.
struct PidsCgroup {
    /// The hierarchy's root (where a process goes back to) and the cgroup made for the test.
    let root: String
    let directory: String

    /// Where a pids controller can be used here, or nil: root, the controller, and a
    /// hierarchy that takes a new cgroup (a container's may be read-only).
    static let hierarchy: String? = {
        guard getuid() == 0 else { return nil }
        var candidates: [String] = []
        let v1 = "/sys/fs/cgroup/pids"
        if FileManager.default.fileExists(atPath: v1 + "/cgroup.procs") { candidates.append(v1) }
        for v2 in ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
            let control = (try? String(contentsOfFile: v2 + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
            if control.split(whereSeparator: \.isWhitespace).contains("pids") { candidates.append(v2) }
        }
        return candidates.first { path in
            let probe = path + "/vsockbench-probe-\(getpid())"
            guard mkdir(probe, 0o755) == 0 else { return false }
            let usable = FileManager.default.fileExists(atPath: probe + "/pids.max")
            rmdir(probe)
            return usable
        }
    }()

    init() throws {
        guard let root = Self.hierarchy else { throw CgroupError("no pids cgroup controller") }
        self.root = root
        directory = root + "/vsockbench-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(directory, 0o755) == 0 else { throw CgroupError("mkdir \(directory): errno \(errno)") }
    }

    /// At most `tasks` tasks in the cgroup from now on.
    func limit(_ tasks: Int) throws { try Self.write("\(tasks)", to: directory + "/pids.max") }

    /// Moves `pid` (all its threads) into the cgroup.
    func add(_ pid: Int32) throws { try Self.write("\(pid)", to: directory + "/cgroup.procs") }

    /// Moves what is left in the cgroup back to the root and removes the cgroup (bounded
    /// retries: a process that just ended leaves it a moment later).
    func remove() {
        for _ in 0..<50 {
            let procs = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
            for pid in procs.split(separator: "\n") { try? Self.write(String(pid), to: root + "/cgroup.procs") }
            if rmdir(directory) == 0 || errno == ENOENT { return }
            usleep(20_000)
        }
    }

    private static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw CgroupError("open \(path): errno \(errno)") }
        defer { close(fd) }
        let written = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        guard written == text.utf8.count else { throw CgroupError("write \(text) to \(path): errno \(errno)") }
    }

    struct CgroupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// A target out of threads refuses the connection that needs one more (an error frame,
/// `busy`) and goes on serving; it never dies of it.
@Suite(.serialized) struct ThreadLimitTests {
    static func taskCount(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
    }

    /// The task count once it stopped changing (connection threads end just after their case).
    static func settledTaskCount(_ pid: Int32) -> Int {
        var last = taskCount(pid)
        for _ in 0..<100 {
            usleep(50_000)
            let now = taskCount(pid)
            if now == last { break }
            last = now
        }
        return last
    }

    @Test(.enabled(if: PidsCgroup.hierarchy != nil, "needs root and a writable pids cgroup hierarchy (v1, or v2 with pids delegated)"),
          arguments: [
              CaseSpec(name: "both", workload: .stream(StreamWorkload(writeSize: 64 << 10, direction: .both))),
              CaseSpec(name: "rx", workload: .stream(StreamWorkload(writeSize: 64 << 10, direction: .rx))),
              CaseSpec(name: "writer", workload: .rr(RequestResponseWorkload(requestSize: 1024, responseSize: 1024,
                                                                              exchange: Exchange(strategy: .writerThread(queueDepth: 4, maxBytes: 64 << 10))))),
          ])
    func aTargetOutOfThreadsRefusesTheConnectionAndGoesOn(spec: CaseSpec) throws {
        let cgroup = try PidsCgroup()
        // Runs after the server's stop below: its process is gone by then.
        defer { cgroup.remove() }
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        // A first case starts every thread the process keeps (the signal watcher, the read
        // watchdog); its connection threads end with it.
        try TargetRobustnessTests.stillServes(server)
        let idle = Self.settledTaskCount(server.pid)
        try cgroup.add(server.pid)
        // Room for the control connection's thread and the data connection's, not one more.
        try cgroup.limit(idle + 2)

        let control = try DriverConnection.open(to: server.endpoint, role: .control, session: 7, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let message: ErrorMessage
        if spec.kind == .stream {
            // A stream's refusal answers the hello: after an ack, an rx driver would read the
            // error frame as stream bytes and report corrupt data.
            let opened = Result { () throws(DriverError) in
                try DriverConnection.open(to: server.endpoint, role: .data, session: 7, spec: spec, timeoutSeconds: 5)
            }
            switch opened {
            case let .success(data):
                data.socket.close()
                Issue.record("the hello was acknowledged")
                return
            case let .failure(error):
                guard case let .rejected(refusal) = error else { throw error }
                message = refusal
            }
        } else {
            let data = try DriverConnection.open(to: server.endpoint, role: .data, session: 7, spec: spec, timeoutSeconds: 5)
            defer { data.socket.close() }
            try data.socket.setReceiveTimeout(seconds: 5)
            let reply = try #require(try data.reader.next(), "an error frame, not the end")
            #expect(reply.header.type == .error)
            message = ErrorMessage(errorFrame: reply)
        }
        #expect(message.code == "busy", "\(message)")
        #expect(message.message.contains("cannot start"), "\(message)")
        control.socket.close()
        #expect(server.process.isRunning, "the target died: \(server.stop().log)")
        // With its connections gone, the target serves a case within the same limit.
        #expect(Self.settledTaskCount(server.pid) <= idle, "the refused connections' threads ended")
        try TargetRobustnessTests.stillServes(server)
    }
}
