import SystemPackage
import Testing
@testable import VsockTransport

@Suite struct PipeCaptureTests {
    @Test("each pipe's bytes come back in order, up to end of file")
    func capturesEachPipe() throws {
        let captured = try PipeCapture.capture(pipes: 2, timeoutNanos: 5_000_000_000) { (writeEnds) throws(SystemError) in
            for (index, text) in ["out", "err!"].enumerated() {
                let bytes = Array(text.utf8)
                let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
                defer { raw.deallocate() }
                raw.copyBytes(from: bytes)
                try Posix.writeAll(FileDescriptor(rawValue: writeEnds[index]), UnsafeRawBufferPointer(raw))
            }
        }
        #expect(captured.outputs == [Array("out".utf8), Array("err!".utf8)])
        #expect(!captured.timedOut)
    }

    @Test("an error from start is thrown, every descriptor closed")
    func startFailure() {
        #expect(throws: SystemError("posix_spawn", errno: .noSuchFileOrDirectory)) {
            _ = try PipeCapture.capture(pipes: 2, timeoutNanos: 1_000_000_000) { (_) throws(SystemError) in
                throw SystemError("posix_spawn", errno: .noSuchFileOrDirectory)
            }
        }
    }
}
