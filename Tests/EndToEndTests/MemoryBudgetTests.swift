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

    /// VmHWM (peak RSS) of `pid` in bytes.
    static func peakRSS(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    static func varint(_ v: Int) -> [UInt8] {
        var v = UInt64(v), out: [UInt8] = []
        repeat { out.append(UInt8(v & 0x7F) | (v > 0x7F ? 0x80 : 0)); v >>= 7 } while v > 0
        return out
    }

    static func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(bytes.count) + bytes }

    /// Masked requests of the costliest rows the agent's wire limits let through (22-byte rows
    /// of one 15-byte cell: swift-protobuf allocates about 9 bytes per byte of them), on every
    /// data connection the budget admits, all at once: the target's peak RSS stays within
    /// --max-memory of its baseline. The budget used to count 3 times the fragment for the
    /// decoding, and admitted 3 times as many connections as the memory held.
    @Test func maskedRequestsOfTheCostliestRowsStayWithinTheBudget() throws {
        let dir = try Tool.scratch()
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--mode", "agent", "--max-memory", "128MiB"])
        defer { server.stop() }
        let baseline = Self.rss(server.pid)
        #expect(baseline > 0)
        let spec = CaseSpec(name: "costly-rows", workload: .masked(MaskedWorkload(requestSizes: .fixed(512 << 10))))
        // Within the largest request the case allows, with a response within what the driver
        // reads for it (a quarter of the frame limit).
        let limit = min(spec.largestRequestPayload(maxFrame: 4 << 20), 960 << 10)
        // One column of class none (copied as it is), then the rows.
        var fragment = Self.field(3, Self.field(1, Array("c".utf8)))
        let row = Self.field(4, Self.field(1, Array(repeating: 0x61, count: 15)) + Self.field(2, [15]))
        #expect(row.count == 22)
        fragment.reserveCapacity(limit)
        while fragment.count + row.count <= limit { fragment += row }
        var header = [UInt8](repeating: 0, count: FrameHeader.size)
        header.withUnsafeMutableBytes { FrameHeader(type: .request, length: fragment.count, sequence: 0).encode(into: $0.baseAddress!) }
        let frame = header + fragment
        var controls: [DriverConnection] = []
        var data: [DriverConnection] = []
        defer { for connection in controls + data { connection.socket.close() } }
        var refused = 0
        for session in 1...16 {
            let control = try DriverConnection.open(to: server.endpoint, role: .control, session: UInt64(session), spec: spec, timeoutSeconds: 5)
            controls.append(control)
            do {
                data.append(try DriverConnection.open(to: server.endpoint, role: .data, session: UInt64(session), spec: spec, timeoutSeconds: 5))
            } catch {
                guard case let .rejected(message) = error, message.code == "over_budget" else { throw error }
                refused += 1
            }
        }
        #expect(data.count >= 2 && refused > 0, "\(data.count) admitted, \(refused) refused")
        // Every admitted connection's request goes out before any response is read: the
        // target decodes them side by side.
        let senders = data.enumerated().map { index, connection in
            NativeThread.spawn(name: "send-\(index)") { try? connection.socket.send(frame) }
        }
        for sender in senders { sender.join() }
        for connection in data {
            // A plain receive timeout, not the process's read watchdog: a test of this process
            // that interrupts a scenario has the watchdog cut every read after 1 s from then on.
            try connection.socket.watchReads(seconds: 0)
            try connection.socket.setReceiveTimeout(seconds: 60)
            let response = try connection.expect(.response)
            #expect(response.payload.count >= fragment.count, "the cells come back as they are")
        }
        let peak = Self.peakRSS(server.pid)
        #expect(peak - baseline < 128 << 20, "RSS peaked at \(peak >> 20) MiB over a \(baseline >> 20) MiB baseline with \(data.count) connections admitted by a 128 MiB budget")
        // Once they close, the connection threads' arenas give their memory back.
        for connection in controls + data { connection.socket.close() }
        controls = []
        data = []
        var after = Self.rss(server.pid)
        for _ in 0..<100 where after > baseline + (24 << 20) {
            usleep(50_000)
            after = Self.rss(server.pid)
        }
        #expect(after < baseline + (24 << 20), "RSS \(after >> 20) MiB after close, \(baseline >> 20) MiB before, \(peak >> 20) MiB at the peak")
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
        let varint = Self.varint, field = Self.field
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

    /// A masked request of many long-named columns and two rows: the response echoes the column
    /// descriptors, which the agent's size projection used to leave out, so it came out past
    /// `--max-frame` (83 KB under 64 KiB). Now it is a bad request, the connection closes, and
    /// the target goes on serving.
    @Test func echoedColumnsCountAgainstMaxFrame() throws {
        let dir = try Tool.scratch()
        let maxFrame = 64 << 10
        let server = try ServeProcess(listen: "unix://\(dir)/t.sock", extra: ["--mode", "agent", "--max-frame", "64KiB"])
        defer { server.stop() }
        let spec = CaseSpec(name: "columns", workload: .masked(MaskedWorkload(requestSizes: .fixed(maxFrame))))
        let varint = Self.varint, field = Self.field
        /// One masked request on a fresh session; the response frame, or the error.
        func exchange(session: UInt64, _ fragment: [UInt8]) throws -> (Result<Frame, DriverError>, DriverConnection, DriverConnection) {
            let control = try DriverConnection.open(to: server.endpoint, role: .control, session: session, spec: spec, timeoutSeconds: 5)
            let data = try DriverConnection.open(to: server.endpoint, role: .data, session: session, spec: spec, timeoutSeconds: 5)
            var frame = [UInt8](repeating: 0, count: FrameHeader.size)
            frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: fragment.count, sequence: 0).encode(into: $0.baseAddress!) }
            try data.socket.send(frame + fragment)
            return (Result { () throws(DriverError) in try data.expect(.response) }, control, data)
        }
        // Name columns (SENSITIVITY_CLASS_NAME = 1) with 31-byte names; rows of one-byte cells,
        // each masked to a 20-byte token. The request fits the frame limit with room to spare.
        let columns = 1024
        var fragment: [UInt8] = [0x08, 0x01]
        for c in 0..<columns {
            let name = Array("c\(c)_".utf8) + Array(repeating: UInt8(ascii: "x"), count: 31 - "c\(c)_".utf8.count)
            fragment += field(3, field(1, name) + [0x18, 0x01])
        }
        let row = field(1, Array(repeating: 0x61, count: columns)) + field(2, (0..<columns).flatMap { _ in varint(1) })
        fragment += field(4, row) + field(4, row)
        #expect(fragment.count < maxFrame)
        do {
            let (outcome, control, data) = try exchange(session: 1, fragment)
            defer {
                data.socket.close()
                control.socket.close()
            }
            switch outcome {
            case .success(let frame):
                Issue.record("the target sent a \(frame.payload.count)-byte response under a \(maxFrame)-byte --max-frame")
            case .failure(.rejected(let message)):
                #expect(message.code == "bad_request")
                #expect(message.message.contains("over the \(maxFrame)-byte limit"), "\(message.message)")
            case .failure(let error):
                Issue.record("\(error)")
            }
            // The target closed the data connection after its error frame.
            try data.socket.setReceiveTimeout(seconds: 5)
            #expect(try data.reader.next() == nil, "the data connection is closed")
        }
        // And it still serves: one name column, one row.
        let small: [UInt8] = [0x08, 0x02] + field(3, field(1, Array("n".utf8)) + [0x18, 0x01]) + field(4, field(1, Array("Ada".utf8)) + field(2, varint(3)))
        let (next, nextControl, nextData) = try exchange(session: 2, small)
        defer { nextData.socket.close(); nextControl.socket.close() }
        let response = try next.get()
        #expect(response.payload.count > 0 && response.payload.count <= maxFrame)
    }
}
