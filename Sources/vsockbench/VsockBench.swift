import ArgumentParser
import VsockBenchCore

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
        subcommands: [Serve.self, Run.self, Sweep.self, Check.self, Probe.self, Doctor.self]
    )

    /// ArgumentParser's flow, except that `doctor` reports a bad flag with exit status 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure, Doctor.isInvoked(by: Array(CommandLine.arguments.dropFirst())) {
                printError(fullMessage(for: error))
                Self.exit(withError: ExitCode(Exit.badInput))
            }
            Self.exit(withError: error)
        }
    }
}
