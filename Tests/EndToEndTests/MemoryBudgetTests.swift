import Foundation
import Testing
@testable import VsockBenchEngine
@testable import VsockBenchModel
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// The target's memory is bounded whatever the hellos ask for: cases that would need more than
/// `--max-memory` are refused before anything is allocated, and memory goes back after.
@Suite(.serialized) struct MemoryBudgetTests {
    /// VmRSS of `pid` in bytes.
    static func rss(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        return kilobytes * 1024
    }

    @Test func eightHugeStreamHellosStayWithinTheBudget() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--max-memory", "256MiB"])
        defer { server.stop() }
        let baseline = Self.rss(server.pid)
        #expect(baseline > 0)
        // Each asks the target to send 64 MiB writes: 64 MiB of pool per connection.
        let spec = CaseSpec(name: "huge", workload: .stream(StreamWorkload(writeSize: 64 << 20, direction: .rx)))
        var accepted: [DriverConnection] = []
        var refused: [String] = []
        var peak = 0
        for session in 1...8 {
            let control = try DriverConnection.open(to: server.endpoint, role: .control, session: UInt64(session), spec: spec, timeoutSeconds: 5)
            accepted.append(control)
            do {
                accepted.append(try DriverConnection.open(to: server.endpoint, role: .data, session: UInt64(session), spec: spec, timeoutSeconds: 5))
            } catch {
                if case let .rejected(message) = error { refused.append(message.code + ": " + message.message) } else { throw error }
            }
            peak = max(peak, Self.rss(server.pid))
        }
        for _ in 0..<20 {
            peak = max(peak, Self.rss(server.pid))
            usleep(25_000)
        }
        #expect(refused.count >= 5, "at most 3 of 64 MiB fit in 256 MiB: \(refused)")
        #expect(refused.first?.hasPrefix("over_budget: this case needs about 64.") == true, "\(refused)")
        #expect(refused.first?.contains("--max-memory 256MiB") == true)
        #expect(peak < baseline + (256 + 64) << 20, "RSS peaked at \(peak >> 20) MiB over a \(baseline >> 20) MiB baseline")
        for connection in accepted { connection.socket.close() }
        // After the connections close, the memory goes back (bounded wait).
        var after = Self.rss(server.pid)
        for _ in 0..<100 where after > baseline + (48 << 20) {
            usleep(50_000)
            after = Self.rss(server.pid)
        }
        #expect(after < baseline + (48 << 20), "RSS \(after >> 20) MiB after close, \(baseline >> 20) MiB before")
    }

    /// One masked request of one-byte name cells used to produce a 43.6 MB response, far past
    /// the target's own frame limit: refused before it is built.
    @Test func anAmplifyingAgentRequestIsABadRequest() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--mode", "agent", "--max-frame", "1MiB"])
        defer { server.stop() }
        let spec = CaseSpec(name: "amplify", workload: .masked(MaskedWorkload(requestSizes: .fixed(1 << 20))))
        let control = try DriverConnection.open(to: server.endpoint, role: .control, session: 1, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: server.endpoint, role: .data, session: 1, spec: spec, timeoutSeconds: 5)
        defer { data.socket.close() }
        // A QueryFragment: 64 name columns (SENSITIVITY_CLASS_NAME = 1 in proto/agent.proto), then
        // rows of 64 one-byte cells, written by hand in protobuf wire format.
        var fragment: [UInt8] = []
        func varint(_ v: Int) -> [UInt8] {
            var v = UInt64(v), out: [UInt8] = []
            repeat { out.append(UInt8(v & 0x7F) | (v > 0x7F ? 0x80 : 0)); v >>= 7 } while v > 0
            return out
        }
        func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(bytes.count) + bytes }
        for c in 0..<64 { fragment += field(3, field(1, Array("c\(c)".utf8)) + [0x18, 0x01]) }
        let row = field(1, Array(repeating: 0x61, count: 64)) + field(2, (0..<64).flatMap { _ in varint(1) })
        while fragment.count < (1 << 20) - 200 { fragment += field(4, row) }
        var frame = [UInt8](repeating: 0, count: FrameHeader.size)
        frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: fragment.count, sequence: 0).encode(into: $0.baseAddress!) }
        try data.socket.send(frame + fragment)
        do {
            _ = try data.expect(.response)
            Issue.record("the target built and sent an amplified response")
        } catch {
            guard case let .rejected(message) = error else { Issue.record("\(error)"); return }
            #expect(message.code == "bad_request")
            #expect(message.message.contains("over the 1048576-byte limit"), "\(message.message)")
        }
        #expect(Self.rss(server.pid) < 200 << 20, "no 40 MB response was built")
    }
}
