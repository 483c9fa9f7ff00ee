#if canImport(Glibc)
import Glibc
#endif

/// The few file reads the probe (and `vsockbench doctor`) make in tracefs, sysfs and procfs,
/// without Foundation: such files report size 0 and must be read until EOF.
public enum FileSystem {
    /// The path of the running executable (/proc/self/exe); nil where it cannot be read.
    public static func currentExecutable() -> String? {
        linkTarget("/proc/self/exe")
    }

    /// What the symbolic link `path` points to (up to `capacity` bytes); nil, with `errno` as
    /// readlink left it, where it cannot be read.
    public static func linkTarget(_ path: String, capacity: Int = 4096) -> String? {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let count = buffer.withUnsafeMutableBufferPointer { raw in
            raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { readlink(path, $0, raw.count - 1) }
        }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Names in a directory, without `.` and `..`; empty when it cannot be read.
    public static func entries(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The whole of a (small, procfs or sysfs) text file. Reads until EOF: such files report size 0.
    /// Throws a ``ProbeError`` carrying the errno of `open` or `read`.
    public static func readText(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProbeError(operation: "open \(path)", errno: errno, detail: "")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProbeError(operation: "read \(path)", errno: errno, detail: "")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
