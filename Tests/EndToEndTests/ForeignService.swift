import Foundation
import Synchronization
@testable import VsockBenchSupport
@testable import VsockTransport
@testable import VsockWire

/// A small service that is not vsockbench, for replay tests: reads requests in its request
/// framing, waits `delayMicros`, answers `respond(request)` in its response framing (`answers`
/// times: more than once is a misbehaving service), and counts what it handled and keeps the
/// distinct requests it saw. `closeAfter`: closes on the request after that many answers;
/// `closeAfterAnswering`: right after that many; `stallMicros`: reads nothing for that long
/// first. Listens on a Unix socket until `stop()`.
final class ForeignService: Sendable {
    let endpoint: Endpoint
    private let listener: Listener
    private let handledCount = Atomic<Int>(0)
    private let seenRequests = Mutex<Set<[UInt8]>>([])

    var handled: Int { handledCount.load(ordering: .acquiring) }
    var requests: Set<[UInt8]> { seenRequests.withLock { $0 } }

    /// `greeting`: bytes sent on each connection before any request (a service that speaks first).
    /// `dropAnswer`: the request (counted from 1 on each connection) whose answer is left out;
    /// `answerTwice`: the one answered twice. `pause`: before answering that request, it waits
    /// that many microseconds (a service that stops answering for a while).
    init(path: String, requests: MessageFraming, responses: MessageFraming, delayMicros: UInt32 = 0,
         closeAfter: Int? = nil, closeAfterAnswering: Int? = nil, answers: Int = 1, greeting: [UInt8]? = nil,
         dropAnswer: Int? = nil, answerTwice: Int? = nil, stallMicros: UInt32 = 0, pause: (request: Int, micros: UInt32)? = nil,
         respond: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
        endpoint = .unix(path: path)
        listener = try Listener(endpoint: endpoint)
        let listener = self.listener
        let counter = self
        _ = NativeThread.spawn(name: "foreign-accept") {
            while let socket = try? listener.accept() {
                _ = NativeThread.spawn(name: "foreign-conn") {
                    defer { socket.close() }
                    let reader = FrameReader(socket: socket, maxPayload: 16 << 20)
                    reader.foreign = requests
                    if let greeting {
                        guard (try? greeting.withUnsafeBytes { try socket.writeAll($0.baseAddress!, count: $0.count) }) != nil else { return }
                    }
                    // Reads nothing for a while: a service that stopped reading.
                    if stallMicros > 0 { usleep(stallMicros) }
                    var served = 0
                    var seen = 0
                    while let request = try? reader.next() {
                        if let closeAfter, served >= closeAfter { return }
                        if delayMicros > 0 { usleep(delayMicros) }
                        let payload = Array(request.payload)
                        counter.seenRequests.withLock { _ = $0.insert(payload) }
                        var out: [UInt8] = []
                        seen += 1
                        if let pause, seen == pause.request { usleep(pause.micros) }
                        if seen == dropAnswer { continue }
                        for _ in 0..<(seen == answerTwice ? 2 : answers) { responses.encode(respond(payload), into: &out) }
                        guard (try? out.withUnsafeBytes { try socket.writeAll($0.baseAddress!, count: $0.count) }) != nil else { return }
                        served += 1
                        counter.handledCount.wrappingAdd(1, ordering: .releasing)
                        // Closes right after an answer: nothing outstanding at that moment.
                        if let closeAfterAnswering, served >= closeAfterAnswering { return }
                    }
                }
            }
        }
    }

    func stop() {
        listener.stop()
        listener.close()
    }
}

/// socat, when the machine has it (`scripts/install-deps.sh` installs it for the tests).
enum Socat {
    static let path: String? = ["/usr/bin/socat", "/bin/socat", "/usr/local/bin/socat"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Starts socat with `arguments`; stop it with `stop(_:)`.
    static func start(_ arguments: [String], waitingFor socketPath: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/socat")
        process.arguments = arguments
        // Not the test runner's pipes: a socat left behind would hold them open.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socketPath) { usleep(10_000) }
        return process
    }

    /// Stops a socat for good: SIGKILL (a SIGTERM left some running after the tests, when
    /// the test process's ignored signals were inherited) and waits for it.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A small service that is not vsockbench, over a unix seqpacket socket: every request is one
/// packet, every answer `respond(request)` one packet (an empty array: an empty packet). It
/// counts the connections it accepted, the requests it answered and the bytes they carried,
/// and keeps the distinct request sizes it saw (a framing left on the wire would show there).
final class SeqpacketService: Sendable {
    let endpoint: Endpoint
    private let listener: Listener
    private let acceptedCount = Atomic<Int>(0)
    private let handledCount = Atomic<Int>(0)
    private let requestBytes = Atomic<Int>(0)
    private let seenSizes = Mutex<Set<Int>>([])

    var accepted: Int { acceptedCount.load(ordering: .acquiring) }
    var handled: Int { handledCount.load(ordering: .acquiring) }
    var bytes: Int { requestBytes.load(ordering: .acquiring) }
    var sizes: Set<Int> { seenSizes.withLock { $0 } }

    /// `greeting`: a packet sent on each connection before any request (a service that speaks first).
    init(path: String, closeAfter: Int? = nil, greeting: [UInt8]? = nil, respond: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
        endpoint = .unixSeqpacket(path: path)
        listener = try Listener(endpoint: endpoint)
        let listener = self.listener
        let service = self
        _ = NativeThread.spawn(name: "seqpacket-accept") {
            while let socket = try? listener.accept() {
                service.acceptedCount.wrappingAdd(1, ordering: .releasing)
                _ = NativeThread.spawn(name: "seqpacket-conn") {
                    defer { socket.close() }
                    let capacity = 1 << 20
                    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
                    defer { buffer.deallocate() }
                    var served = 0
                    if let greeting {
                        guard greeting.withUnsafeBytes({ (try? socket.sendMessage($0.baseAddress!, count: $0.count)) != nil }) else { return }
                    }
                    while case let .message(count)? = try? socket.receiveMessage(into: buffer, capacity: capacity) {
                        if let closeAfter, served >= closeAfter { return }
                        service.requestBytes.wrappingAdd(count, ordering: .releasing)
                        service.seenSizes.withLock { _ = $0.insert(count) }
                        let answer = respond(Array(UnsafeRawBufferPointer(start: buffer, count: count)))
                        let sent = answer.withUnsafeBytes { raw in
                            (try? socket.sendMessage(raw.baseAddress ?? UnsafeRawPointer(buffer), count: raw.count)) != nil
                        }
                        guard sent else { return }
                        served += 1
                        service.handledCount.wrappingAdd(1, ordering: .releasing)
                    }
                }
            }
        }
    }

    func stop() {
        listener.stop()
        listener.close()
    }
}

/// A raw peer on a Unix socket: each accepted connection goes to `serve` on a thread of its
/// own, with a way to ask whether the test is over (`stop()`), for the peers that hold a
/// connection open until then.
final class RawPeer: Sendable {
    let endpoint: Endpoint
    private let listener: Listener
    private let stopped = Atomic<Bool>(false)
    private let acceptedCount = Atomic<Int>(0)
    /// Connections accepted so far: a cue that the driver has reached the peer.
    var accepted: Int { acceptedCount.load(ordering: .acquiring) }

    init(path: String, name: String, serve: @escaping @Sendable (Socket, _ stopped: @escaping @Sendable () -> Bool) -> Void) throws {
        endpoint = .unix(path: path)
        listener = try Listener(endpoint: endpoint)
        let listener = self.listener
        let peer = self
        _ = NativeThread.spawn(name: "\(name)-accept") {
            while let socket = try? listener.accept() {
                peer.acceptedCount.add(1, ordering: .releasing)
                _ = NativeThread.spawn(name: "\(name)-conn") {
                    serve(socket) { peer.stopped.load(ordering: .acquiring) }
                }
            }
        }
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        listener.stop()
        listener.close()
    }

    /// A source that sends nothing and holds the connection open until `stop()` (bounded: 30 s).
    static func silent(path: String) throws -> RawPeer {
        try RawPeer(path: path, name: "silent") { socket, stopped in
            defer { socket.close() }
            for _ in 0..<600 where !stopped() { usleep(50_000) }
        }
    }

    /// A raw echo that does not close when the driver half-closes: every byte back, then it
    /// holds the connection open until `stop()` (as some users' services do; socat's EXEC:cat
    /// closes).
    static func stubbornEcho(path: String) throws -> RawPeer {
        try RawPeer(path: path, name: "stubborn") { socket, stopped in
            defer { socket.close() }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer { buffer.deallocate() }
            while let n = try? socket.read(into: buffer, count: 65536), n > 0 {
                guard (try? socket.writeAll(buffer, count: n)) != nil else { return }
            }
            // End of the requests: stay open, bounded, until the test is over.
            for _ in 0..<600 where !stopped() { usleep(50_000) }
        }
    }

    /// A peer that reads its first 256 KiB (with `echo`, sending the first 64 KiB back, which
    /// the driver's tx stream never reads: few enough that the echo's own write cannot block),
    /// then stops reading for `stall` seconds, then reads everything to the end: the driver's
    /// write blocks through a short interval and returns well after it. Without `echo`, a
    /// plain sink that stalled.
    static func stallingPeer(path: String, echo: Bool, stall: Double) throws -> RawPeer {
        try RawPeer(path: path, name: echo ? "stalling-echo" : "stalling-sink") { socket, stopped in
            defer { socket.close() }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer { buffer.deallocate() }
            var read = 0
            while read < 256 * 1024, let n = try? socket.read(into: buffer, count: 65536), n > 0 {
                if echo, read < 64 * 1024 {
                    guard (try? socket.writeAll(buffer, count: min(n, 64 * 1024 - read))) != nil else { return }
                }
                read += n
            }
            let end = Date().addingTimeInterval(stall)
            while Date() < end, !stopped() { usleep(20_000) }
            while let n = try? socket.read(into: buffer, count: 65536), n > 0 {}
        }
    }

    /// A sink that reads everything and never stops talking: it sends 16 KiB blocks (bounded:
    /// 20 s, or until stopped) while it reads, and after the driver's half-close too (a source,
    /// or a service's heartbeats).
    static func chattySink(path: String) throws -> RawPeer {
        try RawPeer(path: path, name: "chatty") { socket, stopped in
            // The reader (this thread) closes the socket, once the writer is done (it shuts the
            // socket down then, which ends a read still waiting): never under the other's call.
            let written = Atomic<Bool>(false)
            _ = NativeThread.spawn(name: "chatty-write") {
                defer {
                    socket.shutdownBoth()
                    written.store(true, ordering: .releasing)
                }
                let block = UnsafeMutableRawPointer.allocate(byteCount: 16384, alignment: 16)
                defer { block.deallocate() }
                block.initializeMemory(as: UInt8.self, repeating: 0x2a, count: 16384)
                let end = Date().addingTimeInterval(20)
                while !stopped(), Date() < end {
                    guard (try? socket.writeAll(block, count: 16384)) != nil else { return }
                }
            }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer { buffer.deallocate() }
            while let n = try? socket.read(into: buffer, count: 65536), n > 0 {}
            for _ in 0..<500 where !written.load(ordering: .acquiring) { usleep(50_000) }
            socket.close()
        }
    }
}
