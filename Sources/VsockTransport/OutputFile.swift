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
    package static func write(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        var info = stat()
        let exists = stat(path, &info) == 0
        if exists, info.st_mode & S_IFMT != S_IFREG {
            try writeInPlace(path, bytes)
            return
        }
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

    private static func writeInPlace(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let descriptor = try Posix.open(path, O_WRONLY)
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
        let directory = parent(of: path)
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
        // exists is written in place, so nothing is made beside it.
        if stat(path, &info) != 0 || info.st_mode & S_IFMT == S_IFREG {
            let probe = temporaryPath(for: path)
            let descriptor = Glibc.open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                return "cannot write \(path): cannot create a file in \(directory): \(String(cString: strerror(errno)))"
            }
            Glibc.close(descriptor)
            unlink(probe)
        }
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
