#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import VsockBenchModel
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
func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
    do {
        try OutputFile.write(path, bytes, mode: mode)
    } catch {
        throw fail("cannot write \(path): \(error.reason)", code: Exit.failure)
    }
}

/// An output option and the path it names (nil: not given).
typealias OutputPath = (option: String, path: String?)

/// Checks before anything runs that every output file can be written (not a directory, its
/// directory exists and takes new files), that no two outputs name one file, and that none
/// names one of the command's `inputs` (`--json` naming the scenario replaced it with the
/// results), so a long run's results are not lost at the end to a wrong path: exit 2 now
/// instead.
func checkWritable(_ outputs: OutputPath..., inputs: [(what: String, path: String)] = []) throws {
    var named: [(option: String, path: String)] = []
    for case let (option, path?) in outputs {
        if path.isEmpty { throw fail(emptyPathProblem(option), code: Exit.badInput) }
        // `--json -` is taken before this; any other output is a file (it wrote one named -).
        if path == "-" { throw fail("- (standard output) is for --json only; give this output a file name (./- for a file named -)", code: Exit.badInput) }
        if let problem = OutputFile.problem(with: path) { throw fail(problem, code: Exit.badInput) }
        if let earlier = named.first(where: { sameFile($0.path, path) }) {
            throw fail("\(earlier.option) and \(option) both name \(Terminal.safe(path)): give each output a file of its own", code: Exit.badInput)
        }
        if let input = inputs.first(where: { sameFile($0.path, path) }) {
            throw fail("\(option) \(Terminal.safe(path)) is \(input.what): writing it would replace it; give another file", code: Exit.badInput)
        }
        named.append((option, path))
    }
}

/// An output flag given an empty value, named with what it takes (it said "an empty path",
/// naming no flag): `--json needs a file name (or - for stdout).`
func emptyPathProblem(_ option: String) -> String {
    "\(option) needs a file name\(option == "--json" ? " (or - for stdout)" : "")."
}

/// Whether two paths name one file: the same device and inode where both exist (links
/// included); where neither does yet, the same name in the same directory (its device and
/// inode). Only regular files clash: a device or a pipe is written in place, so
/// `--json /dev/null --html /dev/null` throws both away.
func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    let firstExists = stat(a, &first) == 0, secondExists = stat(b, &second) == 0
    if firstExists && secondExists {
        if first.st_mode & S_IFMT != S_IFREG { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
    if firstExists || secondExists { return false }
    guard let (firstDirectory, firstName) = split(a), let (secondDirectory, secondName) = split(b), firstName == secondName else { return false }
    var one = stat(), other = stat()
    guard stat(firstDirectory, &one) == 0, stat(secondDirectory, &other) == 0 else { return firstDirectory == secondDirectory }
    return one.st_dev == other.st_dev && one.st_ino == other.st_ino
}

/// A path's directory and last name (`.` for a bare name); nil for a path ending in `/`.
private func split(_ path: String) -> (directory: String, name: Substring)? {
    guard let name = path.split(separator: "/", omittingEmptySubsequences: false).last, !name.isEmpty else { return nil }
    let directory = path.dropLast(name.count)
    return (directory.isEmpty ? "." : String(directory), name)
}

extension Scenario {
    /// The corpus files its replay cases read: inputs no output may name (a corpus may be the
    /// only copy of captured traffic).
    var corpusInputs: [(what: String, path: String)] {
        cases.compactMap { c in
            if case let .replay(r) = c.workload { return ("the corpus of case \(Terminal.safe(c.name))", r.corpus) }
            return nil
        }
    }
}

/// A command's `--json`: a file, or `-` for standard output, which then carries the JSON alone
/// (the text goes to standard error), so that `vsockbench run s.yaml --json - | jq .` reads
/// JSON, as with observe, probe and doctor.
struct JSONOutput {
    let path: String?

    var toStandardOutput: Bool { path == "-" }
    /// The file to check before anything runs (none for standard output).
    var file: String? { toStandardOutput ? nil : path }

    /// Prints the command's text: on standard output, or on standard error when the JSON takes it.
    func say(_ text: String, terminator: String = "\n") {
        if toStandardOutput { StandardError.write(text + terminator) } else { print(text, terminator: terminator) }
    }

    /// Writes the JSON, if asked for; a failed write to standard output (a closed pipe) is exit 1, as a file's is.
    func write(_ bytes: [UInt8]) throws {
        guard let path else { return }
        guard toStandardOutput else { return try writeFile(path, bytes) }
        let failure: SystemError? = bytes.withUnsafeBytes { raw in
            do throws(SystemError) { try Posix.writeAll(.standardOutput, raw) } catch { return error }
            return nil
        }
        if let failure { throw fail("cannot write the JSON to standard output: \(failure.reason)", code: Exit.failure) }
    }

    /// The help of a command's --json, for `what`.
    static func help(_ what: String) -> ArgumentHelp {
        ArgumentHelp("Write \(what) as JSON to this file; - writes it to standard output and the text to standard error.", valueName: "file")
    }
}
