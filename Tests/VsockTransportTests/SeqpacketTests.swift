#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport
@testable import VsockTransport

/// Endpoints with SOCK_SEQPACKET: parsing, printing, errors.
@Suite struct SeqpacketEndpointTests {
    @Test func parsesBothSchemes() throws {
        #expect(try Endpoint(parsing: "vsock+seqpacket://16:5005") == .vsockSeqpacket(cid: 16, port: 5005))
        #expect(try Endpoint(parsing: "vsock+seqpacket://any:5005") == .vsockSeqpacket(cid: Endpoint.vsockAnyCID, port: 5005))
        #expect(try Endpoint(parsing: "VSOCK+SEQPACKET://local:7") == .vsockSeqpacket(cid: 1, port: 7))
        #expect(try Endpoint(parsing: "vsock+seqpacket://parent:9") == .vsockSeqpacket(cid: 3, port: 9))
        #expect(try Endpoint(parsing: "unix+seqpacket:///tmp/x.sock") == .unixSeqpacket(path: "/tmp/x.sock"))
    }

    @Test func printsAndRoundTrips() throws {
        #expect(Endpoint.vsockSeqpacket(cid: 16, port: 5005).description == "vsock+seqpacket://16:5005")
        #expect(Endpoint.vsockSeqpacket(cid: Endpoint.vsockAnyCID, port: 1).description == "vsock+seqpacket://any:1")
        #expect(Endpoint.unixSeqpacket(path: "/tmp/x.sock").description == "unix+seqpacket:///tmp/x.sock")
        for text in ["vsock+seqpacket://16:5005", "vsock+seqpacket://any:1", "unix+seqpacket:///tmp/a"] {
            #expect(try Endpoint(parsing: text).description == text)
        }
    }

    @Test("the transport names that go into results, and the kind of each endpoint")
    func namesAndKinds() {
        let cases: [(Endpoint, String, Bool)] = [
            (.vsock(cid: 16, port: 1), "vsock", false), (.unix(path: "/a"), "unix", false), (.tcp(host: "127.0.0.1", port: 1), "tcp", false),
            (.vsockSeqpacket(cid: 16, port: 1), "vsock+seqpacket", true), (.unixSeqpacket(path: "/a"), "unix+seqpacket", true),
        ]
        for (endpoint, name, messages) in cases {
            #expect(endpoint.transportName == name)
            #expect(endpoint.isMessageOriented == messages, "\(endpoint)")
            #expect(endpoint.socketKind == (messages ? .seqpacket : .stream))
        }
        #expect(Endpoint.vsockSeqpacket(cid: 16, port: 5).vsockAddress! == (16, 5))
        #expect(Endpoint.vsockSeqpacket(cid: 16, port: 5).isVsock)
        #expect(!Endpoint.unixSeqpacket(path: "/a").isVsock)
        #expect(Endpoint.unixSeqpacket(path: "/a").unixPath == "/a")
        #expect(Endpoint.tcp(host: "h", port: 1).unixPath == nil && Endpoint.tcp(host: "h", port: 1).vsockAddress == nil)
    }

    @Test("the same address with the other kind; tcp has no seqpacket")
    func switchesKind() {
        #expect(Endpoint.vsock(cid: 3, port: 4).with(kind: .seqpacket) == .vsockSeqpacket(cid: 3, port: 4))
        #expect(Endpoint.vsockSeqpacket(cid: 3, port: 4).with(kind: .stream) == .vsock(cid: 3, port: 4))
        #expect(Endpoint.unix(path: "/a").with(kind: .seqpacket) == .unixSeqpacket(path: "/a"))
        #expect(Endpoint.unixSeqpacket(path: "/a").with(kind: .seqpacket) == .unixSeqpacket(path: "/a"))
        #expect(Endpoint.tcp(host: "h", port: 1).with(kind: .seqpacket) == nil)
        #expect(Endpoint.tcp(host: "h", port: 1).with(kind: .stream) == .tcp(host: "h", port: 1))
    }

    @Test("stream and seqpacket endpoints of one address are different keys")
    func hashesApart() {
        let set: Set<Endpoint> = [.unix(path: "/a"), .unixSeqpacket(path: "/a"), .vsock(cid: 1, port: 1), .vsockSeqpacket(cid: 1, port: 1)]
        #expect(set.count == 4)
    }

    @Test(arguments: [
        ("vsock+seqpacket://abc:1", "CID 'abc'"),
        ("vsock+seqpacket://16", "expected vsock+seqpacket://CID:PORT"),
        ("vsock+seqpacket://16:x", "not a number"),
        ("vsock+seqpacket://:5", "missing CID"),
        ("unix+seqpacket://", "missing socket path (unix+seqpacket:///path/to/socket)"),
        ("unix+seqpacket://relative", "must be absolute (unix+seqpacket:///path/to/socket)"),
        ("unix+seqpacket:///tmp/dir/", "names a directory"),
        ("tcp+seqpacket://127.0.0.1:1", "for vsock and unix only"),
        ("seqpacket://x", "unknown scheme 'seqpacket'"),
        ("udp://x:1", "unix+seqpacket:///path"),
    ])
    func rejectsBadEndpointsWithAReason(input: String, expected: String) {
        #expect {
            _ = try Endpoint(parsing: input)
        } throws: { error in
            "\(error)".contains(expected) && "\(error)".contains(input)
        }
    }
}

/// Messages over Unix seqpacket sockets: boundaries, truncation, end, timeouts, counters.
@Suite struct SeqpacketSocketTests {
    static func bytes(_ count: Int, _ seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) } }

    @Test("messages sent back to back arrive one per receive, each exactly as sent")
    func keepsBoundaries() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        #expect(a.isMessageOriented && b.isMessageOriented)
        let messages = [Self.bytes(100, 1), Self.bytes(1, 2), Self.bytes(5000, 3), Self.bytes(32, 4)]
        for message in messages {
            message.withUnsafeBytes { raw in
                #expect(throws: Never.self) { try a.sendMessage(raw.baseAddress!, count: raw.count) }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 8192)
        for message in messages {
            let got = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: $0.count) }
            #expect(got == .message(count: message.count))
            #expect(Array(buffer[0..<message.count]) == message)
        }
        let sent = a.counters.snapshot()
        let received = b.counters.snapshot()
        #expect(sent.writes == 4 && sent.bytesWritten == 5133 && sent.shortWrites == 0)
        #expect(received.reads == 4 && received.bytesRead == 5133)
    }

    @Test("a message larger than the buffer is reported with its size, and the next one is whole")
    func detectsTruncation() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let big = Self.bytes(200, 9)
        let next = Self.bytes(10, 5)
        try big.withUnsafeBytes { try a.sendMessage($0.baseAddress!, count: $0.count) }
        try next.withUnsafeBytes { try a.sendMessage($0.baseAddress!, count: $0.count) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let cut = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: $0.count) }
        #expect(cut == .truncated(size: 200, capacity: 64))
        #expect(Array(buffer) == Array(big.prefix(64)), "the kernel kept the first bytes")
        let whole = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: $0.count) }
        #expect(whole == .message(count: 10))
        #expect(Array(buffer[0..<10]) == next)
    }

    @Test("a closed peer is the end of the stream")
    func endOfStream() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        var byte: UInt8 = 1
        try a.sendMessage(&byte, count: 1)
        a.close()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) } == .message(count: 1))
        #expect(try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) } == .endOfStream)
    }

    /// Fuzz finding (FrameReaderPacket): recvmsg returns 0 for an empty message as for the end.
    @Test("an empty message reads as the end, and receivedEmptyMessage tells it from the close")
    func emptyMessage() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        var byte: UInt8 = 1
        var buffer = [UInt8](repeating: 0, count: 16)
        func receive() throws -> ReceivedMessage {
            try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) }
        }
        // The peer still open: an empty message, then a byte.
        try a.sendMessage(&byte, count: 0)
        try a.sendMessage(&byte, count: 1)
        #expect(try receive() == .endOfStream)
        #expect(b.receivedEmptyMessage())
        #expect(try receive() == .message(count: 1))
        // The peer shut down with a message queued after two empty ones (FrameReaderPacket's
        // second finding: a peek sees only the next, empty, message).
        try a.sendMessage(&byte, count: 0)
        try a.sendMessage(&byte, count: 0)
        try a.sendMessage(&byte, count: 1)
        a.shutdownWrite()
        for _ in 0..<2 {
            #expect(try receive() == .endOfStream)
            #expect(b.receivedEmptyMessage())
        }
        #expect(try receive() == .message(count: 1))
        // The end itself.
        #expect(try receive() == .endOfStream)
        #expect(!b.receivedEmptyMessage())
        a.close()
        #expect(try receive() == .endOfStream)
        #expect(!b.receivedEmptyMessage())
        #expect(b.counters.snapshot().reads == 7, "the check is not counted as a read")
    }

    @Test("empty messages then the close read as the end (they cannot be told apart)")
    func emptyMessagesBeforeTheClose() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer { b.close() }
        var byte: UInt8 = 1
        try a.sendMessage(&byte, count: 0)
        try a.sendMessage(&byte, count: 0)
        a.close()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) } == .endOfStream)
        #expect(!b.receivedEmptyMessage())
    }

    @Test("a receive timeout surfaces as a timeout, within bounds")
    func receiveTimeout() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try b.setReceiveTimeout(seconds: 0.05)
        var buffer = [UInt8](repeating: 0, count: 16)
        let start = MonotonicClock.nanos()
        #expect {
            _ = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: 16) }
        } throws: { error in
            (error as? SystemError)?.isTimeout == true && (error as? SystemError)?.call == "recvmsg"
        }
        let elapsed = MonotonicClock.nanos() - start
        #expect(elapsed >= 40_000_000 && elapsed < 2_000_000_000, "\(elapsed) ns")
    }

    @Test("a send timeout against a peer that stops reading: a timeout, never a partial message")
    func sendTimeout() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        try a.setSendTimeout(seconds: 0.05)
        let message = Self.bytes(4096, 1)
        var sent = 0
        var failure: (any Error)?
        // Bounded: the peer's queue fills within a few hundred messages.
        while sent < 100_000, failure == nil {
            do {
                try message.withUnsafeBytes { try a.sendMessage($0.baseAddress!, count: $0.count) }
                sent += 1
            } catch {
                failure = error
            }
        }
        let error = try #require(failure as? SystemError, "\(String(describing: failure))")
        #expect(error.isTimeout, "\(error)")
        #expect(sent > 0)
        #expect(a.counters.snapshot().shortWrites == 0)
        // Every message that went arrives whole.
        try b.setReceiveTimeout(seconds: 1)
        var buffer = [UInt8](repeating: 0, count: 8192)
        for _ in 0..<sent {
            let got = try buffer.withUnsafeMutableBytes { try b.receiveMessage(into: $0.baseAddress!, capacity: $0.count) }
            #expect(got == .message(count: 4096))
        }
    }

    @Test("a message larger than one packet may be: EMSGSIZE, named with its size and what to raise")
    func messageTooLong() throws {
        let (a, b) = try Socket.makeSeqpacketPair()
        defer {
            a.close()
            b.close()
        }
        let huge = [UInt8](repeating: 1, count: 4 << 20)
        #expect {
            try huge.withUnsafeBytes { try a.sendMessage($0.baseAddress!, count: $0.count) }
        } throws: { error in
            let error = error as? SystemError
            return error?.errno == .messageTooLong && error?.description.contains("one 4194304-byte message") == true
                && error?.description.contains("sndbuf") == true
        }
    }

    @Test("a unix+seqpacket listener: reports its endpoint, accepts seqpacket sockets, removes its file")
    func listenerAndConnect() throws {
        let path = temporarySocketPath("seqpacket-listener")
        let listener = try Listener(endpoint: .unixSeqpacket(path: path))
        #expect(listener.endpoint == .unixSeqpacket(path: path))
        let client = try Socket.connect(to: listener.endpoint)
        let served = try #require(try listener.accept())
        #expect(client.kind == .seqpacket && served.kind == .seqpacket)
        let first = Self.bytes(300, 1)
        let second = Self.bytes(20, 2)
        try first.withUnsafeBytes { try client.sendMessage($0.baseAddress!, count: $0.count) }
        try second.withUnsafeBytes { try client.sendMessage($0.baseAddress!, count: $0.count) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        #expect(try buffer.withUnsafeMutableBytes { try served.receiveMessage(into: $0.baseAddress!, capacity: $0.count) } == .message(count: 300))
        #expect(try buffer.withUnsafeMutableBytes { try served.receiveMessage(into: $0.baseAddress!, capacity: $0.count) } == .message(count: 20))
        client.close()
        served.close()
        listener.close()
        #expect(access(path, F_OK) != 0)
    }

    @Test("the other kind on a live path: connect names the mismatch, a second listener does not unlink it")
    func kindMismatch() throws {
        let path = temporarySocketPath("seqpacket-kind")
        let listener = try Listener(endpoint: .unixSeqpacket(path: path))
        defer { listener.close() }
        #expect {
            _ = try Socket.connect(to: .unix(path: path))
        } throws: { error in
            guard case let .connectFailed(_, failure) = error as? TransportError else { return false }
            return failure.errno == .protocolWrongTypeForSocket && "\(error)".contains("a seqpacket listener")
                && "\(error)".contains("unix+seqpacket://\(path)")
        }
        // A stream listener on the same path must not take the live seqpacket socket for stale.
        #expect {
            _ = try Listener(endpoint: .unix(path: path))
        } throws: { error in
            guard case let .listenFailed(_, failure) = error as? TransportError else { return false }
            return failure.errno == .addressInUse
        }
        let client = try Socket.connect(to: .unixSeqpacket(path: path))
        client.close()
    }

    @Test("a stale unix+seqpacket socket file is removed before binding")
    func staleFileRemoved() throws {
        let path = temporarySocketPath("seqpacket-stale")
        unlink(path)
        // A crashed server's file: bound, never listening, descriptor gone.
        let descriptor = try Posix.socket(domain: AF_UNIX, type: Int32(SOCK_SEQPACKET.rawValue))
        try Posix.bind(descriptor, to: SocketAddress.resolve(.unixSeqpacket(path: path), passive: true))
        Posix.close(descriptor)
        #expect(access(path, F_OK) == 0, "a stale file remains")
        let listener = try Listener(endpoint: .unixSeqpacket(path: path))
        let client = try Socket.connect(to: .unixSeqpacket(path: path))
        client.close()
        listener.close()
        #expect(access(path, F_OK) != 0)
    }
}
