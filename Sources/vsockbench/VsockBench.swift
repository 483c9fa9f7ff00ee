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
        subcommands: [Serve.self, Run.self, Sweep.self, Check.self, Probe.self]
    )
}
