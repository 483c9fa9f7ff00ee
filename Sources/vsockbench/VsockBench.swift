import ArgumentParser
import CShims
import VsockBenchSupport

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
}
