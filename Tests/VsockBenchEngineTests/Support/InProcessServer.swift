#if canImport(Glibc)
import Glibc
#endif
import Logging
import Testing
import VsockBenchSupport
import VsockTransport
@testable import VsockBenchEngine

/// A `TargetServer` in the test process: listening on a Unix socket in a private temporary
/// directory, serving on its own thread, logging into memory. No spawned binary, so the
/// engine's tests run in seconds.
final class InProcessServer: Sendable {
    let server: TargetServer
    let log = CollectingLogHandler.Store()
    private let directory: String
    private let thread: NativeThread

    /// Starts a server configured by `configure` (the listen endpoint is set here: a Unix
    /// stream socket, or with `seqpacket` a Unix seqpacket socket).
    init(mode: TargetMode = .echo, fault: TargetFault? = nil, seqpacket: Bool = false, configure: (inout TargetConfiguration) -> Void = { _ in }) throws {
        var template = Array("/tmp/vsb-engine-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp: errno \(errno)") }
        directory = String(cString: made)
        var configuration = TargetConfiguration(listen: seqpacket ? .unixSeqpacket(path: directory + "/t.sock") : .unix(path: directory + "/t.sock"))
        configuration.mode = mode
        configuration.fault = fault
        // A broken test must not hang on a silent connection for minutes.
        configuration.helloTimeoutSeconds = 5
        configuration.idleTimeoutSeconds = 10
        configure(&configuration)
        let store = log
        let logger = Logger(label: "test.target") { _ in CollectingLogHandler(store: store) }
        do {
            server = try TargetServer(configuration: configuration, logger: logger)
        } catch {
            rmdir(directory)
            throw FixtureError("cannot listen: \(error)")
        }
        thread = NativeThread.spawn(name: "test-serve") { [server] in server.serve() }
    }

    var endpoint: Endpoint { server.endpoint }

    /// Driver options aimed at this server, with an I/O timeout that fails a lost message fast.
    func options(ioTimeoutSeconds: Double = 5) -> DriverOptions {
        var options = DriverOptions(target: endpoint)
        options.ioTimeoutSeconds = ioTimeoutSeconds
        return options
    }

    /// Waits (bounded) until the server serves no connection; returns how many are left.
    @discardableResult
    func waitUntilIdle(seconds: Double = 5) -> Int {
        let deadline = MonotonicClock.nanos() + UInt64(seconds * 1e9)
        while server.activeConnections > 0, MonotonicClock.nanos() < deadline {
            MonotonicClock.sleep(nanos: 2_000_000)
        }
        return server.activeConnections
    }

    /// Checks that every connection ended on its own (unless `expectingIdle` is false: the stop
    /// itself must end them), then stops the server, joins its thread, and checks that no
    /// connection is left and the socket file is gone.
    func stop(expectingIdle: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) {
        if expectingIdle {
            let left = waitUntilIdle()
            #expect(left == 0, "\(left) connections still served after the case", sourceLocation: sourceLocation)
        }
        server.stop()
        thread.join()
        #expect(server.activeConnections == 0, sourceLocation: sourceLocation)
        if let path = endpoint.unixPath {
            #expect(access(path, F_OK) != 0, "the socket file is removed at shutdown", sourceLocation: sourceLocation)
        }
        rmdir(directory)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
