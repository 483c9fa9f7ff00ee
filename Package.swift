// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "vsockbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vsockbench", targets: ["vsockbench"]),
        .library(name: "VsockBenchCore", targets: ["VsockBenchCore"]),
        .library(name: "VsockProbe", targets: ["VsockProbe"]),
        .library(name: "VsockBenchAgent", targets: ["VsockBenchAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        /// C declarations Swift cannot import on its own (sockaddr_vm, vsock socket options, rusage per thread).
        .target(name: "CShims"),
        .target(
            name: "VsockBenchCore",
            dependencies: [
                "CShims",
                "VsockProbe",
                "VsockBenchAgent",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        /// The masked-agent workload: generate query fragments, mask them, verify the result.
        /// Pure computation (no sockets), so the transport and `--target null` share it.
        .target(
            name: "VsockBenchAgent",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .executableTarget(
            name: "vsockbench",
            dependencies: [
                "VsockBenchCore",
                "VsockProbe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// libbpf 1.1 from the system (Debian: libbpf-dev, which brings libelf and zlib).
        .systemLibrary(
            name: "CLibbpf",
            pkgConfig: "libbpf",
            providers: [.apt(["libbpf-dev"])]
        ),
        /// The BPF side's shared header (bpf/vsockbench.h) for Swift, and a fork that holds a child before exec.
        .target(name: "CVsockProbe"),
        /// The command of the EmbedBPFObjects plugin: clang on bpf/*.bpf.c, objects out as base64 Swift strings.
        .executableTarget(name: "BPFEmbed"),
        .plugin(
            name: "EmbedBPFObjects",
            capability: .buildTool(),
            dependencies: ["BPFEmbed"]
        ),
        /// The eBPF probe: KVM_RUN ioctls, VM exits, vsock packets, syscalls and virtio notifications.
        .target(
            name: "VsockProbe",
            dependencies: ["CLibbpf", "CVsockProbe"],
            plugins: ["EmbedBPFObjects"]
        ),
        /// Test fixtures: exactly N+1 KVM_RUN ioctls, exactly M write(2) calls.
        .executableTarget(name: "kvm-fixture", path: "Tests/Fixtures/KVMFixture"),
        .executableTarget(name: "write-fixture", path: "Tests/Fixtures/WriteFixture"),
        .testTarget(name: "VsockBenchCoreTests", dependencies: ["VsockBenchCore", "VsockProbe"]),
        .testTarget(
            name: "VsockProbeTests",
            dependencies: ["VsockProbe", "kvm-fixture", "write-fixture", "vsockbench"]
        ),
        /// Runs the built `vsockbench` (run, sweep, check) as a user would.
        .testTarget(name: "EndToEndTests", dependencies: ["VsockBenchCore", "vsockbench"]),
        .testTarget(name: "VsockBenchAgentTests", dependencies: ["VsockBenchAgent"]),
        /// Statistics for trials, the CI gate and the results history: descriptive figures,
        /// median intervals, the Mann-Whitney U test, change points. No dependencies, by design.
        .target(name: "VsockBenchStats"),
        .testTarget(name: "VsockBenchStatsTests", dependencies: ["VsockBenchStats"]),
    ],
    swiftLanguageModes: [.v6]
)
