import Benchmark
import VsockBenchAgent

/// 8 KiB fragments, as the agent that collapsed exchanged them. 64 distinct requests are
/// cycled so that branch predictors and caches see varied rows, as in a real run. Everything
/// a benchmark needs is prepared once, outside the measured closures.
private let fragmentSize = 8192
private let distinctRequests = 64
private let connectionKey: (UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0x0F1E_2D3C_4B5A_6978)

private struct Fixture: Sendable {
    let requests: [AgentRequest]
    let decoded: [AgentMasker.DecodedFragment]
    /// One masker per request, each holding that request's masked table (for `encode`).
    let masked: [AgentMasker]
    let responses: [[UInt8]]

    init() throws {
        var generator = AgentRequestGenerator(seed: 0x5EED, sizes: .fixed(fragmentSize))
        requests = (0..<UInt64(distinctRequests)).map { generator.makeRequest(sequence: $0) }
        decoded = try requests.map { request in try request.bytes.withUnsafeBytes { try AgentMasker.decode($0) } }
        masked = try decoded.map { fragment in
            var masker = AgentMasker(connectionKey: connectionKey)
            try masker.mask(fragment)
            return masker
        }
        var masker = AgentMasker(connectionKey: connectionKey)
        responses = try requests.map { request in
            var output: [UInt8] = []
            _ = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            return output
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 1000,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )
    let fixture: Fixture
    do {
        fixture = try Fixture()
    } catch {
        fatalError("AgentPipeline: could not prepare the fixture: \(error)")
    }

    Benchmark("Pipeline 8 KiB: decode+mask+encode") { benchmark in
        var masker = AgentMasker(connectionKey: connectionKey)
        var output: [UInt8] = []
        output.reserveCapacity(2 * fragmentSize)
        for iteration in benchmark.scaledIterations {
            let request = fixture.requests[iteration % distinctRequests]
            let timings = try request.bytes.withUnsafeBytes { try masker.process(request: $0, into: &output) }
            blackHole(timings)
            blackHole(output)
        }
    }

    Benchmark("Phase 8 KiB: decode") { benchmark in
        for iteration in benchmark.scaledIterations {
            let request = fixture.requests[iteration % distinctRequests]
            blackHole(try request.bytes.withUnsafeBytes { try AgentMasker.decode($0) })
        }
    }

    Benchmark("Phase 8 KiB: mask") { benchmark in
        var masker = AgentMasker(connectionKey: connectionKey)
        for iteration in benchmark.scaledIterations {
            try masker.mask(fixture.decoded[iteration % distinctRequests])
        }
        blackHole(masker)
    }

    Benchmark("Phase 8 KiB: encode") { benchmark in
        var output: [UInt8] = []
        output.reserveCapacity(2 * fragmentSize)
        for iteration in benchmark.scaledIterations {
            output.removeAll(keepingCapacity: true)
            fixture.masked[iteration % distinctRequests].encode(into: &output)
            blackHole(output)
        }
    }

    Benchmark("Client 8 KiB: generate request") { benchmark in
        var generator = AgentRequestGenerator(seed: 0x5EED, sizes: .fixed(fragmentSize))
        for iteration in benchmark.scaledIterations {
            blackHole(generator.makeRequest(sequence: UInt64(iteration)))
        }
    }

    Benchmark("Client 8 KiB: verify response") { benchmark in
        var verifier = AgentVerifier()
        for iteration in benchmark.scaledIterations {
            let index = iteration % distinctRequests
            blackHole(verifier.verify(response: fixture.responses[index], for: fixture.requests[index]))
        }
    }
}
