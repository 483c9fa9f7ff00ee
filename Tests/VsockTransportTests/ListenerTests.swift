#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport
@testable import VsockTransport

@Suite struct ListenerTests {
    @Test("a listener whose socket file another server took over leaves that file at close")
    func closeLeavesAnotherServersFile() throws {
        let path = temporarySocketPath("takeover")
        let older = try Listener(endpoint: .unix(path: path))
        // A newer server on the same path (the older one stopped, its file taken for stale).
        unlink(path)
        let newer = try Listener(endpoint: .unix(path: path))
        older.close()
        #expect(access(path, F_OK) == 0, "the newer server's socket file is still there")
        let client = try Socket.connect(to: .unix(path: path))
        client.close()
        newer.close()
        #expect(access(path, F_OK) != 0)
    }

    @Test("a Unix listener accepts a connection, and close removes its socket file")
    func acceptsOnUnix() throws {
        let path = temporarySocketPath("listener")
        let listener = try Listener(endpoint: .unix(path: path))
        #expect(listener.endpoint == .unix(path: path))
        let client = try Socket.connect(to: listener.endpoint)
        let served = try #require(try listener.accept())
        var byte: UInt8 = 42
        try client.writeAll(&byte, count: 1)
        var received: UInt8 = 0
        #expect(try served.read(into: &received, count: 1) == 1 && received == 42)
        client.close()
        served.close()
        listener.close()
        #expect(access(path, F_OK) != 0)
    }

    @Test("a TCP listener on port 0 reports the port it got, on loopback")
    func reportsTheRealPort() throws {
        let listener = try Listener(endpoint: .tcp(host: "127.0.0.1", port: 0))
        defer { listener.close() }
        guard case let .tcp(host, port) = listener.endpoint else {
            Issue.record("not a tcp endpoint: \(listener.endpoint)")
            return
        }
        #expect(host == "127.0.0.1" && port != 0)
        let client = try Socket.connect(to: listener.endpoint)
        let served = try #require(try listener.accept())
        #expect(client.effectiveOptions().nodelay == true)
        client.close()
        served.close()
    }

    @Test("stop wakes a blocked accept, which returns nil")
    func stopWakesAccept() throws {
        let listener = try Listener(endpoint: .unix(path: temporarySocketPath("stop")))
        defer { listener.close() }
        let accepted = LockedValue<Bool?>(nil)
        let thread = NativeThread.spawn(name: "accept") {
            let socket = try? listener.accept()
            socket?.close()
            accepted.withLock { $0 = socket != nil }
        }
        MonotonicClock.sleep(nanos: 20_000_000)
        listener.stop()
        thread.join()
        #expect(accepted.value == false)
    }

    /// bind says EADDRINUSE for any file at the path, and ENOENT for a missing directory:
    /// the error names the path's problem (and still the errno), not "address in use".
    @Test func aPathThatIsNotASocketOrHasNoDirectoryIsNamedAsSuch() throws {
        let file = temporarySocketPath("regular-file")
        let made = open(file, O_CREAT | O_WRONLY, 0o600)
        #expect(made >= 0)
        close(made)
        defer { unlink(file) }
        do {
            let listener = try Listener(endpoint: .unix(path: file))
            listener.close()
            Issue.record("listened on a regular file's path")
        } catch {
            #expect(error.description == "cannot listen on unix://\(file): \(file) exists and is not a socket (it is a regular file); remove it or listen on another path (Address already in use, errno 98)")
        }
        #expect(access(file, F_OK) == 0, "the file is left alone")
        let missing = "/tmp/vsockbench-transport-\(getpid())-nodir"
        do {
            let listener = try Listener(endpoint: .unix(path: missing + "/x.sock"))
            listener.close()
            Issue.record("listened in a missing directory")
        } catch {
            #expect(error.description == "cannot listen on unix://\(missing)/x.sock: the directory \(missing) does not exist; create it or listen on another path (No such file or directory, errno 2)")
        }
    }

    @Test("a path in use by a live listener is an error naming bind")
    func addressInUse() throws {
        let path = temporarySocketPath("in-use")
        let first = try Listener(endpoint: .unix(path: path))
        defer { first.close() }
        #expect {
            _ = try Listener(endpoint: .unix(path: path))
        } throws: { error in
            guard case let .listenFailed(_, systemError) = error as? TransportError else { return false }
            return systemError.call == "bind" && systemError.errno == .addressInUse
        }
    }
}
