// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "vsockbench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vsockbench", targets: ["vsockbench"]),
        .library(name: "VsockBenchCore", targets: ["VsockBenchCore"]),
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "VsockBenchCoreTests", dependencies: ["VsockBenchCore"]),
        .testTarget(name: "VsockBenchAgentTests", dependencies: ["VsockBenchAgent"]),
        .testTarget(name: "EndToEndTests", dependencies: ["VsockBenchCore"]),
    ],
    swiftLanguageModes: [.v6]
)
