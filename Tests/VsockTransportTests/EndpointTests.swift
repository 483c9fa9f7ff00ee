import Testing
@testable import VsockTransport

@Suite struct EndpointTests {
    @Test func parsesVsockNumbersAndNames() throws {
        #expect(try Endpoint(parsing: "vsock://16:5005") == .vsock(cid: 16, port: 5005))
        #expect(try Endpoint(parsing: "vsock://any:5005") == .vsock(cid: Endpoint.vsockAnyCID, port: 5005))
        #expect(try Endpoint(parsing: "vsock://local:1") == .vsock(cid: 1, port: 1))
        #expect(try Endpoint(parsing: "vsock://host:9") == .vsock(cid: 2, port: 9))
        #expect(try Endpoint(parsing: "vsock://parent:9") == .vsock(cid: 3, port: 9))
    }

    @Test func parsesUnixAndTCP() throws {
        #expect(try Endpoint(parsing: "unix:///tmp/x.sock") == .unix(path: "/tmp/x.sock"))
        #expect(try Endpoint(parsing: "tcp://127.0.0.1:8080") == .tcp(host: "127.0.0.1", port: 8080))
        #expect(try Endpoint(parsing: "tcp://[::1]:80") == .tcp(host: "::1", port: 80))
    }

    @Test(arguments: [
        ("vsock://abc:1", "CID 'abc'"),
        ("vsock://16:99999999999", "out of range"),
        ("vsock://16", "expected vsock://CID:PORT"),
        ("vsock://:5", "missing CID"),
        ("unix://", "missing socket path"),
        ("unix://relative", "must be absolute"),
        ("tcp://127.0.0.1:70000", "out of range"),
        ("tcp://127.0.0.1:x", "not a number"),
        ("tcp://:80", "missing host"),
        ("http://x:1", "unknown scheme"),
        ("localhost:80", "expected SCHEME://"),
    ])
    func rejectsBadEndpointsWithAReason(input: String, expected: String) {
        #expect {
            _ = try Endpoint(parsing: input)
        } throws: { error in
            "\(error)".contains(expected) && "\(error)".contains(input)
        }
    }

    @Test func roundTripsThroughDescription() throws {
        for text in ["vsock://16:5005", "vsock://any:1", "unix:///tmp/a", "tcp://127.0.0.1:1", "tcp://[::1]:2"] {
            #expect(try Endpoint(parsing: text).description == text)
        }
    }
}
