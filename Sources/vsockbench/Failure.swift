#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchSupport
import VsockTransport

/// Exit codes: 0 success, 1 a run failed (lost, corrupted or refused messages), 2 bad input
/// (endpoint, scenario file, options).
enum Exit {
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
    static let interrupted: Int32 = 130
}

/// Prints one clear line to stderr and ends with `code`.
func fail(_ message: String, code: Int32) -> ExitCode {
    printError("vsockbench: error: \(message)")
    return ExitCode(code)
}

func printError(_ message: String) {
    StandardError.write(message + "\n")
}

/// Writes a file in one go; a failure is bad input (the path), exit 2.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let handle = fopen(path, "wb") else {
        throw fail("cannot write \(path): \(String(cString: strerror(errno)))", code: Exit.badInput)
    }
    defer { fclose(handle) }
    if fwrite(bytes, 1, bytes.count, handle) != bytes.count {
        throw fail("cannot write \(path): \(String(cString: strerror(errno)))", code: Exit.badInput)
    }
}

/// Checks before a run that an output file can be written, so a long run's results are not
/// lost at the end to a wrong path (exit 2 now instead).
func checkWritable(_ paths: String?...) throws {
    for case let path? in paths {
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let existsWritable = access(path, W_OK) == 0
        let creatable = access(path, F_OK) != 0 && access(directory.isEmpty ? "/" : directory, W_OK) == 0
        guard existsWritable || creatable else {
            throw fail("cannot write \(path): \(String(cString: strerror(errno)))", code: Exit.badInput)
        }
    }
}
