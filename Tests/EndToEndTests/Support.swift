import Foundation
import Testing
@testable import VsockTransport
@testable import VsockWire
import VsockBenchSupport

/// The `vsockbench` executable built next to this test bundle.
enum Tool {
    static var path: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("vsockbench").path
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Starts the tool in the repository's directory, its output read as it comes (a test
    /// that signals it mid-run); `run` waits for it.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (process: Process, stdout: ReadAll, stderr: ReadAll) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryRoot)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, ReadAll(out.fileHandleForReading), ReadAll(err.fileHandleForReading))
    }

    /// Runs the tool to completion (killed after `timeout` seconds, which fails the test).
    static func run(_ arguments: [String], timeout: Double = 60, environment: [String: String] = [:]) throws -> Output {
        let (process, outData, errData) = try start(arguments, environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("vsockbench \(arguments.joined(separator: " ")) did not finish within \(timeout)s")
            // A process stuck past SIGTERM (or with it blocked) must not hold the suite forever.
            let grace = Date().addingTimeInterval(5)
            while process.isRunning, Date() < grace { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text())
    }

    /// The one directory that holds every scratch path of this test process
    /// (`$TMPDIR/vsockbench-tests-XXXXXX`, made by mkdtemp), removed with all it holds when the process exits.
    static let scratchRoot: String = {
        // mkdtemp: a name no other process (or PID namespace sharing /tmp) can hold.
        var template = Array((NSTemporaryDirectory() + "vsockbench-tests-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("mkdtemp in \(NSTemporaryDirectory()): errno \(errno)") }
        // 0755, not mkdtemp's 0700: some tests run the tool as an unprivileged user
        // (ProbeRunTests, setpriv), which must reach its scenario file below.
        chmod(made, 0o755)
        atexit { try? FileManager.default.removeItem(atPath: Tool.scratchRoot) }
        return String(cString: made)
    }()

    /// A fresh scratch directory under `scratchRoot`: it outlives the test and goes when the
    /// test process exits.
    static func scratch() throws -> String {
        let dir = scratchRoot + "/vsockbench-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// Collects a pipe's bytes on a background thread (so a chatty child never blocks). Tests run
/// concurrently and children inherit each other's pipe ends, so end of file can come late:
/// `text()` waits a bounded time for it, then returns what arrived.
final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            done.signal()
        }
    }

    func text(waitingUpTo seconds: Double = 3) -> String {
        _ = done.wait(timeout: .now() + seconds)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}

/// A `vsockbench serve` process for the length of a test.
final class ServeProcess {
    let process = Process()
    private(set) var endpoint: Endpoint = .unix(path: "/")
    private let stderr: ReadAll
    private let stdoutHandle: FileHandle

    /// `prefix`: a command that execs the server (`prlimit --nofile=64:64`), its pid the server's.
    init(listen: String, extra: [String] = [], prefix: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: prefix.first ?? Tool.path)
        process.arguments = prefix.dropFirst() + (prefix.isEmpty ? [] : [Tool.path]) + ["serve", "--listen", listen, "--log-level", "warning"] + extra
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        stdoutHandle = out.fileHandleForReading
        stderr = ReadAll(err.fileHandleForReading)
        try process.run()
        // The first stdout line says where it listens.
        var line = Data()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let byte = stdoutHandle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([10]) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let parsed = try? Endpoint(parsing: String(text.dropFirst("listening on ".count))) else {
            process.terminate()
            throw ServeError.notReady(text)
        }
        endpoint = parsed
    }

    enum ServeError: Error { case notReady(String) }

    var pid: Int32 { process.processIdentifier }

    /// Open file descriptors of the server process.
    func descriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// Sends `signal` and waits; returns the exit status and what it logged.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 10) -> (status: Int32, log: String) {
        if process.isRunning { kill(pid, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, stderr.text())
    }

    deinit { if process.isRunning { kill(pid, SIGKILL) } }
}

/// A scenario file in a scratch directory.
func scenarioFile(_ yaml: String) throws -> String {
    let path = try Tool.scratch() + "/scenario.yaml"
    try Tool.write(yaml, to: path)
    return path
}

/// Reads a frame with a short timeout, for raw-protocol tests.
func readFrame(_ socket: Socket, maxPayload: Int = 1 << 20) throws -> (FrameHeader, [UInt8])? {
    try socket.setReceiveTimeout(seconds: 5)
    let reader = FrameReader(socket: socket, maxPayload: maxPayload)
    guard let frame = try reader.next() else { return nil }
    return (frame.header, Array(frame.payload))
}

/// The machine's CPU time as /proc/stat counts it, to tell a timed test that the machine
/// disturbed (another process busy, or the hypervisor taking the CPU: steal) from one that found
/// something: a test measured again after a stall says what the machine was doing.
struct MachineLoad {
    /// Ticks of each CPU line of /proc/stat (`cpu` for the whole machine, `cpu0`...).
    let lines: [String: MachineTicks]

    /// Now, or nil where there is no /proc/stat.
    static func now() -> MachineLoad? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        let lines = MachineTicks.parseEach(text)
        return lines.isEmpty ? nil : MachineLoad(lines: lines)
    }

    /// The share of `line`'s time since `earlier` that was busy (this process's children
    /// included, virtual machines' time too) and stolen by the hypervisor.
    func shares(of line: String, since earlier: MachineLoad) -> (busy: Double, steal: Double)? {
        guard let a = earlier.lines[line], let b = lines[line], let d = b - a, d.total > 0 else { return nil }
        return (Double(d.busy) / Double(d.total), Double(d.steal) / Double(d.total))
    }

    /// `cpu0 busy 97% steal 0%, cpu1 busy 12% steal 0%` since `earlier`, each CPU.
    func describe(since earlier: MachineLoad) -> String {
        lines.keys.filter { $0 != "cpu" }.sorted().compactMap { name in
            shares(of: name, since: earlier).map { "\(name) busy \(Int(($0.busy * 100).rounded()))% steal \(Int(($0.steal * 100).rounded()))%" }
        }.joined(separator: ", ")
    }

    /// The processes that used the most CPU over their lives (`ps`), a stray one among them.
    static func busiestProcesses(_ count: Int = 6) -> String {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/usr/bin/ps")
        ps.arguments = ["-eo", "pid,pcpu,etime,comm", "--sort=-pcpu"]
        let out = Pipe()
        ps.standardOutput = out
        ps.standardError = FileHandle.nullDevice
        guard (try? ps.run()) != nil else { return "(ps did not run)" }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        ps.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").prefix(count + 1).joined(separator: "\n")
    }

    /// Waits (at most `seconds`) for a second in which no CPU was more than `share` busy or stolen.
    static func waitForQuiet(upTo seconds: Double, share: Double = 0.3) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let start = now() else { return }
            usleep(1_000_000)
            guard let end = now() else { return }
            let quiet = end.lines.keys.filter { $0 != "cpu" }.allSatisfy { name in
                end.shares(of: name, since: start).map { $0.busy + $0.steal <= share } ?? true
            }
            if quiet { return }
        }
    }
}
