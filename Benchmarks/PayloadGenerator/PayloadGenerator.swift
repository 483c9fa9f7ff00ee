import Benchmark
import VsockBenchEngine

/// The payload generator, the client-side work around every message: building the pool once
/// per case and side, cutting a request from it, verifying a response against it, and
/// spot-checking stream reads. Sizes as in `scenarios/cliff.yaml`: 8 KiB requests, 64 KiB
/// stream writes.
///
/// Sequence numbers run through the pool as in a real case (`PayloadPool.offset`), so
/// windows land all over the 1 MiB pool and caches see what a run sees.
private let requestSize = 8 * 1024
private let streamWrite = 64 * 1024
/// Responses prepared ahead for `matches`: enough distinct ones to leave the L1 cache.
private let preparedResponses = 64

private final class Fixture: @unchecked Sendable {
    let pool = PayloadPool(seed: 1, maxMessage: 64 * 1024)
    /// Copies of messages 0..<preparedResponses, as a target would echo them.
    let responses: UnsafeMutableRawBufferPointer
    /// A stream read of 64 KiB at position `streamPosition`.
    let streamRead: UnsafeMutableRawBufferPointer
    let streamPosition: UInt64 = 3 * UInt64(PayloadPool.defaultPeriod) + 12_345

    init() {
        responses = .allocate(byteCount: preparedResponses * requestSize, alignment: 16)
        for seq in 0..<preparedResponses {
            let message = pool.message(sequence: UInt64(seq), count: requestSize)
            (responses.baseAddress! + seq * requestSize).copyMemory(from: message.baseAddress!, byteCount: requestSize)
        }
        streamRead = .allocate(byteCount: streamWrite, alignment: 16)
        streamRead.copyMemory(from: pool.stream(at: streamPosition, count: streamWrite))
    }

    deinit {
        responses.deallocate()
        streamRead.deallocate()
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )
    let fixture = Fixture()

    Benchmark(
        "Pool: create 1 MiB (64 KiB max message)",
        configuration: .init(timeUnits: .microseconds, warmupIterations: 2, scalingFactor: .one, maxIterations: 200)
    ) { benchmark in
        for iteration in benchmark.scaledIterations {
            let pool = PayloadPool(seed: UInt64(iteration), maxMessage: 64 * 1024)
            blackHole(pool.bytes[pool.period / 2])
        }
    }

    Benchmark("Request 8 KiB: copy payload from the pool") { benchmark in
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: FrameHeader.size + requestSize, alignment: 16)
        defer { buffer.deallocate() }
        let pool = fixture.pool
        for iteration in benchmark.scaledIterations {
            // What RequestResponseDriver does per request (after the header).
            (buffer + FrameHeader.size).copyMemory(from: pool.bytes.baseAddress! + pool.offset(sequence: UInt64(iteration)), byteCount: requestSize)
            blackHole(buffer.load(fromByteOffset: FrameHeader.size, as: UInt64.self))
        }
    }

    Benchmark("Response 8 KiB: matches()") { benchmark in
        let pool = fixture.pool
        for iteration in benchmark.scaledIterations {
            let seq = iteration % preparedResponses
            let response = UnsafeRawBufferPointer(start: fixture.responses.baseAddress! + seq * requestSize, count: requestSize)
            guard pool.matches(response, sequence: UInt64(seq)) else {
                benchmark.error("response \(seq) does not match its own message")
                return
            }
        }
    }

    Benchmark("Stream 64 KiB: spotCheck()") { benchmark in
        let pool = fixture.pool
        let read = fixture.streamRead.baseAddress!
        for _ in benchmark.scaledIterations {
            guard pool.spotCheck(read, count: streamWrite, at: fixture.streamPosition) else {
                benchmark.error("a correct stream read failed its spot check")
                return
            }
        }
    }

    // `verify: full`: every byte of the read compared with the pool.
    Benchmark("Stream 64 KiB: streamMismatch() (verify: full)") { benchmark in
        let pool = fixture.pool
        let read = fixture.streamRead.baseAddress!
        for _ in benchmark.scaledIterations {
            guard pool.streamMismatch(read, count: streamWrite, at: fixture.streamPosition) == nil else {
                benchmark.error("a correct stream read failed full verification")
                return
            }
        }
    }
}
