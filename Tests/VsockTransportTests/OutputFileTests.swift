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

    /// A symbolic link to a results file stays a link, and the file it names gets the results
    /// (the rename had replaced the link with a file of its own); the check before a run makes
    /// its trial file beside the file the link names, and leaves nothing (review).
    @Test func aSymbolicLinkStaysALink() throws {
        let dir = try Self.scratch()
        let other = try Self.scratch()
        defer {
            unlink(dir + "/link.json")
            unlink(other + "/r.json")
            rmdir(dir)
            rmdir(other)
        }
        try OutputFile.write(other + "/r.json", Array("old".utf8))
        #expect(symlink(other + "/r.json", dir + "/link.json") == 0)
        #expect(OutputFile.problem(with: dir + "/link.json") == nil)
        try OutputFile.write(dir + "/link.json", Array("new results".utf8))
        var info = stat()
        #expect(lstat(dir + "/link.json", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link was replaced by a file")
        #expect(try FileContents.read(path: other + "/r.json", limit: 100) == Array("new results".utf8))
        #expect(rmdir(other) != 0, "r.json is still there")
    }

    /// /dev/stdout (a link to whatever the process's standard output is) is written in place,
    /// never renamed over: as root a rename replaced the link itself (review).
    @Test func processFilesAreWrittenInPlace() {
        guard case .inPlace = OutputFile.placement("/dev/stdout") else {
            Issue.record("/dev/stdout would be replaced: \(OutputFile.placement("/dev/stdout"))")
            return
        }
        #expect(OutputFile.placement("/tmp/vsb-no-such-dir/r.json") == .replace(file: "/tmp/vsb-no-such-dir/r.json"))
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
