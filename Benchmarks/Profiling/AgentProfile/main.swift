// A plain executable that runs one phase of the agent workload N times, for profilers:
//
//   swift build --package-path Benchmarks -c release --product AgentProfile
//   valgrind --tool=callgrind Benchmarks/.build/release/AgentProfile mask 1000
//
// callgrind counts instructions, which stay the same whatever else the (shared) machine
// does; subtract a run with N = 0 to drop the setup. Wall-clock figures come from the
// AgentPipeline benchmark suite.
import VsockBenchAgent

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let phases = ["pipeline", "decode", "mask", "encode", "generate", "verify"]
let arguments = CommandLine.arguments
guard arguments.count == 3, phases.contains(arguments[1]), let count = Int(arguments[2]), count >= 0 else {
    print("usage: AgentProfile \(phases.joined(separator: "|")) ITERATIONS")
    exit(2)
}
let phase = arguments[1]

func nanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

let key: (UInt64, UInt64) = (1, 2)
var generator = AgentRequestGenerator(seed: 0x5EED, sizes: .fixed(8192))
let requests = (0..<64 as Range<UInt64>).map { generator.makeRequest(sequence: $0) }
let decoded = try requests.map { request in try request.bytes.withUnsafeBytes { try AgentMasker.decode($0) } }
var masker = AgentMasker(connectionKey: key)
var output: [UInt8] = []
var responses: [[UInt8]] = []
for request in requests {
    _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
    responses.append(output)
}
var verifier = AgentVerifier()
var checksum = 0

let start = nanoseconds()
for iteration in 0..<count {
    let index = iteration % requests.count
    switch phase {
    case "pipeline":
        _ = try requests[index].bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
        checksum &+= output.count
    case "decode":
        let fragment = try requests[index].bytes.withUnsafeBytes { try AgentMasker.decode($0) }
        checksum &+= withUnsafeBytes(of: fragment) { $0.count }
    case "mask":
        try masker.mask(decoded[index])
    case "encode":
        output.removeAll(keepingCapacity: true)
        masker.encode(into: &output)
        checksum &+= output.count
    case "generate":
        checksum &+= generator.makeRequest(sequence: UInt64(iteration)).bytes.count
    default:
        if let failure = verifier.verify(response: responses[index], for: requests[index]) {
            print("verification failed: \(failure)")
            exit(1)
        }
    }
}
let elapsed = nanoseconds() - start
let perMessage = count > 0 ? elapsed / UInt64(count) : 0
let megabytesPerSecond = perMessage > 0 ? 8192 * 1000 / Double(perMessage) : 0
print("\(phase): \(count) messages of 8 KiB, \(perMessage) ns each, \(Int(megabytesPerSecond)) MB/s (checksum \(checksum))")
