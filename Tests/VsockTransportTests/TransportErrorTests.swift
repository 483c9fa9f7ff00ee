import SystemPackage
import Testing
@testable import VsockTransport

@Suite struct TransportErrorTests {
    @Test func errorsSayWhatToDo() {
        let vsock = TransportError.vsockUnsupported(.vsock(cid: 16, port: 5005)).description
        #expect(vsock.contains("no AF_VSOCK support"))
        #expect(vsock.contains("modprobe"))
    }

    @Test("connect failures are worded by errno name", arguments: [
        (Errno.connectionRefused, "connection refused (nothing listens there: start `vsockbench serve`, or your own service for a replay or raw case)"),
        (Errno.connectionReset, "connection reset by the peer"),
        (Errno.noSuchFileOrDirectory, "no such socket file (nothing listens there: start `vsockbench serve`, or your own service for a replay or raw case)"),
        (Errno.timedOut, "timed out"),
        (Errno.noRouteToHost, "No route to host (errno \(Errno.noRouteToHost.rawValue))"),
    ])
    func connectFailuresByErrno(errno: Errno, expected: String) {
        let text = TransportError.connectFailed(.vsock(cid: 16, port: 9), SystemError("connect", errno: errno)).description
        #expect(text.hasPrefix("cannot connect to vsock://16:9: "))
        #expect(text.contains(expected))
    }

    @Test func optionAndListenFailuresNameTheReason() {
        let option = TransportError.optionFailed("SO_RCVTIMEO to 5.0 seconds", SystemError("setsockopt", errno: .invalidArgument)).description
        #expect(option == "cannot set SO_RCVTIMEO to 5.0 seconds: Invalid argument (errno 22)")
        let listen = TransportError.listenFailed(.unix(path: "/x"), SystemError("bind", errno: .addressInUse)).description
        #expect(listen == "cannot listen on unix:///x: Address already in use (errno 98)")
    }
}
