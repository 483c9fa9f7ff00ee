import Foundation
import Testing

@testable import VsockProbe

/// What a descriptor is, told from /proc and a copy of it: observe keeps a followed process's
/// writes to vsock sockets apart from the rest by it.
@Suite struct DescriptorKindTests {
    @Test func aUnixSocketIsASocketButNotVsock() throws {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let kind = DescriptorKind.of(pid: UInt32(getpid()), fd: pair[0])
        // Where pidfd_getfd is refused, the family cannot be read: a socket still, counted.
        #expect(kind == .socket(family: AF_UNIX) || kind == .socketOfUnknownFamily, "\(kind)")
        if kind == .socket(family: AF_UNIX) { #expect(!kind.mayBeVsock) }
    }

    @Test func aFileIsNotASocketAndAClosedDescriptorIsGone() throws {
        let file = open("/dev/null", O_WRONLY)
        #expect(file >= 0)
        let kind = DescriptorKind.of(pid: UInt32(getpid()), fd: file)
        #expect(kind == .notSocket && !kind.mayBeVsock)
        close(file)
        #expect(DescriptorKind.of(pid: UInt32(getpid()), fd: file) == .gone)
        #expect(DescriptorKind.of(pid: UInt32(getpid()), fd: -1) == .gone)
    }

    @Test func onlyVsockAndUnreadableFamiliesMayBeVsock() {
        #expect(DescriptorKind.socket(family: 40).mayBeVsock)
        #expect(DescriptorKind.socketOfUnknownFamily.mayBeVsock && DescriptorKind.unknown.mayBeVsock)
        #expect(!DescriptorKind.socket(family: AF_INET).mayBeVsock && !DescriptorKind.gone.mayBeVsock)
    }
}
