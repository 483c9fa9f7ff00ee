import Foundation
import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire
@testable import VsockBenchModel
@testable import VsockBenchEngine

/// A hello or a frame is a peer's word: whatever it says, the target answers with an error
/// frame, closes that connection, and keeps serving, without leaking a thread.
@Suite(.serialized) struct TargetRobustnessTests {
    static func hello(_ role: ConnectionRole, session: UInt64, index: Int = 0, spec: CaseSpec) -> CaseHello {
        CaseHello(role: role, session: session, connection: index, spec: WireCase(spec), driver: HostFacts.current())
    }

    static func rejection(_ endpoint: Endpoint, _ hello: CaseHello) -> ErrorMessage? {
        do {
            let connection = try DriverConnection.open(to: endpoint, hello: hello, limits: FrameLimits(hello.spec.spec ?? CaseSpec(name: "x", workload: .rr)), timeoutSeconds: 5)
            connection.socket.close()
            return nil
        } catch {
            if case let .rejected(message) = error { return message }
            return ErrorMessage(code: "other", message: "\(error)")
        }
    }

    static func threads(named prefix: String, of pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter { task in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
            return name.hasPrefix(prefix)
        }.count
    }

    static func stillServes(_ server: ServeProcess) throws {
        let path = try scenarioFile("name: ok\ncases:\n  - {name: rr, workload: rr, messages: 50, warmup: 0s, request_size: 1KiB, response_size: 1KiB}\n")
        let ok = try Tool.run(["run", path, "--target", server.endpoint.description])
        #expect(ok.status == 0, "\(ok.stdout)\n\(ok.stderr)")
    }

    /// Past the open-file limit accept fails and waits, so a --max-connections above what the
    /// limit allows was never reached and a flood was never refused busy: the limit (raised to
    /// its hard value) bounds it, the log says so, and the connection past it is refused busy.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
    func theOpenFileLimitBoundsTheConnections() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--max-connections", "1000"], prefix: ["/usr/bin/prlimit", "--nofile=64:64"])
        var held: [Socket] = []
        defer { held.forEach { $0.close() } }
        for _ in 0..<32 { held.append(try Socket.connect(to: server.endpoint)) }
        // Accepted (each its own thread, waiting for its hello) before the run's connection.
        let deadline = Date().addingTimeInterval(10)
        while server.descriptorCount() < 32 + 4, Date() < deadline { usleep(10_000) }
        let scenario = try scenarioFile("name: x\ncases:\n  - {name: rr, workload: rr, messages: 10, warmup: 0s}\n")
        let run = try Tool.run(["run", scenario, "--target", server.endpoint.description, "--io-timeout", "5"], timeout: 60)
        let (_, log) = server.stop()
        #expect(log.contains("--max-connections 1000 is more than the open-file limit allows: serving at most 32 connections at once"), "\(log)")
        #expect(run.status == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("the target serves at most 32 connections at once [busy]"), "\(run.stdout)")
    }

    @Test func helloOutsideTheBoundsIsRefused() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        func rr(_ exchange: Exchange) -> CaseSpec { CaseSpec(name: "x", workload: .rr(RequestResponseWorkload(exchange: exchange))) }
        let zeroChunk = rr(Exchange(writeChunk: 0))
        let hugeBatch = rr(Exchange(strategy: .coalesce(maxMessages: 10, maxBytes: 1 << 46, lingerNanos: 0)))
        let hugeWrites = CaseSpec(name: "x", workload: .stream(StreamWorkload(writeSize: 1 << 40)))
        let forever = rr(Exchange(targetCostNanos: 3_600_000_000_000))
        for (i, spec) in [zeroChunk, hugeBatch, hugeWrites, forever].enumerated() {
            let message = Self.rejection(server.endpoint, Self.hello(.control, session: UInt64(100 + i), spec: spec))
            #expect(message?.code == "bad_case", "\(String(describing: message))")
        }
        try Self.stillServes(server)
    }

    @Test func duplicateConnectionIndexesAndOversizedResponseAsksAreRefused() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        var spec = CaseSpec(name: "x", workload: .rr(RequestResponseWorkload(requestSize: 16, responseSize: 16)))
        spec.connections = 2
        let control = try DriverConnection.open(to: server.endpoint, role: .control, session: 7, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let first = try DriverConnection.open(to: server.endpoint, role: .data, session: 7, spec: spec, timeoutSeconds: 5)
        defer { first.socket.close() }
        #expect(Self.rejection(server.endpoint, Self.hello(.data, session: 7, index: 0, spec: spec))?.code == "bad_connection")
        // The mark still works with the session as it is.
        try control.socket.send(ControlCodec.emptyFrame(.mark))
        _ = try control.expect(.ack)

        // A request asking for a 100-byte response in a 16/16 case.
        var frame = [UInt8](repeating: 0, count: FrameHeader.size)
        frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: 0, sequence: 0, aux: 100).encode(into: $0.baseAddress!) }
        try first.socket.send(frame)
        do {
            _ = try first.expect(.response)
            Issue.record("answered an oversized ask")
        } catch {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "bad_request")
        }
        try Self.stillServes(server)
    }

    @Test func writerThreadsStopWhenTheirConnectionBreaks() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let spec = CaseSpec(name: "x", workload: .rr(RequestResponseWorkload(
            requestSize: 1024, responseSize: 1024, exchange: Exchange(inflight: 8, strategy: .writerThread(queueDepth: 8, maxBytes: 64 * 1024)))))
        for i in 0..<10 {
            let session = UInt64(200 + i)
            let control = try DriverConnection.open(to: server.endpoint, role: .control, session: session, spec: spec, timeoutSeconds: 5)
            let data = try DriverConnection.open(to: server.endpoint, role: .data, session: session, spec: spec, timeoutSeconds: 5)
            var frame = [UInt8](repeating: 0, count: FrameHeader.size)
            frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: 1024, sequence: 0, aux: 1024).encode(into: $0.baseAddress!) }
            // Half a request, then gone.
            try data.socket.send(frame + [UInt8](repeating: 1, count: 100))
            data.socket.close()
            control.socket.close()
        }
        var writers = Self.threads(named: "writer", of: server.pid)
        let deadline = Date().addingTimeInterval(5)
        while writers > 0, Date() < deadline {
            usleep(20_000)
            writers = Self.threads(named: "writer", of: server.pid)
        }
        #expect(writers == 0, "\(writers) writer threads left behind")
        try Self.stillServes(server)
    }

    @Test func connectionsBeyondTheLimitAreRefusedAndSilentOnesDropped() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--max-connections", "2", "--idle-timeout", "1"])
        defer { server.stop() }
        let spec = CaseSpec(name: "x", workload: .rr)
        let a = try DriverConnection.open(to: server.endpoint, role: .control, session: 1, spec: spec, timeoutSeconds: 5)
        let b = try DriverConnection.open(to: server.endpoint, role: .control, session: 2, spec: spec, timeoutSeconds: 5)
        #expect(Self.rejection(server.endpoint, Self.hello(.control, session: 3, spec: spec))?.code == "busy")
        // Silent past --idle-timeout: the target drops them and has room again.
        try a.socket.setReceiveTimeout(seconds: 5)
        let last = try #require(try a.reader.next(), "a timeout frame before the close")
        #expect(last.header.type == .error && (try? ControlCodec.decode(ErrorMessage.self, from: last.payload))?.code == "timeout",
                "dropped after the idle timeout, saying so: \(last.header)")
        #expect(try a.reader.next() == nil, "then closed")
        a.socket.close()
        b.socket.close()
        // The run below needs both slots: wait (bounded) until the target has ended both
        // connections' threads, rather than for a fixed time.
        var connections = Self.threads(named: "conn-", of: server.pid)
        let deadline = Date().addingTimeInterval(5)
        while connections > 0, Date() < deadline {
            usleep(10_000)
            connections = Self.threads(named: "conn-", of: server.pid)
        }
        #expect(connections == 0, "\(connections) connection threads still running")
        try Self.stillServes(server)
    }

    @Test func aListenerInUseIsARuntimeFailure() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let second = try Tool.run(["serve", "--listen", "unix://\(dir)/t.sock"], timeout: 10)
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("cannot listen"))
    }
}
