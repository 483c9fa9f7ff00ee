#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
import Testing
import VsockBenchSupport
@testable import VsockTransport

@Suite struct PosixTests {
    @Test("the helper calls again while the call fails with EINTR, and only then")
    func retriesInterruptedCalls() throws {
        var calls = 0
        let result = try Posix.retryingInterrupts("fake") { () -> Int in
            calls += 1
            if calls < 3 {
                Glibc.errno = EINTR
                return -1
            }
            return 42
        }
        #expect(result == 42)
        #expect(calls == 3)
    }

    @Test("any other failure throws once, naming the call, its context and the Errno")
    func failuresNameTheCallAndErrno() {
        var calls = 0
        #expect {
            _ = try Posix.retryingInterrupts("fake", context: "on something") { () -> Int32 in
                calls += 1
                Glibc.errno = ECONNRESET
                return -1
            }
        } throws: { error in
            let error = error as? SystemError
            return error?.call == "fake" && error?.errno == .connectionReset && error?.context == "on something"
        }
        #expect(calls == 1)
    }

    @Test("a missing file fails in open, with the path")
    func openNamesThePath() {
        let path = "/nonexistent/vsockbench-transport-test"
        #expect(throws: SystemError("open", errno: .noSuchFileOrDirectory, context: path)) {
            _ = try Posix.open(path, O_RDONLY)
        }
    }

    @Test("a pipe carries bytes and both ends close")
    func pipeCarriesBytes() throws {
        let pipe = try Posix.pipe()
        defer {
            Posix.close(pipe.readEnd)
            Posix.close(pipe.writeEnd)
        }
        let message: [UInt8] = Array("hello".utf8)
        try message.withUnsafeBytes { try Posix.writeAll(pipe.writeEnd, $0) }
        var received = [UInt8](repeating: 0, count: 16)
        let n = try received.withUnsafeMutableBytes { try Posix.read(pipe.readEnd, $0.baseAddress!, $0.count) }
        #expect(Array(received[0..<n]) == message)
    }

    @Test("EBADF is a bug: the process stops")
    func badDescriptorStopsTheProcess() async {
        await #expect(processExitsWith: .failure) {
            var byte: UInt8 = 0
            _ = try? Posix.read(FileDescriptor(rawValue: 1_000_000), &byte, 1)
        }
    }
}

/// A blocking call that a signal interrupts (a handler without SA_RESTART) fails with EINTR;
/// through the transport it is called again and returns what arrives later.
@Suite(.serialized) struct InterruptedCallTests {
    @Test("control: a raw read(2) interrupted by SIGUSR1 fails with EINTR")
    func rawReadFailsWithEINTR() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        let outcome = LockedValue<(Int, Int32)?>(nil)
        let descriptor = a.descriptor
        withInterruptingHandler(for: SIGUSR1) {
            let reader = SignalTarget(name: "raw-reader", unblocking: SIGUSR1) {
                var byte: UInt8 = 0
                let n = Glibc.read(descriptor.rawValue, &byte, 1)
                let code = Glibc.errno
                outcome.withLock { $0 = (n, code) }
            }
            // Nothing is ever written: only a signal ends this read. Bounded at 2 s.
            for _ in 0..<200 where !reader.isDone {
                reader.signal(SIGUSR1)
                pause(millis: 10)
            }
            if !reader.isDone { b.shutdownBoth() }
            reader.join()
        }
        let result = try #require(outcome.value)
        #expect(result.0 == -1 && result.1 == EINTR)
    }

    @Test("Socket.read interrupted by SIGUSR1 is retried and returns the data sent afterwards")
    func interruptedReadIsRetried() throws {
        let (a, b) = try Socket.makePair()
        defer {
            a.close()
            b.close()
        }
        let outcome = LockedValue<Result<[UInt8], SystemError>?>(nil)
        let before = signalDeliveries.load(ordering: .relaxed)
        withInterruptingHandler(for: SIGUSR1) {
            let reader = SignalTarget(name: "reader", unblocking: SIGUSR1) {
                var buffer = [UInt8](repeating: 0, count: 16)
                let result = Result { () throws(SystemError) -> [UInt8] in
                    let n = try a.read(into: &buffer, count: buffer.count)
                    return Array(buffer[0..<n])
                }
                outcome.withLock { $0 = result }
            }
            // Let the read block, then interrupt it several times before any data exists, each
            // signal after the last was handled (pending signals of one kind merge: on a busy
            // machine five sent at once could arrive as one). Up to 5 s a round: with builds
            // beside it on 2 CPUs, one round's 1 s ran out and two signals merged (4 of 5).
            pause(millis: 20)
            for round in 1...5 {
                reader.signal(SIGUSR1)
                for _ in 0..<1000 where signalDeliveries.load(ordering: .relaxed) - before < round { pause(millis: 5) }
            }
            #expect(!reader.isDone, "the read returned before any data was sent")
            let message: [UInt8] = Array("after the signals".utf8.prefix(16))
            message.withUnsafeBytes { try? b.writeAll($0.baseAddress!, count: $0.count) }
            reader.join()
        }
        #expect(signalDeliveries.load(ordering: .relaxed) - before >= 5)
        let result = try #require(outcome.value)
        #expect(try result.get() == Array("after the signals".utf8.prefix(16)))
        #expect(a.counters.snapshot().reads == 1)
    }
}
