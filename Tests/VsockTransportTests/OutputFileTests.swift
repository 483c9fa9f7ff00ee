import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import VsockTransport

/// Results files are written whole or not at all.
@Suite struct OutputFileTests {
    /// A new directory in /tmp; the test removes it.
    static func scratch() throws -> String {
        var template = Array("/tmp/vsockbench-output-XXXXXX".utf8CString)
        return try #require(mkdtemp(&template).map { String(cString: $0) })
    }

    @Test func writesWholeFilesAndLeavesNoTemporaryBehind() throws {
        let dir = try Self.scratch()
        let path = dir + "/r.json"
        defer {
            unlink(path)
            rmdir(dir)
        }
        try OutputFile.write(path, Array("first".utf8))
        try OutputFile.write(path, Array("second, longer".utf8))
        #expect(try FileContents.read(path: path, limit: 100) == Array("second, longer".utf8))
        var entries: [String] = []
        if let directory = opendir(dir) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { entries.append(name) }
            }
            closedir(directory)
        }
        #expect(entries == ["r.json"])
    }

    @Test func aFullDeviceIsAnError() {
        #expect(throws: SystemError.self) { try OutputFile.write("/dev/full", Array(repeating: 1, count: 100)) }
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "a device is written in place, never replaced")
    }

    @Test func pathsThatCannotBeOutputsAreNamedBeforeAnythingRuns() throws {
        #expect(OutputFile.problem(with: "/tmp") == "/tmp is a directory; name a file")
        #expect(OutputFile.problem(with: "/nonexistent/r.json")?.contains("its directory /nonexistent does not exist") == true)
        #expect(OutputFile.problem(with: "/etc/hostname/x")?.contains("is not a directory") == true)
        // A directory whose modes let root write but where no file can be made: access() passed
        // it, and root's run lost its results at the end (review).
        #expect(OutputFile.problem(with: "/proc/vsb-nope.json") != nil)
        let dir = try Self.scratch()
        defer { rmdir(dir) }
        #expect(OutputFile.problem(with: dir + "/new.json") == nil)
        #expect(OutputFile.problem(with: "") != nil)
        #expect(rmdir(dir) == 0, "the check's trial file was removed: the directory is empty again")
    }
}
