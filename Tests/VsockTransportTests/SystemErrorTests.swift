import SystemPackage
import Testing
@testable import VsockTransport

@Suite struct SystemErrorTests {
    @Test("the description names the call, what it acted on, the reason and the number")
    func describesCallAndErrno() {
        #expect(SystemError("read", errno: .connectionReset).description == "read: Connection reset by peer (errno 104)")
        #expect(
            SystemError("connect", errno: .connectionRefused, context: "unix:///x").description
                == "connect unix:///x: Connection refused (errno 111)")
        #expect(SystemError("read", errno: .resourceTemporarilyUnavailable).reason == "Resource temporarily unavailable")
    }

    @Test("timeouts and disconnects are told apart by Errno", arguments: [
        (Errno.resourceTemporarilyUnavailable, true, false),
        (Errno.wouldBlock, true, false),
        (Errno.connectionReset, false, true),
        (Errno.brokenPipe, false, true),
        (Errno.socketNotConnected, false, true),
        (Errno.connectionRefused, false, true),
        (Errno.connectionAbort, false, true),
        (Errno.invalidArgument, false, false),
    ])
    func classifies(errno: Errno, timeout: Bool, disconnect: Bool) {
        let error = SystemError("read", errno: errno)
        #expect(error.isTimeout == timeout)
        #expect(error.isDisconnect == disconnect)
    }
}
