#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import Logging
import VsockBenchEngine
import VsockBenchSupport
import VsockTransport

/// One target per fuzzing process, serving on a Unix socket in a fresh temporary directory.
enum HarnessTarget {
    /// The frame limit: small, so that a hostile input cannot make every execution move
    /// megabytes (16 KiB of requests could otherwise ask for 512 responses of 4 MiB).
    static let maxFrame = 16 * 1024
    /// The memory budget (`serve --max-memory`): the smallest `serve` accepts, so that a hello
    /// asking for big buffers (a stream's `write_size`, a coalesce or writer_thread `max_bytes`
    /// up to the 64 MiB the case bounds allow) is refused with `over_budget` rather than served,
    /// and whatever the target does accept allocates well under libFuzzer's 64 MB malloc limit.
    static let maxMemory = 16 << 20

    static let shared: TargetServer = start()

    /// The fresh temporary directory holding the target's socket. A normal exit (libFuzzer's
    /// when its runs or time are up) removes the socket and the directory, the target still
    /// listening or not; a crash, timeout or leak ends the process with `_Exit` and leaves them.
    private static let directory: String = {
        var template = Array("/tmp/vsockbench-fuzz-XXXXXX".utf8CString)
        let directory = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let directory else {
            fuzzCheck(false, "mkdtemp failed")
            fatalError("unreachable")
        }
        atexit {
            _ = unlink(HarnessTarget.socketPath)
            _ = rmdir(HarnessTarget.directory)
        }
        return directory
    }()

    private static var socketPath: String { "\(directory)/target.sock" }

    private static func start() -> TargetServer {
        var configuration = TargetConfiguration(listen: .unix(path: socketPath))
        configuration.mode = .agent
        configuration.maxFrame = maxFrame
        configuration.maxMemory = maxMemory
        configuration.helloTimeoutSeconds = 5
        configuration.idleTimeoutSeconds = 5
        configuration.finishTimeoutNanos = 20_000_000
        let logger = Logger(label: "fuzz.target") { _ in FormattingLogHandler() }
        do {
            let server = try TargetServer(configuration: configuration, logger: logger)
            _ = NativeThread.spawn(name: "fuzz-target") { server.serve() }
            return server
        } catch {
            fuzzCheck(false, "cannot start the target: \(error)")
            fatalError("unreachable")
        }
    }
}

/// Builds every log line the target writes, metadata included, then drops it: the formatting
/// runs (peer-controlled strings reach it) without filling the fuzzer's output.
struct FormattingLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let merged = self.metadata.merging(explicit ?? [:]) { $1 }
        let text = "\(level) \(message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        _ = text.utf8.count
    }
}
