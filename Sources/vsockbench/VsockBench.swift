import ArgumentParser
import VsockBenchCore

@main
struct VsockBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vsockbench",
        abstract: "Benchmark and diagnose vsock throughput between a Nitro Enclave and its parent.",
        version: "0.1.0",
        subcommands: [Probe.self]
    )
}
