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
    /// FIFO hung `run` with no word). It is waited on a bounded time, then reads as empty; one
    /// with a writer is read whole, whether the writer came first or after (review: a writer
    /// that opened after vsockbench found it gone and hung).
    @Test("a named pipe: no writer reads as empty after the wait; a writer before or after is read whole")
    func aNamedPipeIsWaitedOnABoundedTime() throws {
        let path = "/tmp/vsockbench-transport-\(getpid())-fifo"
        unlink(path)
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        final class Outcome: @unchecked Sendable {
            let done = DispatchSemaphore(value: 0)
            var bytes: [UInt8]?
        }
        let outcome = Outcome()
        let started = Date()
        let reader = Thread {
            outcome.bytes = try? FileContents.read(path: path, limit: 100, writerWait: 0.3)
            outcome.done.signal()
        }
        reader.start()
        let finished = outcome.done.wait(timeout: .now() + 3) == .success
        if !finished {
            // Unblock the reader so the test ends.
            let unblock = open(path, O_WRONLY | O_NONBLOCK)
            if unblock >= 0 { close(unblock) }
            outcome.done.wait()
        }
        #expect(finished, "the read blocked on a FIFO with no writer")
        #expect(outcome.bytes == [])
        #expect(Date().timeIntervalSince(started) >= 0.25, "it waited for a writer first")
        func writeLater(after micros: UInt32) {
            Thread {
                usleep(micros)
                let fd = open(path, O_WRONLY)
                if fd >= 0 {
                    _ = write(fd, "name: x\n", 8)
                    close(fd)
                }
            }.start()
        }
        // A writer already there (bash's <(...)), and one that opens after the read began.
        writeLater(after: 0)
        usleep(100_000)
        #expect(try FileContents.read(path: path, limit: 100, writerWait: 5) == Array("name: x\n".utf8))
        writeLater(after: 300_000)
        #expect(try FileContents.read(path: path, limit: 100, writerWait: 5) == Array("name: x\n".utf8))
    }
}
