#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A results file written so that it is never lost or half there: into a temporary file
/// beside the target, flushed to the disk (`fsync`), closed with its errors checked, then
/// renamed over the target in one step. A full disk or a read-only directory is an error the
/// caller reports, never a silently truncated file.
package enum OutputFile {
    /// Writes `bytes` to `path` atomically; a path that names something other than a regular
    /// file (a device such as /dev/stdout, a pipe) is written in place, its errors checked the
    /// same way (a rename would replace the device). A new file gets `mode` (less the umask);
    /// a file of ours that is replaced keeps its permission bits (a results file or corpus its
    /// owner made private stays private: the rename used to leave it 0644).
    package static func write(_ given: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let path: String
        switch placement(given) {
        case let .inPlace(flags):
            try writeInPlace(given, bytes, flags: flags)
            return
        case let .replace(file):
            path = file
        }
        var info = stat()
        let exists = stat(path, &info) == 0
        let temporary = temporaryPath(for: path)
        let descriptor = try Posix.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        do throws(SystemError) {
            // The replaced file's permission bits, where it is ours (root rewriting a user's
            // file keeps `mode`: the copy would be root's and unreadable to the user). Best
            // effort: a filesystem without Unix modes refuses chmod, and the write still counts.
            if exists, info.st_uid == geteuid() {
                _ = Glibc.fchmod(descriptor.rawValue, info.st_mode & 0o777)
            }
            let failure: SystemError? = bytes.withUnsafeBytes { raw in
                do throws(SystemError) { try Posix.writeAll(descriptor, raw) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            _ = try Posix.retryingInterrupts("fsync", context: path) { Glibc.fsync(descriptor.rawValue) }
        } catch {
            Posix.close(descriptor)
            unlink(temporary)
            throw error
        }
        // close can report a deferred write error (NFS, a full disk): it counts.
        if Glibc.close(descriptor.rawValue) != 0 {
            let code = Errno(rawValue: errno)
            unlink(temporary)
            throw SystemError("close", errno: code, context: path)
        }
        if rename(temporary, path) != 0 {
            let code = Errno(rawValue: errno)
            unlink(temporary)
            throw SystemError("rename", errno: code, context: path)
        }
    }

    /// How a write to a path is made: in place (`flags` to open it with), or by replacing the
    /// regular file at `file` through a temporary file beside it.
    enum Placement: Equatable {
        case inPlace(flags: Int32)
        case replace(file: String)
    }

    /// A device or pipe is written in place (a rename would replace the device). So is anything
    /// named under /dev or /proc that exists: /dev/stdout and /proc/self/fd/N are links to a
    /// file some process holds open, and a rename would replace the link itself (as root,
    /// /dev/stdout until the next boot); a regular file reached that way is appended to, as
    /// standard output would be. A symbolic link to a regular file stays a link: the file it
    /// names is replaced (the rename had turned the link into a file of its own).
    static func placement(_ path: String) -> Placement {
        var info = stat()
        guard stat(path, &info) == 0 else { return .replace(file: path) }
        if info.st_mode & S_IFMT != S_IFREG { return .inPlace(flags: O_WRONLY) }
        if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") { return .inPlace(flags: O_WRONLY | O_APPEND) }
        var link = stat()
        if lstat(path, &link) == 0, link.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return .replace(file: String(cString: resolved))
        }
        return .replace(file: path)
    }

    private static func writeInPlace(_ path: String, _ bytes: [UInt8], flags: Int32) throws(SystemError) {
        let descriptor = try Posix.open(path, flags)
        let failure: SystemError? = bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try Posix.writeAll(descriptor, raw) } catch { return error }
            return nil
        }
        if let failure {
            Posix.close(descriptor)
            throw failure
        }
        if Glibc.close(descriptor.rawValue) != 0 {
            throw SystemError("close", errno: Errno(rawValue: errno), context: path)
        }
    }

    /// Why `path` cannot be an output file, checked before anything runs (a long run's
    /// results are not lost at the end to a wrong path); nil when it can.
    package static func problem(with path: String) -> String? {
        if path.isEmpty { return "an empty path" }
        var info = stat()
        if stat(path, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR { return "\(path) is a directory; name a file" }
            if access(path, W_OK) != 0 { return "cannot write \(path): \(String(cString: strerror(errno)))" }
        }
        // What the write will make: nothing for a file written in place; else a temporary file
        // beside the regular file (the one a symbolic link names).
        guard case let .replace(file) = placement(path) else { return nil }
        let directory = parent(of: file)
        var parentInfo = stat()
        guard stat(directory, &parentInfo) == 0 else {
            return "cannot write \(path): its directory \(directory) does not exist"
        }
        guard parentInfo.st_mode & S_IFMT == S_IFDIR else { return "cannot write \(path): \(directory) is not a directory" }
        guard access(directory, W_OK | X_OK) == 0 else {
            return "cannot write \(path): no permission to create files in \(directory)"
        }
        // access() is no test for root, and a directory can refuse new files whatever its modes
        // (/proc, sysfs): the file the write will make is made now and removed (review: root's
        // `--json /proc/r.json` ran every case, then lost the results). A device or pipe that
        // exists is written in place (above), so nothing is made beside it.
        let probe = temporaryPath(for: file)
        let descriptor = Glibc.open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return "cannot write \(path): cannot create a file in \(directory): \(String(cString: strerror(errno)))"
        }
        Glibc.close(descriptor)
        unlink(probe)
        return nil
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    static func temporaryPath(for path: String) -> String {
        let directory = parent(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? "output"
        return "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    }
}
