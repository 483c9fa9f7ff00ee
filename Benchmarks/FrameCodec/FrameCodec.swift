import Benchmark
import VsockWire
import VsockTransport

/// The frame codec on the data path: what every rr message pays below the payload bytes.
///
/// - Header encode/decode: the 32-byte header alone, in memory.
/// - Malformed headers: the rejection path the target takes for a bad peer.
/// - FrameReader: frames of 64 B, 8 KiB and 64 KiB through a Unix socketpair, written in
///   batches by the same thread and read back one frame at a time by `FrameReader.next()`.
///   The figure is the cost of one frame through the kernel and the reader together (write
///   syscall share, read syscall, header decode, in-place hand-out); loopback TCP or vsock
///   add their own protocol costs on top.
///
/// Each scaled iteration is one header or one frame: throughput is per second and the
/// scaled wall clock is nanoseconds per header or frame.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    let header = FrameHeader(type: .request, length: 8192, sequence: 0x0102_0304_0506_0708, aux: 8192)
    let encoded = HeaderBytes(header)

    Benchmark("Header: encode") { benchmark in
        let destination = UnsafeMutableRawPointer.allocate(byteCount: FrameHeader.size, alignment: 16)
        defer { destination.deallocate() }
        var current = header
        for iteration in benchmark.scaledIterations {
            current.sequence = UInt64(iteration)
            current.encode(into: destination)
            blackHole(destination.load(fromByteOffset: 16, as: UInt64.self))
        }
    }

    Benchmark("Header: decode") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try FrameHeader.decode(from: encoded.pointer, maxPayload: 64 * 1024))
        }
    }

    let badMagic = HeaderBytes(header, corrupt: { $0.storeBytes(of: 0x4745_5420, toByteOffset: 0, as: UInt32.self) })
    let oversized = HeaderBytes(FrameHeader(type: .request, length: 64 * 1024 + 1, sequence: 1))

    Benchmark("Header: reject bad magic") { benchmark in
        for _ in benchmark.scaledIterations {
            do throws(FrameError) {
                blackHole(try FrameHeader.decode(from: badMagic.pointer, maxPayload: 64 * 1024))
                benchmark.error("a header with a bad magic was accepted")
            } catch {
                blackHole(error.code)
            }
        }
    }

    Benchmark("Header: reject length over --max-frame") { benchmark in
        for _ in benchmark.scaledIterations {
            do throws(FrameError) {
                blackHole(try FrameHeader.decode(from: oversized.pointer, maxPayload: 64 * 1024))
                benchmark.error("a header over the payload limit was accepted")
            } catch {
                blackHole(error.code)
            }
        }
    }

    for (label, payload) in [("64 B", 64), ("8 KiB", 8 * 1024), ("64 KiB", 64 * 1024)] {
        let pump: FramePump
        do {
            pump = try FramePump(payload: payload)
        } catch {
            fatalError("FrameCodec: could not open a socketpair: \(error)")
        }
        Benchmark(
            "FrameReader \(label): frames via socketpair",
            configuration: .init(teardown: { pump.close() })
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try pump.nextFrame())
                } catch {
                    benchmark.error("FrameReader \(label): \(error)")
                    return
                }
            }
        }
    }
}
