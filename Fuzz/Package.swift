// swift-tools-version: 6.1
import PackageDescription

// The libFuzzer harnesses live in their own package so that the main package stays light and
// nothing in it is built for fuzzing: scripts/fuzz.sh builds this package with
// `-Xswiftc -sanitize=address` and libFuzzer's coverage instrumentation, which instruments
// every module (the main package's too, for coverage). One executable target per harness; each
// main.swift hands its `LLVMFuzzerTestOneInput` to `FuzzDriver.run` (libFuzzer's own main is not
// linked: SwiftPM gives every executable a main of its own). Corpora: corpus/<harness>/.
// Dependencies: the main package by path, swift-log with the main package's requirement.

/// libFuzzer's runtime, linked into the harnesses only: the modules are compiled with ASan and
/// libFuzzer's coverage instrumentation (scripts/fuzz.sh), and a build tool of the main
/// package (BPFEmbed) must not get libFuzzer's main.
let fuzzerLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "VsockBenchFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "vsockbench", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        /// Allocation hooks (through ASan) and the LLVMFuzzerRunDriver declaration.
        .target(name: "CFuzzSupport", path: "Sources/CFuzzSupport"),
        /// The driver, input reading, invariant checks, allocation records, reference decoders.
        .target(
            name: "FuzzSupport",
            dependencies: ["CFuzzSupport", .product(name: "VsockWire", package: "vsockbench")],
            path: "Sources/FuzzSupport"
        ),
        /// FrameHeader.decode alone, against a reference decoder.
        .executableTarget(
            name: "FrameHeaderDecode",
            dependencies: ["FuzzSupport", .product(name: "VsockWire", package: "vsockbench")],
            path: "Sources/FrameHeaderDecode",
            linkerSettings: fuzzerLink
        ),
        /// FrameReader over a Unix socketpair that sends the input.
        .executableTarget(
            name: "FrameReaderStream",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
            ],
            path: "Sources/FrameReaderStream",
            linkerSettings: fuzzerLink
        ),
        /// FrameReader in packet mode over a Unix seqpacket socketpair that sends the input as
        /// packets (one frame per packet).
        .executableTarget(
            name: "FrameReaderPacket",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
            ],
            path: "Sources/FrameReaderPacket",
            linkerSettings: fuzzerLink
        ),
        /// A service's own framing (replay): MessageFraming.scan against a reference, and
        /// FrameReader in foreign mode over a Unix socketpair that sends the input.
        .executableTarget(
            name: "ForeignStream",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
            ],
            path: "Sources/ForeignStream",
            linkerSettings: fuzzerLink
        ),
        /// The target's hello: JSON decode of a CaseHello, the case it carries, its bounds check.
        .executableTarget(
            name: "HelloDecode",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockBenchEngine", package: "vsockbench"),
            ],
            path: "Sources/HelloDecode",
            linkerSettings: fuzzerLink
        ),
        /// The agent: decode, mask and encode of an arbitrary protobuf fragment.
        .executableTarget(
            name: "AgentMask",
            dependencies: ["FuzzSupport", .product(name: "VsockBenchAgent", package: "vsockbench")],
            path: "Sources/AgentMask",
            linkerSettings: fuzzerLink
        ),
        /// The driver's verifier on arbitrary responses.
        .executableTarget(
            name: "AgentVerify",
            dependencies: ["FuzzSupport", .product(name: "VsockBenchAgent", package: "vsockbench")],
            path: "Sources/AgentVerify",
            linkerSettings: fuzzerLink
        ),
        /// The scenario loader (YAML through Yams) on arbitrary text.
        .executableTarget(
            name: "ScenarioParse",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockBenchEngine", package: "vsockbench"),
            ],
            path: "Sources/ScenarioParse",
            linkerSettings: fuzzerLink
        ),
        /// The results-file loader behind check, diagnose --from and history add, and what
        /// those commands compute from a file it accepts.
        .executableTarget(
            name: "ResultsLoad",
            dependencies: ["FuzzSupport", .product(name: "VsockBenchReport", package: "vsockbench")],
            path: "Sources/ResultsLoad",
            linkerSettings: fuzzerLink
        ),
        /// The whole target (TargetServer, agent mode) over a Unix socket: a control and a data
        /// connection whose bytes are the input.
        .executableTarget(
            name: "TargetSession",
            dependencies: [
                "FuzzSupport", .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
                .product(name: "VsockBenchEngine", package: "vsockbench"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/TargetSession",
            linkerSettings: fuzzerLink
        ),
        /// Writes the seed corpora (scripts/fuzz.sh --seeds): deterministic, from the library's
        /// own encoders and generators and the repository's scenarios.
        .executableTarget(
            name: "FuzzSeeds",
            dependencies: [
                .product(name: "VsockWire", package: "vsockbench"),
                .product(name: "VsockBenchEngine", package: "vsockbench"),
                .product(name: "VsockBenchAgent", package: "vsockbench"),
                .product(name: "VsockTransport", package: "vsockbench"),
            ],
            path: "Sources/FuzzSeeds"
        ),
    ],
    swiftLanguageModes: [.v6]
)
