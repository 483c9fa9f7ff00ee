// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "vsockbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vsockbench", targets: ["vsockbench"]),
        .library(name: "VsockTransport", targets: ["VsockTransport"]),
        .library(name: "VsockWire", targets: ["VsockWire"]),
        .library(name: "VsockBenchEngine", targets: ["VsockBenchEngine"]),
        .library(name: "VsockBenchReport", targets: ["VsockBenchReport"]),
        .library(name: "VsockProbe", targets: ["VsockProbe"]),
        .library(name: "VsockObserve", targets: ["VsockObserve"]),
        .library(name: "VsockBenchAgent", targets: ["VsockBenchAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        /// C declarations Swift cannot import on its own (sockaddr_vm, vsock socket options, rusage per thread).
        .target(name: "CShims"),
        // The layers, lowest first; each may import only the ones above it (ARCHITECTURE.md).
        /// Clocks, CPU time, threads and locks, quantities and number formats, host facts.
        .target(name: "VsockBenchSupport", dependencies: ["CShims"]),
        /// Statistics for trials, the CI gate and the results history: descriptive figures,
        /// median intervals, the Mann-Whitney U test, change points. No dependencies, by design.
        .target(name: "VsockBenchStats"),
        /// Endpoints, socket addresses and options, and the one place that makes socket and
        /// descriptor syscalls (counted per socket).
        .target(
            name: "VsockTransport",
            dependencies: ["CShims", "VsockBenchSupport", .product(name: "SystemPackage", package: "swift-system")]
        ),
        /// The frame protocol: header, reader, sinks (how frames become write syscalls), control
        /// messages. Knows nothing of workloads.
        .target(name: "VsockWire", dependencies: ["VsockTransport", "VsockBenchSupport"]),
        /// What a case is: the scenario model and the scenario file loader.
        .target(
            name: "VsockBenchModel",
            dependencies: ["VsockTransport", "VsockWire", "VsockBenchSupport", "VsockBenchAgent", .product(name: "Yams", package: "Yams")]
        ),
        /// Runs cases: driver workers, target handlers and server, the runner, the interval meter.
        .target(
            name: "VsockBenchEngine",
            dependencies: [
                "CShims", "VsockBenchSupport", "VsockBenchStats", "VsockTransport", "VsockWire", "VsockBenchModel", "VsockBenchAgent", "VsockProbe",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        /// Turns measurements into documents: run document, tables, JSON, HTML, compare, check,
        /// sweep, diagnosis.
        .target(
            name: "VsockBenchReport",
            dependencies: [
                "VsockBenchSupport", "VsockBenchStats", "VsockTransport", "VsockWire", "VsockBenchModel", "VsockBenchEngine", "VsockProbe",
                "VsockBenchAgent", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        /// The results history: runs kept in a SQLite database (GRDB, migrations), trends with each
        /// run's interval, change points over the per-run medians, the window a check gates against.
        .target(
            name: "VsockBenchHistory",
            dependencies: [
                "VsockBenchReport", "VsockBenchStats", "VsockBenchSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// What this machine offers: AF_VSOCK, CIDs, Nitro, BPF, KVM, socket buffers.
        .target(
            name: "VsockBenchDoctor",
            dependencies: [
                "VsockBenchSupport", "VsockTransport", "VsockProbe", .product(name: "Yams", package: "Yams"),
                .product(name: "SystemPackage", package: "swift-system"),
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
                "VsockBenchSupport", "VsockTransport", "VsockBenchModel", "VsockBenchEngine", "VsockBenchReport", "VsockBenchDoctor",
                "VsockProbe", "VsockObserve", "VsockBenchHistory", "VsockWire", "VsockBenchAgent", "CShims",
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
        /// `vsockbench observe`: a live vsock exchange rebuilt from the packets (turns, exchanges,
        /// turnaround, think time, in-flight depth), the JSON and HTML documents, a pcap writer.
        .target(
            name: "VsockObserve",
            dependencies: [
                "VsockProbe", "VsockBenchSupport", .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        /// Test fixtures: exactly N+1 KVM_RUN ioctls, exactly M write(2) calls.
        .executableTarget(name: "kvm-fixture", path: "Tests/Fixtures/KVMFixture"),
        .executableTarget(name: "write-fixture", path: "Tests/Fixtures/WriteFixture"),
        .testTarget(name: "VsockBenchSupportTests", dependencies: ["VsockBenchSupport"]),
        .testTarget(
            name: "VsockTransportTests",
            dependencies: ["VsockTransport", "VsockBenchSupport", .product(name: "SystemPackage", package: "swift-system")]
        ),
        .testTarget(name: "VsockWireTests", dependencies: ["VsockWire", "VsockTransport", "VsockBenchSupport"]),
        .testTarget(name: "VsockBenchModelTests", dependencies: ["VsockBenchModel", "VsockWire", "VsockTransport", "VsockBenchSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(
            name: "VsockBenchEngineTests",
            dependencies: ["VsockBenchEngine", "VsockBenchModel", "VsockWire", "VsockTransport", "VsockBenchSupport", "VsockProbe", .product(name: "Yams", package: "Yams"), .product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "VsockBenchReportTests",
            dependencies: ["VsockBenchReport", "VsockBenchEngine", "VsockBenchModel", "VsockWire", "VsockTransport", "VsockBenchSupport", "VsockProbe", .product(name: "Yams", package: "Yams"), .product(name: "Histogram", package: "hdrhistogram-swift"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "VsockBenchDoctorTests", dependencies: ["VsockBenchDoctor", "VsockTransport", "VsockBenchSupport", "VsockProbe", .product(name: "Yams", package: "Yams")]),
        .testTarget(
            name: "VsockProbeTests",
            dependencies: ["VsockProbe", "kvm-fixture", "write-fixture", "vsockbench"]
        ),
        /// Runs the built `vsockbench` (run, sweep, check) as a user would.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "VsockBenchSupport", "VsockTransport", "VsockWire", "VsockBenchModel", "VsockBenchEngine", "VsockBenchReport", "vsockbench",
                .product(name: "Yams", package: "Yams"), .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VsockBenchAgentTests", dependencies: ["VsockBenchAgent"]),
        .testTarget(
            name: "VsockObserveTests",
            dependencies: ["VsockObserve", "VsockProbe", "vsockbench", .product(name: "Histogram", package: "hdrhistogram-swift")]
        ),
        .testTarget(name: "VsockBenchStatsTests", dependencies: ["VsockBenchStats"]),
        /// The history's store, migrations, trends, change points and window gate; and the
        /// built `vsockbench history` end to end.
        .testTarget(
            name: "VsockBenchHistoryTests",
            dependencies: [
                "VsockBenchHistory", "VsockBenchReport", "VsockBenchStats", "VsockBenchModel", "VsockBenchSupport", "VsockProbe", "vsockbench",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
