import Foundation
import Testing
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire
@testable import VsockBenchModel
@testable import VsockBenchEngine
@testable import VsockBenchReport

/// Clients that misbehave get an error frame (where the socket still takes one) and are
/// closed; the server keeps serving everyone else and leaks nothing.
@Suite(.serialized) struct MalformedClientTests {
    static func header(_ type: UInt8 = FrameType.hello.rawValue, length: UInt32 = 0, magic: UInt32 = FrameHeader.magic, version: UInt8 = FrameHeader.version) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: FrameHeader.size)
        raw.withUnsafeMutableBytes { FrameHeader(type: .hello, length: Int(length)).encode(into: $0.baseAddress!) }
        raw.withUnsafeMutableBytes { $0.storeBytes(of: magic.bigEndian, toByteOffset: 0, as: UInt32.self) }
        raw[4] = version
        raw[5] = type
        return raw
    }

    /// Sends `bytes`, optionally half-closes, and returns the error code the server answered with.
    static func errorCode(_ endpoint: Endpoint, _ bytes: [UInt8], halfClose: Bool = false) throws -> String? {
        let socket = try Socket.connect(to: endpoint)
        defer { socket.close() }
        try socket.send(bytes)
        if halfClose { socket.shutdownWrite() }
        guard let (header, payload) = try readFrame(socket) else { return nil }
        #expect(header.type == .error)
        let message = try payload.withUnsafeBytes { try ControlCodec.decode(ErrorMessage.self, from: $0) }
        #expect(try readFrame(socket) == nil, "the server closes after the error frame")
        return message.code
    }

    @Test func eachMalformedFrameGetsItsErrorAndTheServerKeepsServing() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--max-frame", "64KiB"])
        defer { server.stop() }
        let target = server.endpoint
        #expect(try Self.errorCode(target, Self.header(magic: 0xDEAD_BEEF)) == "bad_magic")
        #expect(try Self.errorCode(target, Self.header(version: 9)) == "bad_version")
        #expect(try Self.errorCode(target, Self.header(77)) == "unknown_type")
        #expect(try Self.errorCode(target, Self.header(length: 1 << 20)) == "frame_too_large")
        #expect(try Self.errorCode(target, Array(Self.header(length: 4)[0..<10]), halfClose: true) == "truncated_header")
        #expect(try Self.errorCode(target, Self.header(length: 1000) + [UInt8](repeating: 1, count: 10), halfClose: true) == "truncated_payload")
        #expect(try Self.errorCode(target, Self.header(FrameType.request.rawValue, length: 0)) == "expected_hello")
        #expect(try Self.errorCode(target, Self.header(length: 2) + Array("{{".utf8)) == "bad_control")

        // A client that vanishes mid-frame gets nothing (nobody to tell) and breaks nothing.
        let vanishing = try Socket.connect(to: target)
        try vanishing.send(Self.header(length: 5000) + [UInt8](repeating: 0, count: 100))
        vanishing.close()

        let ok = try Tool.run(["run", "scenarios/chatty-8k.yaml", "--case", "stop-and-wait", "--target", target.description,
                               "--duration", "200ms", "--warmup", "0s"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let (_, log) = server.stop()
        #expect(log.contains("bad_magic"), "connection events are logged")
    }

    @Test func aMalformedFrameMidSessionClosesOnlyThatConnection() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let spec = CaseSpec(name: "x", workload: .rr(RequestResponseWorkload(requestSize: 64, responseSize: 64)))
        let control = try DriverConnection.open(to: server.endpoint, role: .control, session: 7, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: server.endpoint, role: .data, session: 7, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        try data.socket.send(Self.header(magic: 0x0102_0304))
        #expect(throws: DriverError.self) { try data.expect(.response) }
        // The control connection of the same session still answers.
        try control.socket.send(ControlCodec.emptyFrame(.statsRequest))
        let stats = try control.expect(.stats)
        let decoded = try ControlCodec.decode(TargetStats.self, from: stats.payload)
        #expect(decoded.errors.contains { $0.contains("bad frame magic") })
        #expect(!decoded.errors.contains { $0.contains("1020304") }, "the peer's bytes are not repeated: \(decoded.errors)")
        #expect(!server.stop().log.contains("1020304"), "nor logged")
    }

    @Test func fiftyConcurrentConnectionsLeaveNoDescriptorBehind() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock")
        defer { server.stop() }
        let baseline = server.descriptorCount()
        #expect(baseline > 0)
        let path = try scenarioFile("""
            name: fifty
            defaults: {warmup: 0s}
            cases:
              - {name: fifty, workload: rr, connections: 50, messages: 5000, request_size: 2KiB, response_size: 2KiB}
            """)
        // Fifty well-behaved connections and, at the same time, fifty broken ones.
        let endpoint = server.endpoint
        for i in 0..<50 {
            Thread.detachNewThread {
                guard let s = try? Socket.connect(to: endpoint) else { return }
                try? s.send(MalformedClientTests.header(length: UInt32(100 + i)) + [UInt8](repeating: 9, count: i))
                s.close()
            }
        }
        let result = try Tool.run(["run", path, "--target", server.endpoint.description, "--json", dir + "/r.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try RunDocument.decode(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/r.json"))))
        #expect(document.cases[0].messages == 5000)
        #expect(document.cases[0].target?.connections.count == 50)

        var now = server.descriptorCount()
        let deadline = Date().addingTimeInterval(5)
        while now != baseline, Date() < deadline {
            usleep(20_000)
            now = server.descriptorCount()
        }
        #expect(now == baseline, "descriptors: \(baseline) before, \(now) after")

        let again = try Tool.run(["run", "scenarios/chatty-8k.yaml", "--case", "stop-and-wait", "--target", server.endpoint.description,
                                  "--duration", "200ms", "--warmup", "0s"])
        #expect(again.status == 0, "\(again.stderr)")
    }
}
