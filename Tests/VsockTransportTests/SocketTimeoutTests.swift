#if canImport(Glibc)
import Glibc
#endif
import Testing
import VsockBenchSupport
@testable import VsockTransport

@Suite struct SocketTimeoutTests {
    @Test("non-finite, negative and huge seconds are errors that say why", arguments: [
        Double.infinity, -Double.infinity, Double.nan, -1, -1e-9, 1e300, 2_147_483_648,
    ])
    func rejectsBadSeconds(seconds: Double) {
        #expect {
            _ = try SocketTimeout(seconds: seconds)
        } throws: { error in
            guard case .invalidTimeout = error as? TransportError else { return false }
            return "\(error)".contains("invalid timeout") && "\(error)".contains("use 0 for none")
        }
    }

    @Test("0 means none")
    func zeroIsNone() throws {
        #expect(try SocketTimeout(seconds: 0) == .none)
        #expect(try SocketTimeout(seconds: -0.0) == .none)
        #expect(try SocketTimeout(.zero) == .none)
        let tv = SocketTimeout.none.timeval
        #expect(tv.tv_sec == 0 && tv.tv_usec == 0)
    }

    @Test("seconds become the kernel's timeval; a positive value never rounds to none")
    func convertsToTimeval() throws {
        func timeval(_ seconds: Double) throws -> (Int, Int) {
            let tv = try SocketTimeout(seconds: seconds).timeval
            return (tv.tv_sec, tv.tv_usec)
        }
        #expect(try timeval(1.5) == (1, 500_000))
        #expect(try timeval(300) == (300, 0))
        #expect(try timeval(1e-300) == (0, 1))
        #expect(try timeval(0.0000001) == (0, 1))
        #expect(try timeval(2_147_483_647) == (2_147_483_647, 0))
    }

    @Test("a Duration is checked too")
    func checksDurations() throws {
        #expect(throws: TransportError.self) { _ = try SocketTimeout(.seconds(-1)) }
        #expect(throws: TransportError.self) { _ = try SocketTimeout(.seconds(Int64.max)) }
        let tv = try SocketTimeout(.milliseconds(250)).timeval
        #expect(tv.tv_sec == 0 && tv.tv_usec == 250_000)
    }

    @Test("a socket refuses an infinite timeout with an error, not a crash, and stays usable")
    func socketRejectsInfinity() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        #expect(throws: TransportError.self) { try a.setReceiveTimeout(seconds: .infinity) }
        #expect(throws: TransportError.self) { try a.setSendTimeout(seconds: .nan) }
        try a.setReceiveTimeout(seconds: 0)
        let kept = try Posix.getOption(a.descriptor, level: SOL_SOCKET, name: SO_RCVTIMEO, initial: Glibc.timeval(), label: "SO_RCVTIMEO")
        #expect(kept.tv_sec == 0 && kept.tv_usec == 0)
    }

    @Test("an expired receive timeout surfaces as isTimeout from the read (recv)")
    func receiveTimeoutIsTimeout() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        try a.setReceiveTimeout(SocketTimeout(.milliseconds(50)))
        let start = MonotonicClock.nanos()
        var byte: UInt8 = 0
        #expect {
            _ = try a.read(into: &byte, count: 1)
        } throws: { error in
            let error = error as? SystemError
            return error?.isTimeout == true && error?.call == "recv" && error?.isDisconnect == false
        }
        #expect(MonotonicClock.nanos() - start >= 40_000_000)
    }
}
