#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchAgent
import VsockBenchModel
import VsockBenchSupport
import VsockTransport
import VsockWire
@testable import VsockBenchEngine

/// The target processes sensitive data: memory that held a peer's bytes is cleared before it
/// goes back to the allocator, so a core dump or the next allocation finds none of them. Seen
/// from outside: a marker the peer sent is nowhere in this process's writable memory once the
/// connection that read it has ended.
@Suite(.serialized) struct ReleasedMemoryTests {
    /// 32 random bytes; only their complement is kept here (the search key), so the marker
    /// itself exists only where the target put it.
    struct Marker {
        let complement: [UInt8]
        init() { complement = (0..<32).map { _ in ~UInt8.random(in: 0...255) } }
        init(complement: [UInt8]) { self.complement = complement }

        /// `count` bytes of the marker repeated, in a buffer the caller owns.
        func fill(_ count: Int) -> UnsafeMutableRawPointer {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
            for i in 0..<count { buffer.storeBytes(of: ~complement[i % 32], toByteOffset: i, as: UInt8.self) }
            return buffer
        }
    }

    /// How many times the marker occurs in this process's private writable mappings of at most
    /// 1 GiB (heap, thread arenas, anonymous maps), read through /proc/self/mem.
    static func occurrences(of marker: Marker) throws -> Int {
        try scanWritableMemory { count(marker, in: $0, $1) }
    }

    /// Hands each chunk of this process's private writable mappings of at most 1 GiB to
    /// `countIn` and adds up what it counts; each chunk is zeroed once counted.
    static func scanWritableMemory(_ countIn: (UnsafeMutableRawPointer, Int) -> Int) throws -> Int {
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let mem = open("/proc/self/mem", O_RDONLY)
        guard mem >= 0 else { throw FixtureError("open /proc/self/mem: errno \(errno)") }
        defer { close(mem) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk + 32, alignment: 16)
        defer { buffer.deallocate() }
        var found = 0
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1] == "rw-p" else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt(String($0), radix: 16) }
            guard bounds.count == 2, bounds[1] - bounds[0] <= 1 << 30 else { continue }
            var at = bounds[0]
            while at < bounds[1] {
                let want = Int(min(UInt(chunk), bounds[1] - at))
                let n = pread(mem, buffer, want, off_t(Int(bitPattern: at)))
                if n <= 0 { break }
                found += countIn(buffer, n)
                buffer.initializeMemory(as: UInt8.self, repeating: 0, count: n)
                at += UInt(n)
            }
        }
        return found
    }

    /// The masked agent's name tokens (`tok_` and 16 hex digits) in `bytes`, each kept as the
    /// complement of its 16 digits: the set holds no copy of a token.
    static func tokenComplements(in bytes: UnsafeRawBufferPointer) -> Set<[UInt8]> {
        var found: Set<[UInt8]> = []
        forEachToken(in: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count) { found.insert($0) }
        return found
    }

    /// Calls `body` with the complement of the 16 digits of each `tok_` + 16 lowercase hex digits.
    private static func forEachToken(in bytes: UnsafePointer<UInt8>, _ n: Int, _ body: ([UInt8]) -> Void) {
        let prefix: [UInt8] = [~UInt8(ascii: "t"), ~UInt8(ascii: "o"), ~UInt8(ascii: "k"), ~UInt8(ascii: "_")]
        func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) }
        var i = 0
        while i + 20 <= n {
            if ~bytes[i] == prefix[0], ~bytes[i + 1] == prefix[1], ~bytes[i + 2] == prefix[2], ~bytes[i + 3] == prefix[3],
               (4..<20).allSatisfy({ isHex(bytes[i + $0]) }) {
                body((4..<20).map { ~bytes[i + $0] })
                i += 20
                continue
            }
            i += 1
        }
    }

    /// Whole markers starting at 32-byte-aligned offsets of the pattern are enough: the target
    /// reads into 16-byte-aligned buffers, but any alignment is searched.
    private static func count(_ marker: Marker, in buffer: UnsafeMutableRawPointer, _ n: Int) -> Int {
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        let first = ~marker.complement[0]
        var found = 0
        var i = 0
        while i + 32 <= n {
            if bytes[i] == first {
                var j = 1
                while j < 32, bytes[i + j] == ~marker.complement[j] { j += 1 }
                if j == 32 { found += 1; i += 32; continue }
            }
            i += 1
        }
        return found
    }

    /// A stream's sink reads the peer's bytes into its own buffer: after a connection whose
    /// bytes were refused (they are not the case's pattern), none of them is left in memory.
    @Test func aStreamsReceiveBufferIsClearedBeforeItIsFreed() throws {
        let marker = Marker()
        #expect(try Self.occurrences(of: marker) == 0, "the marker is random: nowhere before it is sent")
        let target = try InProcessServer()
        defer { target.stop() }
        // Under the allocator's mmap threshold: the freed buffer stays in the process's heap.
        let spec = CaseSpec(name: "sink", workload: .stream(StreamWorkload(writeSize: 64 << 10, direction: .tx)))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 61, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 61, spec: spec, timeoutSeconds: 5)
        let size = 64 << 10
        let payload = marker.fill(size)
        try? data.socket.writeAll(payload, count: size)
        payload.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        payload.deallocate()
        data.socket.shutdownWrite()
        // The target refuses the stream at its first read (the bytes are not the pattern).
        let (message, _) = try AnnouncedSizeTests.errorFrame(on: data.socket, within: 5)
        #expect(message.code == "stream_corrupt", "\(message)")
        data.socket.close()
        try Self.expectNoCopies(of: marker, once: target, sent: "\(size / 32) were sent")
    }

    /// Once the data connection is over (the control connection stays open until the test
    /// ends), no copy of `marker` is in this process's memory.
    static func expectNoCopies(of marker: Marker, once target: InProcessServer, sent: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let deadline = MonotonicClock.nanos() + 5_000_000_000
        while target.server.activeConnections > 1, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 2_000_000) }
        #expect(target.server.activeConnections == 1, sourceLocation: sourceLocation)
        let left = try occurrences(of: marker)
        #expect(left == 0, "\(left) copies of the peer's 32-byte marker (\(sent)) are left in freed memory", sourceLocation: sourceLocation)
    }

    /// rr: requests carrying the marker are echoed back (the response is the request's own
    /// bytes) through each strategy's sink; once the connection is over, no copy is left on
    /// the target, nor in this driver's reader.
    @Test(arguments: [
        Exchange(),
        Exchange(inflight: 4, strategy: .coalesce(maxMessages: 4, maxBytes: 64 << 10, lingerNanos: 50_000)),
        Exchange(inflight: 4, strategy: .writev(maxMessages: 4)),
        Exchange(inflight: 4, strategy: .writerThread(queueDepth: 4, maxBytes: 64 << 10)),
    ])
    func echoedRequestsLeaveNoCopy(exchange: Exchange) throws {
        let marker = Marker()
        let target = try InProcessServer()
        defer { target.stop() }
        let size = 8 << 10
        let spec = Specs.rr(request: size, response: size, exchange: exchange, stop: .messages(4))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 62, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        do {
            let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 62, spec: spec, timeoutSeconds: 5)
            let frame = marker.fill(FrameHeader.size + size)
            for sequence in 0..<4 {
                FrameHeader(type: .request, length: size, sequence: UInt64(sequence), aux: UInt32(size)).encode(into: frame)
                try data.socket.writeAll(frame, count: FrameHeader.size + size)
            }
            frame.initializeMemory(as: UInt8.self, repeating: 0, count: FrameHeader.size + size)
            frame.deallocate()
            for sequence in 0..<4 {
                let response = try #require(try data.reader.next(), "response \(sequence)")
                #expect(response.header.type == .response && response.header.sequence == UInt64(sequence))
                #expect(response.payload.count == size)
            }
            data.socket.shutdownWrite()
            _ = try? data.reader.next()
            data.socket.close()
        }
        try Self.expectNoCopies(of: marker, once: target, sent: "\(4 * size / 32) were sent, as many echoed")
    }

    /// masked: swift-protobuf decodes each row's cells into a `Data` of its own and frees it
    /// without zeroing. A marker the peer sent only in NAME cells (masked to tokens, so the
    /// response holds none of it) was left in freed memory, 52 to 110 copies of 200 (review):
    /// the decoded rows are now zeroed once masked.
    @Test func aMaskedRequestsDecodedCellsLeaveNoCopy() throws {
        // Letters, so that the NAME rule masks the cell as a name; only the complement is kept.
        let complement = (0..<32).map { _ in ~UInt8(ascii: "A") &- UInt8.random(in: 0..<26) }
        let marker = Marker(complement: complement)
        #expect(try Self.occurrences(of: marker) == 0, "the marker is random: nowhere before it is sent")
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let spec = Specs.masked(sizes: .fixed(8 << 10), stop: .messages(1))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 64, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        do {
            let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 64, spec: spec, timeoutSeconds: 5)
            // QueryFragment {id: 1, columns: [{name: "n", type: TEXT, sensitivity: NAME}],
            // rows: 200 x {values: "Ms " + 29 letters, the marker, 32 letters; value_lengths:
            // [96]}}, encoded by hand so that the marker is only ever in this buffer (in the
            // middle of its cell: the allocator writes its own list pointers over the start of
            // a freed block).
            let rows = 200
            let payload = 2 + 9 + rows * 103
            let frame = UnsafeMutableRawPointer.allocate(byteCount: FrameHeader.size + payload, alignment: 16)
            let bytes = frame.assumingMemoryBound(to: UInt8.self)
            FrameHeader(type: .request, length: payload, sequence: 0).encode(into: frame)
            var at = FrameHeader.size
            func put(_ values: [UInt8]) { for v in values { bytes[at] = v; at += 1 } }
            put([0x08, 0x01, 0x1A, 0x07, 0x0A, 0x01, UInt8(ascii: "n"), 0x10, 0x04, 0x18, 0x01])
            let letters = Array("Ms abcdefghijklmnopqrstuvwxyzABC".utf8) + Array("CDEFGHIJKLMNOPQRSTUVWXYZabcdefgh".utf8)
            for _ in 0..<rows {
                put([0x22, 101, 0x0A, 96])
                put(Array(letters[0..<32]))
                for c in complement { bytes[at] = ~c; at += 1 }
                put(Array(letters[32..<64]))
                put([0x12, 0x01, 96])
            }
            #expect(at == FrameHeader.size + payload)
            try data.socket.writeAll(frame, count: at)
            frame.initializeMemory(as: UInt8.self, repeating: 0, count: FrameHeader.size + payload)
            frame.deallocate()
            let response = try #require(try data.reader.next(), "the response")
            #expect(response.header.type == .response, "\(response.header)")
            data.socket.shutdownWrite()
            _ = try? data.reader.next()
            data.socket.close()
        }
        try Self.expectNoCopies(of: marker, once: target, sent: "200 NAME cells were sent")
    }

    /// masked: the masker's table grows row by row over a large fragment, and the storage it
    /// outgrows held the earlier rows' cells (name tokens, and free text and unmasked columns
    /// in plaintext). It is cleared before it is freed: once the connection is over, none of
    /// the response's tokens is left (a review found 198 of 200 in freed memory).
    @Test func aMaskedFragmentsGrowingTableLeavesNoCopy() throws {
        let target = try InProcessServer(mode: .agent)
        defer { target.stop() }
        let size = 1 << 20
        let spec = Specs.masked(sizes: .fixed(size), stop: .messages(1))
        let control = try DriverConnection.open(to: target.endpoint, role: .control, session: 63, spec: spec, timeoutSeconds: 5)
        defer { control.socket.close() }
        var tokens: Set<[UInt8]> = []
        do {
            let data = try DriverConnection.open(to: target.endpoint, role: .data, session: 63, spec: spec, timeoutSeconds: 5)
            var generator = AgentRequestGenerator(seed: 11, sizes: SizeSpec.fixed(size).distribution)
            let request = generator.makeRequest(sequence: 0)
            var frame = [UInt8](repeating: 0, count: FrameHeader.size)
            frame.withUnsafeMutableBytes { FrameHeader(type: .request, length: request.bytes.count, sequence: 0).encode(into: $0.baseAddress!) }
            frame += request.bytes
            try frame.withUnsafeBytes { try data.socket.writeAll($0.baseAddress!, count: $0.count) }
            let response = try #require(try data.reader.next(), "the response")
            #expect(response.header.type == .response, "\(response.header)")
            tokens = response.payload.withUnsafeBytes { Self.tokenComplements(in: $0) }
            data.socket.shutdownWrite()
            _ = try? data.reader.next()
            data.socket.close()
        }
        #expect(tokens.count >= 100, "the fragment's names became \(tokens.count) distinct tokens")
        let deadline = MonotonicClock.nanos() + 5_000_000_000
        while target.server.activeConnections > 1, MonotonicClock.nanos() < deadline { MonotonicClock.sleep(nanos: 2_000_000) }
        #expect(target.server.activeConnections == 1)
        let left = try Self.scanWritableMemory { buffer, n in
            var found = 0
            Self.forEachToken(in: UnsafePointer(buffer.assumingMemoryBound(to: UInt8.self)), n) { if tokens.contains($0) { found += 1 } }
            return found
        }
        #expect(left == 0, "\(left) copies of the response's \(tokens.count) tokens are left in freed memory")
    }
}
