#if canImport(Glibc)
import Glibc
#endif
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

    /// A Unix path that cannot be a target's is named for what it is, as serve names a path it
    /// cannot listen on: a regular file there read "connection refused (nothing listens
    /// there...)", a missing directory "no such socket file" (review).
    @Test func aUnixPathThatCannotBeATargetSaysWhy() throws {
        let dir = "/tmp/vsb-connect-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        #expect(mkdir(dir, 0o700) == 0)
        defer {
            unlink(dir + "/file")
            rmdir(dir)
        }
        let fd = open(dir + "/file", O_CREAT | O_WRONLY, 0o600)
        #expect(fd >= 0)
        close(fd)
        func failure(_ path: String) -> String {
            do {
                let socket = try Socket.connect(to: .unix(path: path))
                socket.close()
                return "connected"
            } catch {
                return error.description
            }
        }
        let file = failure(dir + "/file")
        #expect(file.contains("\(dir)/file is not a socket (it is a regular file): give the path the target listens on"), "\(file)")
        #expect(!file.contains("nothing listens there"), "\(file)")
        // connect follows a symbolic link: what it names is what is said.
        #expect(symlink(dir + "/file", dir + "/link") == 0)
        defer { unlink(dir + "/link") }
        let link = failure(dir + "/link")
        #expect(link.contains("\(dir)/link is not a socket (it is a regular file)"), "\(link)")
        let missingDirectory = failure(dir + "/nodir/t.sock")
        #expect(missingDirectory.contains("the directory \(dir)/nodir does not exist"), "\(missingDirectory)")
        let missingSocket = failure(dir + "/t.sock")
        #expect(missingSocket.contains("no such socket file (nothing listens there"), "a missing socket in a directory that exists is as before: \(missingSocket)")
    }

    @Test func optionAndListenFailuresNameTheReason() {
        let option = TransportError.optionFailed("SO_RCVTIMEO to 5.0 seconds", SystemError("setsockopt", errno: .invalidArgument)).description
        #expect(option == "cannot set SO_RCVTIMEO to 5.0 seconds: Invalid argument (errno 22)")
        let listen = TransportError.listenFailed(.unix(path: "/x"), SystemError("bind", errno: .addressInUse)).description
        #expect(listen == "cannot listen on unix:///x: Address already in use (errno 98)")
    }
}
