#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchSupport
import VsockTransport

/// Exit codes: 0 success, 1 a run failed (lost, corrupted or refused messages), 2 bad input
/// (endpoint, scenario file, options); a run a signal stopped: 128 + the signal
/// (`DriverSession.interruptStatus`).
enum Exit {
    static let failure: Int32 = 1
    static let badInput: Int32 = 2
}

/// Prints one clear line to stderr and ends with `code`.
func fail(_ message: String, code: Int32) -> ExitCode {
    printError("vsockbench: error: \(message)")
    return ExitCode(code)
}

func printError(_ message: String) {
    StandardError.write(message + "\n")
}

/// Writes an output file atomically (temporary file, fsync, checked close, rename): a full
/// disk or a vanished directory is exit 1 with the reason, never a truncated file and exit 0.
func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    do {
        try OutputFile.write(path, bytes)
    } catch {
        throw fail("cannot write \(path): \(error.reason)", code: Exit.failure)
    }
}

/// Checks before anything runs that every output file can be written (not a directory, its
/// directory exists and takes new files), so a long run's results are not lost at the end to a
/// wrong path: exit 2 now instead.
func checkWritable(_ paths: String?...) throws {
    for case let path? in paths {
        if let problem = OutputFile.problem(with: path) { throw fail(problem, code: Exit.badInput) }
    }
}
