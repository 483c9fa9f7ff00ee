#if canImport(Glibc)
import Glibc
#endif
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
}
