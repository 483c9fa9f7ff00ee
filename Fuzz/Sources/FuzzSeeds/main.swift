#if canImport(Glibc)
import Glibc
#endif

// Writes the seed corpora of the harnesses: `FuzzSeeds <corpus-dir> <scenarios-dir>`.
// Deterministic: the same files every time. Files named `seed-*` are rewritten; anything else
// in a corpus directory (regression inputs from findings, inputs kept from runs) is left alone.
let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    print("usage: FuzzSeeds <corpus-dir> <scenarios-dir>")
    exit(2)
}
let writer = SeedWriter(root: arguments[1])
do {
    try FrameSeeds.write(to: writer)
    try PacketSeeds.write(to: writer)
    try ForeignSeeds.write(to: writer)
    try HelloSeeds.write(to: writer, scenarios: arguments[2])
    try AgentSeeds.write(to: writer)
    try TargetSeeds.write(to: writer)
    try ScenarioSeeds.write(to: writer, scenarios: arguments[2])
    print(writer.summary)
} catch {
    print("FuzzSeeds: \(error)")
    exit(1)
}
