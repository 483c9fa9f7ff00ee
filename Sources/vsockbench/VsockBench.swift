import ArgumentParser
import CShims
import VsockBenchSupport

#if canImport(Glibc)
import Glibc
#endif

@main
struct VsockBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsockbench",
        abstract: "Benchmark and diagnose vsock throughput between a Nitro Enclave and its parent.",
        discussion: """
        Run `vsockbench serve` where the enclave's agent would run (inside the enclave, or locally), \
        and `vsockbench run SCENARIO` on the parent. Without --target, `run` starts its own target \
        on a private Unix socket, so every scenario works on any Linux machine.

        Example: vsockbench run scenarios/cliff.yaml
        """,
        version: HostFacts.toolVersion,
        subcommands: [Serve.self, Run.self, Compare.self, Diagnose.self, Sweep.self, Check.self, Corpus.self, History.self, Probe.self, Observe.self, Doctor.self]
    )

    /// ArgumentParser's flow with one exit-status rule for every command: bad input (an
    /// unknown flag, a missing value, a bad endpoint or scenario) exits 2, like a scenario
    /// error, rather than ArgumentParser's 64.
    static func main() {
        // Started with stdin, stdout or stderr closed (`2>&-`), the first file or socket opened
        // took its number: a report line then went into it, and a write to the closed stderr
        // stopped the process (EBADF is a bug to Posix). They are /dev/null instead.
        _ = cshims_open_standard_streams()
        // An argument that is not UTF-8 reaches Swift with its bad bytes replaced (U+FFFD): a
        // file so named was "No such file or directory", and a followed command's argument was
        // passed on changed. Said as what it is instead.
        if let (position, byte) = firstNonUTF8Argument() {
            printError("vsockbench: error: argument \(position) is not UTF-8 text (byte 0x\(String(byte, radix: 16))); vsockbench would read it changed: rename the file, or give the value in UTF-8")
            Self.exit(withError: ExitCode(Exit.badInput))
        }
        if let problem = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            printError("vsockbench: error: \(problem)")
            Self.exit(withError: ExitCode(Exit.badInput))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                // One line, as every other bad input: what is wrong and what is expected
                // (`--help` has the rest).
                let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad arguments"
                printError("vsockbench: error: \(text)")
                Self.exit(withError: ExitCode(Exit.badInput))
            }
            Self.exit(withError: error)
        }
    }

    /// A first argument that names no command (`runn`), or `help` followed by one (`help
    /// nope` printed the overview and exited 0): what is wrong, with the nearest command.
    static func unknownCommand(_ arguments: [String]) -> String? {
        let names = configuration.subcommands.map { $0._commandName }
        let list = "commands: \(names.joined(separator: ", "))"
        func unknown(_ word: String) -> String {
            let near = Spelling.closest(to: word, among: names).map { "; did you mean '\($0)'?" } ?? ""
            return "'\(Terminal.safe(word, limit: 64))' is not a vsockbench command\(near) (\(list))"
        }
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        if first == "help" {
            guard arguments.count > 1, !arguments[1].hasPrefix("-"), !names.contains(arguments[1]) else { return nil }
            return unknown(arguments[1])
        }
        return names.contains(first) ? nil : unknown(first)
    }

    /// The position (1: the first after the program's name) and first bad byte of the first
    /// argument that is not valid UTF-8, read from the raw argv.
    private static func firstNonUTF8Argument() -> (Int, UInt8)? {
        for position in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[position] else { continue }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            var offset = 0
            var valid = true
            loop: while true {
                switch decoder.decode(&iterator) {
                case let .scalarValue(scalar): offset += UTF8.width(scalar)
                case .emptyInput: break loop
                case .error: valid = false; break loop
                }
            }
            if !valid { return (position, bytes[min(offset, bytes.count - 1)]) }
        }
        return nil
    }
}
