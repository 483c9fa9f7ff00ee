#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Testing
@testable import VsockTransport

@Suite struct FileContentsTests {
    @Test("reads a whole file, or stops at the limit (even on an endless file)")
    func readsUpToTheLimit() throws {
        let path = "/tmp/vsockbench-transport-\(getpid())-contents"
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        let file = try #require(fopen(path, "wb"))
        #expect(fwrite(bytes, 1, bytes.count, file) == bytes.count)
        fclose(file)
        defer { unlink(path) }
        #expect(try FileContents.read(path: path, limit: 1 << 20) == bytes)
        #expect(try FileContents.read(path: path, limit: 70_001) == Array(bytes[0..<70_001]))
        #expect(try FileContents.read(path: "/dev/zero", limit: 100).count == 100)
    }

    @Test("a missing file fails in open with ENOENT and the path")
    func missingFile() {
        #expect(throws: SystemError("open", errno: .noSuchFileOrDirectory, context: "/nonexistent/r.json")) {
            _ = try FileContents.read(path: "/nonexistent/r.json", limit: 10)
        }
    }

    /// A named pipe with no writer: open(2) would wait for one forever (a scenario given as a
    /// FIFO hung `run` with no word). It reads as empty at once; one with a writer is read whole.
    @Test("a named pipe with no writer reads as empty, at once; with a writer, whole")
    func aNamedPipeWithNoWriterDoesNotBlock() throws {
        let path = "/tmp/vsockbench-transport-\(getpid())-fifo"
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        final class Outcome: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            var bytes: [UInt8]?
        }
        let outcome = Outcome()
        let reader = Thread {
            outcome.bytes = try? FileContents.read(path: path, limit: 100)
            outcome.done.signal()
        }
        reader.start()
        let finished = outcome.done.wait(timeout: .now() + 2) == .success
        if !finished {
            // Unblock the reader so the test ends.
            let unblock = open(path, O_WRONLY | O_NONBLOCK)
            if unblock >= 0 { close(unblock) }
            outcome.done.wait()
        }
        #expect(finished, "the read blocked on a FIFO with no writer")
        #expect(outcome.bytes == [])
        // With a writer already there (as with bash's <(...)), the bytes are read.
        let writer = Thread {
            let fd = open(path, O_WRONLY)
            if fd >= 0 {
                _ = write(fd, "name: x\n", 8)
                close(fd)
            }
        }
        writer.start()
        usleep(100_000)
        #expect(try FileContents.read(path: path, limit: 100) == Array("name: x\n".utf8))
    }
}
