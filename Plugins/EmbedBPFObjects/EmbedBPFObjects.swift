import Foundation
import PackagePlugin

/// Compiles every `bpf/*.bpf.c` of the package with the toolchain's clang and hands the target
/// a generated Swift file holding each object as a base64 string, so `swift build` alone
/// produces a binary that carries its BPF programs. Nothing generated lands in the source tree.
@main
struct EmbedBPFObjects: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let bpfDirectory = context.package.directoryURL.appending(path: "bpf")
        let names = try FileManager.default.contentsOfDirectory(atPath: bpfDirectory.path)
        let sources = names.filter { $0.hasSuffix(".bpf.c") }.sorted().map { bpfDirectory.appending(path: $0) }
        let headers = names.filter { $0.hasSuffix(".h") }.sorted().map { bpfDirectory.appending(path: $0) }
        guard !sources.isEmpty else {
            Diagnostics.error("EmbedBPFObjects: no *.bpf.c under \(bpfDirectory.path)")
            return []
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedBPFObjects.swift")
        let clang = try context.tool(named: "clang")
        let embedder = try context.tool(named: "BPFEmbed")
        let arguments = ["--clang", clang.url.path, "--output", output.path, "--include", bpfDirectory.path]
            + sources.map(\.path)
        return [
            .buildCommand(
                displayName: "Compiling BPF objects for \(target.name)",
                executable: embedder.url,
                arguments: arguments,
                inputFiles: sources + headers,
                outputFiles: [output]
            )
        ]
    }
}
