// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that the main package stays light: only
// `swift package --package-path Benchmarks benchmark` builds ordo-one/benchmark.
// Each suite is an executable target in Benchmarks/<Suite>/ with the BenchmarkPlugin.
let package = Package(
    name: "VsockBenchBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "vsockbench", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        /// The masked-agent pipeline (decode, mask, encode) on 8 KiB fragments, whole and by phase,
        /// and the client's share (generate, verify).
        .executableTarget(
            name: "AgentPipeline",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VsockBenchAgent", package: "vsockbench"),
            ],
            path: "AgentPipeline",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        /// The frame codec: header encode/decode, malformed-header rejection, and FrameReader
        /// over a Unix socketpair with 64 B, 8 KiB and 64 KiB frames.
        .executableTarget(
            name: "FrameCodec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
            ],
            path: "FrameCodec",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        /// The payload generator: pool creation, request copy, response verification, stream
        /// spot checks.
        .executableTarget(
            name: "PayloadGenerator",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VsockBenchEngine", package: "vsockbench"),
            ],
            path: "PayloadGenerator",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        /// Not a benchmark (it sits outside Benchmarks/<Suite>/): runs one phase N times for
        /// valgrind --tool=callgrind, whose instruction counts do not depend on the machine's load.
        .executableTarget(
            name: "AgentProfile",
            dependencies: [.product(name: "VsockBenchAgent", package: "vsockbench")],
            path: "Profiling/AgentProfile"
        ),
        /// Not a benchmark either: feeds observe's reader N synthetic exchanges, for callgrind.
        .executableTarget(
            name: "ObserveProfile",
            dependencies: [
                .product(name: "VsockObserve", package: "vsockbench"),
                .product(name: "VsockProbe", package: "vsockbench"),
            ],
            path: "Profiling/ObserveProfile"
        ),
    ],
    swiftLanguageModes: [.v6]
)
